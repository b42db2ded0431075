// Package when reads the times people and exports write: RFC 3339, ISO
// dates with or without a time, and the Russian day.month.year.
package when

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// layouts are tried in order on times written without a zone.
var layouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"02.01.2006 15:04:05",
	"02.01.2006 15:04",
	"02.01.2006",
	"2.1.2006 15:04:05",
	"2.1.2006 15:04",
	"2.1.2006",
	"02.01.06 15:04",
	"02.01.06",
}

// ErrBadTime is wrapped by Parse's errors.
var ErrBadTime = errors.New("not a time")

// Years outside these bounds are typos or junk, not call times.
const minYear, maxYear = 1990, 2200

// Parse reads s as a time. A time written with a zone or offset keeps it;
// one without is read in loc. Impossible dates (31.02.2026) are errors.
func Parse(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		return time.Time{}, fmt.Errorf("%w: %.40q… is too long", ErrBadTime, s)
	}
	t, err := parse(s, loc)
	if err != nil {
		return t, err
	}
	if y := t.Year(); y < minYear || y > maxYear {
		return time.Time{}, fmt.Errorf("%w: %q: year %d is out of range", ErrBadTime, s, y)
	}
	return t, nil
}

func parse(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02 15:04:05Z07:00", s); err == nil {
		return t, nil
	}
	for _, layout := range layouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q: want 2026-11-27 14:05, 27.11.2026 14:05 or RFC 3339", ErrBadTime, s)
}
