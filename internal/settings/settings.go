// Package settings lists the thresholds people tune with `callbase config`:
// their names, defaults and what values they take. The values live in the
// database, so cron and people share them.
package settings

import (
	"fmt"
	"strconv"
)

// Setting is one tunable threshold.
type Setting struct {
	Name    string
	Default string
	Help    string
	min     int // the values are whole numbers no smaller than min
}

// All lists the settings in the order config shows them.
var All = []Setting{
	{Name: "dead.unreachable_attempts", Default: "6", min: 1,
		Help: "unanswered calls (no answer, busy, voicemail) in a row that make a number dead as unreachable"},
	{Name: "dead.unreachable_days", Default: "14", min: 0,
		Help: "the fewest days such a run of unanswered calls must span"},
}

// Lookup returns the setting called name.
func Lookup(name string) (Setting, bool) {
	for _, s := range All {
		if s.Name == name {
			return s, true
		}
	}
	return Setting{}, false
}

// Check tells whether value is a valid value of s.
func (s Setting) Check(value string) error {
	n, err := strconv.Atoi(value)
	if err != nil || n < s.min {
		return fmt.Errorf("%s: %q is not a whole number of at least %d", s.Name, value, s.min)
	}
	return nil
}

// Int reads a value that passed Check, or the default.
func (s Setting) Int(value string, ok bool) int {
	if ok && s.Check(value) == nil {
		n, _ := strconv.Atoi(value)
		return n
	}
	n, _ := strconv.Atoi(s.Default)
	return n
}
