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
	{Name: "cycle.max_attempts", Default: "6", min: 1,
		Help: "calls to a number in one cycle of its base; after them it waits for the next cycle"},
	{Name: "rest.days", Default: "30", min: 1,
		Help: "how long a worked base rests, and a number called from one base is kept from cold lists of the others"},
	{Name: "rest.min_days", Default: "30", min: 0,
		Help: "the shortest rest base rest --days may ask for"},
}

// Get reads a setting through get (which says whether a value is stored).
func Get(name string, get func(name string) (string, bool, error)) (int, error) {
	s, ok := Lookup(name)
	if !ok {
		return 0, fmt.Errorf("no setting %q", name)
	}
	v, stored, err := get(name)
	if err != nil {
		return 0, err
	}
	return s.Int(v, stored)
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

// Int reads the stored value (ok) or, when none is stored, the default. A
// stored value that is not valid is an error, never a silent default.
func (s Setting) Int(value string, ok bool) (int, error) {
	if !ok {
		value = s.Default
	}
	if err := s.Check(value); err != nil {
		return 0, fmt.Errorf("stored setting %w\nTry: callbase config set %s %s", err, s.Name, s.Default)
	}
	n, _ := strconv.Atoi(value)
	return n, nil
}
