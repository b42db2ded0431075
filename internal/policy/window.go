package policy

import (
	"fmt"
	"strings"
	"time"
)

// Window is a span of local time of day, HH:MM-HH:MM; it may pass
// midnight (22:00-02:00).
type Window struct {
	From, To int // minutes since midnight
}

// ParseWindow reads HH:MM-HH:MM.
func ParseWindow(s string) (*Window, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return nil, fmt.Errorf("window %q: want HH:MM-HH:MM, such as 09:00-21:00", s)
	}
	f, err1 := clock(from)
	t, err2 := clock(to)
	if err1 != nil || err2 != nil || f == t {
		return nil, fmt.Errorf("window %q: want HH:MM-HH:MM, such as 09:00-21:00", s)
	}
	return &Window{From: f, To: t}, nil
}

func clock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Contains tells whether the local time t lies in the window, the start
// included and the end not.
func (w *Window) Contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if w.From < w.To {
		return m >= w.From && m < w.To
	}
	return m >= w.From || m < w.To
}

func (w *Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.From/60, w.From%60, w.To/60, w.To%60)
}
