// Package callbase holds the words of the domain shared by every other
// package: the errors that decide an exit status and the location of a
// fault in an input file. It imports nothing of ours.
package callbase

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. The command line maps them to exit statuses: ErrUsage and
// ErrInput to 2, anything else to 1.
var (
	// ErrUsage marks a wrong flag, argument or combination of them.
	ErrUsage = errors.New("wrong usage")
	// ErrInput marks an input file that cannot be read as what it claims to be.
	ErrInput = errors.New("unreadable input")
)

// InputError names where in an input file a fault lies. Empty parts are
// left out of the message; Row is 1-based, 0 when the fault is the whole file.
type InputError struct {
	File   string
	Sheet  string
	Row    int
	Column string
	Err    error
	Hint   string // how to fix it, printed on a second line
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Sheet != "" {
		b.WriteString(":")
		b.WriteString(e.Sheet)
	}
	if e.Row > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Row))
	}
	b.WriteString(": ")
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	b.WriteString(e.Err.Error())
	if e.Hint != "" {
		b.WriteString("\n")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap lets errors.Is(err, ErrInput) hold for every InputError.
func (e *InputError) Unwrap() []error { return []error{ErrInput, e.Err} }

// Unallocated is why a number the numbering plan never issued is dead.
const Unallocated = "unallocated"

// Input marks err as unreadable input (exit 2) without changing its
// message, for errors that already name their file and line.
func Input(err error) error {
	if err == nil {
		return nil
	}
	return &inputError{err}
}

type inputError struct{ err error }

func (e *inputError) Error() string   { return e.err.Error() }
func (e *inputError) Unwrap() []error { return []error{ErrInput, e.err} }

// Usagef returns an ErrUsage error with a formatted message.
func Usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Unwrap() error { return ErrUsage }
