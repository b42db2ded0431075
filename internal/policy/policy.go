// Package policy decides what may be called at an instant, and says why:
// every rule gives a verdict with the fact behind it. Export and why use
// the same rules, so a list and its explanation never disagree. Pure
// functions: time comes in as a value.
package policy

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/callbase/callbase/internal/outcome"
)

// Base is what the rules need of the base a number is exported from.
type Base struct {
	ID             int64
	Name           string
	State          string // active, resting, archived
	RestUntil      time.Time
	CycleStartedAt time.Time
	Temperature    string // cold, warm, hot
}

// Number is what the rules need of one number in one base.
type Number struct {
	Key          uint64
	Status       string // active, dead
	DeadReason   string
	Temperature  string // cold, warm, hot, customer
	CallbackAt   time.Time
	OptedOutAt   time.Time
	LastCallAt   time.Time
	LastOutcome  string
	LastCallBase int64 // the base whose list the last call came from; 0 unknown
	Attempts     int   // calls since the base's cycle started
	Zones        []string
	LeaseUntil   time.Time // a live lease when after now
	LeaseBase    string
	Consent      map[string]Consent // scope -> the consent event in force
}

// Consent is the consent event in force for a scope.
type Consent struct {
	Granted bool
	At      time.Time
}

// Request is what a call list asks for.
type Request struct {
	Now            time.Time
	DueBy          time.Time     // callbacks promised until then are due
	Window         *Window       // nil: any hour
	UnknownZone    bool          // include numbers whose zone is unknown
	RequireConsent string        // "ads": only numbers with that consent
	MaxAttempts    int           // attempts in a cycle before a number is left for the next
	Protect        time.Duration // a number called from another base rests this long as a cold one
}

// Verdict is one rule's decision on a number, with the fact behind it.
type Verdict struct {
	Rule string `json:"rule"`
	OK   bool   `json:"ok"`
	Fact string `json:"fact"`
}

// Check applies every rule to n exported from b and returns the verdicts,
// in a fixed order. The number is callable when all are OK.
func Check(n Number, b Base, r Request) []Verdict {
	j := judge{explain: true}
	j.check(n, b, r)
	return j.v
}

// Allowed tells whether n may be exported from b: Check without writing
// out the facts, for lists of millions.
func Allowed(n Number, b Base, r Request) bool {
	var j judge
	j.check(n, b, r)
	return !j.failed
}

// judge collects verdicts; the facts are written only when explaining.
type judge struct {
	explain bool
	failed  bool
	v       []Verdict
}

func (j *judge) add(rule string, ok bool, format string, args ...any) {
	if !ok {
		j.failed = true
	}
	if j.explain {
		j.v = append(j.v, Verdict{Rule: rule, OK: ok, Fact: fmt.Sprintf(format, args...)})
	}
}

func (j *judge) check(n Number, b Base, r Request) {
	due := n.Due(r)
	add := j.add
	if n.Status == "dead" {
		add("status", false, "dead: %s", n.DeadReason)
	} else {
		add("status", true, "active")
	}
	if !n.OptedOutAt.IsZero() {
		add("opt_out", false, "opted out since %s", day(n.OptedOutAt))
	} else {
		add("opt_out", true, "not opted out")
	}
	j.consent(n, r)
	if n.LeaseUntil.After(r.Now) {
		add("lease", false, "on the list of base %s until %s", n.LeaseBase, stamp(n.LeaseUntil))
	} else {
		add("lease", true, "on no live list")
	}
	switch {
	case b.State == "archived":
		add("rest", false, "base %s is archived", b.Name)
	case b.State == "resting" && due:
		add("rest", true, "base %s resting until %s, but a callback is due %s", b.Name, day(b.RestUntil), stamp(n.CallbackAt))
	case b.State == "resting":
		add("rest", false, "base %s resting until %s", b.Name, day(b.RestUntil))
	default:
		add("rest", true, "base %s active, cycle started %s", b.Name, day(b.CycleStartedAt))
	}
	final := n.LastOutcome != "" && !n.LastCallAt.Before(b.CycleStartedAt) && Final(outcome.Outcome(n.LastOutcome))
	switch {
	case due:
		add("cycle", true, "callback due %s", stamp(n.CallbackAt))
	case !n.CallbackAt.IsZero():
		add("cycle", false, "callback promised for %s, not due yet", stamp(n.CallbackAt))
	case final:
		add("cycle", false, "worked this cycle: %s on %s", n.LastOutcome, day(n.LastCallAt))
	case r.MaxAttempts > 0 && n.Attempts >= r.MaxAttempts:
		add("cycle", false, "%d attempts this cycle, the limit is %d", n.Attempts, r.MaxAttempts)
	default:
		add("cycle", true, "%d attempts this cycle", n.Attempts)
	}
	temp := Effective(n.Temperature, b.Temperature)
	calledElsewhere := !n.LastCallAt.IsZero() && n.LastCallBase != b.ID && r.Now.Sub(n.LastCallAt) < r.Protect
	if calledElsewhere && temp == "cold" && !due {
		add("protection", false, "called %s from another base; a cold number rests %d days", day(n.LastCallAt), int(r.Protect.Hours()/24))
	} else {
		add("protection", true, "not called from another base within %d days", int(r.Protect.Hours()/24))
	}
	j.window(n, r)
}

// Callable tells whether every verdict is OK.
func Callable(v []Verdict) bool {
	for _, x := range v {
		if !x.OK {
			return false
		}
	}
	return true
}

// Due tells whether a promised callback falls due by the request's DueBy.
func (n Number) Due(r Request) bool {
	return !n.CallbackAt.IsZero() && !n.CallbackAt.After(r.DueBy)
}

// Final tells the outcomes that end a number's work for the cycle.
func Final(o outcome.Outcome) bool {
	switch o {
	case outcome.NoAnswer, outcome.Busy, outcome.Voicemail, outcome.Callback:
		return false
	}
	return true
}

var rank = map[string]int{"cold": 0, "warm": 1, "hot": 2, "customer": 3}

// Effective is the warmer of a number's and its base's temperature.
func Effective(number, base string) string {
	if rank[base] > rank[number] {
		return base
	}
	return number
}

// Class orders a list: due callbacks (0), then hot and customers (1),
// warm (2), cold (3).
func Class(n Number, b Base, r Request) int {
	if n.Due(r) {
		return 0
	}
	switch Effective(n.Temperature, b.Temperature) {
	case "hot", "customer":
		return 1
	case "warm":
		return 2
	}
	return 3
}

func (j *judge) consent(n Number, r Request) {
	for _, scope := range []string{"ads", "pd"} {
		if c, ok := n.Consent[scope]; ok && !c.Granted {
			j.add("consent", false, "%s consent withdrawn on %s", scope, day(c.At))
			return
		}
	}
	if r.RequireConsent != "" {
		c, ok := n.Consent[r.RequireConsent]
		if !ok || !c.Granted {
			j.add("consent", false, "no %s consent in force, and the list requires it", r.RequireConsent)
			return
		}
		j.add("consent", true, "%s consent given on %s", r.RequireConsent, day(c.At))
		return
	}
	j.add("consent", true, "no consent withdrawn")
}

func (j *judge) window(n Number, r Request) {
	if r.Window == nil {
		j.add("window", true, "no calling window asked")
		return
	}
	if len(n.Zones) == 0 {
		if r.UnknownZone {
			j.add("window", true, "time zone unknown, included as asked")
			return
		}
		j.add("window", false, "time zone unknown: local time cannot be checked against %s", r.Window)
		return
	}
	var times []string
	for _, z := range n.Zones {
		loc, err := location(z)
		if err != nil {
			j.add("window", false, "unknown time zone %s", z)
			return
		}
		local := r.Now.In(loc)
		if !r.Window.Contains(local) {
			j.add("window", false, "local time %s %s outside %s", local.Format("15:04"), z, r.Window)
			return
		}
		if j.explain {
			times = append(times, local.Format("15:04")+" "+z)
		}
	}
	j.add("window", true, "local time %s inside %s", strings.Join(times, ", "), r.Window)
}

// locations caches time zones: loading one reads and parses tzdata.
var locations sync.Map // name -> *time.Location

func location(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, l)
	return l, nil
}

// day and stamp write a time out when a fact is, not when a rule is
// judged: Allowed judges millions of numbers and writes no fact.
type (
	day   time.Time
	stamp time.Time
)

func (d day) String() string   { return time.Time(d).UTC().Format("2006-01-02") }
func (s stamp) String() string { return time.Time(s).UTC().Format("2006-01-02 15:04 UTC") }
