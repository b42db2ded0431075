// Package lifecycle moves a number's status as calls and people report on
// it: dead, unreachable, warm, customer, opted out, detached from a wrong
// person, due for a callback. AfterCall is the pure rule; Record applies it
// inside a store transaction.
package lifecycle

import (
	"context"
	"fmt"
	"time"

	"github.com/callbase/callbase/internal/outcome"
	"github.com/callbase/callbase/internal/settings"
	"github.com/callbase/callbase/internal/store"
)

// Rules are the thresholds of the unreachable rule.
type Rules struct {
	UnreachableAttempts int           // unanswered calls in a row
	UnreachableSpan     time.Duration // that span at least this long
}

// Reasons a number is dead for.
const (
	NotInService = "not_in_service"
	Unreachable  = "unreachable"
)

// LoadRules reads the thresholds from the database's settings.
func LoadRules(ctx context.Context, tx *store.Tx) (Rules, error) {
	get := func(name string) (int, error) {
		s, _ := settings.Lookup(name)
		v, ok, err := tx.Setting(ctx, name)
		if err != nil {
			return 0, err
		}
		return s.Int(v, ok)
	}
	attempts, err := get("dead.unreachable_attempts")
	if err != nil {
		return Rules{}, err
	}
	days, err := get("dead.unreachable_days")
	return Rules{UnreachableAttempts: attempts, UnreachableSpan: time.Duration(days) * 24 * time.Hour}, err
}

// AfterCall returns the state after call c and the events that explain the
// change. recent holds the number's latest calls, newest first, c among
// them, at least as many as the unreachable rule counts.
func AfterCall(s store.State, c store.Call, recent []store.Call, r Rules) (store.State, []store.Event) {
	var events []store.Event
	change := func(what, detail string) {
		events = append(events, store.Event{At: c.At, What: what, Detail: detail})
	}
	o := outcome.Outcome(c.Outcome)
	switch o {
	case outcome.NotInService:
		if s.Status != "dead" {
			s.Status, s.DeadReason = "dead", NotInService
			change("dead", NotInService)
		}
	case outcome.DoNotCall:
		if s.OptedOutAt.IsZero() {
			s.OptedOutAt = c.At
			change("opted_out", "asked not to be called")
		}
	case outcome.Interested, outcome.Callback:
		if s.Temperature == "cold" {
			s.Temperature = "warm"
			change("temperature", "cold -> warm")
		}
	case outcome.Sale:
		if s.Temperature != "customer" {
			change("temperature", s.Temperature+" -> customer")
			s.Temperature = "customer"
		}
	case outcome.WrongNumber:
		if s.DetachedAt.IsZero() {
			s.DetachedAt = c.At
			change("detached", "reached someone else: the rows' person is not this number's")
		}
	}
	// Only the newest call speaks for the number's present: a call older
	// than others, imported late, leaves the callback and deadness alone.
	newest := len(recent) > 0 && recent[0].At.Equal(c.At) && recent[0].Outcome == c.Outcome
	// Someone answered: a number dead only for going unanswered lives.
	if newest && !o.Unanswered() && o != outcome.NotInService && s.Status == "dead" && s.DeadReason == Unreachable {
		s.Status, s.DeadReason = "active", ""
		change("alive", "answered after being unreachable")
	}
	// The newest call decides the callback: a later call of any kind
	// means the promised one happened or was replaced.
	if newest {
		var due time.Time
		if o == outcome.Callback {
			due = c.CallbackAt
		}
		if !due.Equal(s.CallbackAt) {
			detail := "cleared"
			if !due.IsZero() {
				detail = "due " + due.UTC().Format(time.RFC3339)
			}
			s.CallbackAt = due
			change("callback", detail)
		}
	}
	if o.Unanswered() && s.Status == "active" {
		if run, span := unansweredRun(recent); run >= r.UnreachableAttempts && span >= r.UnreachableSpan {
			s.Status, s.DeadReason = "dead", Unreachable
			change("dead", fmt.Sprintf("%s: %d unanswered calls in a row over %.1f days", Unreachable, run, span.Hours()/24))
		}
	}
	return s, events
}

// unansweredRun counts the unanswered calls at the head of recent and the
// time between the first and the last of them.
func unansweredRun(recent []store.Call) (int, time.Duration) {
	n := 0
	for n < len(recent) && outcome.Outcome(recent[n].Outcome).Unanswered() {
		n++
	}
	if n == 0 {
		return 0, 0
	}
	return n, recent[0].At.Sub(recent[n-1].At)
}

// Record stores call c of number n (recording the number when new) and
// moves its status. added is false when the same call was stored before:
// then nothing changes.
func Record(ctx context.Context, tx *store.Tx, n store.Number, c store.Call, r Rules) (added bool, err error) {
	// The store keeps whole seconds: compare what it will give back.
	c.At, c.CallbackAt = c.At.Truncate(time.Second), c.CallbackAt.Truncate(time.Second)
	if err := tx.EnsureNumber(ctx, n); err != nil {
		return false, err
	}
	if added, err = tx.AddCall(ctx, n.Key, c); err != nil || !added {
		return added, err
	}
	s, _, err := tx.State(ctx, n.Key)
	if err != nil {
		return true, err
	}
	recent, err := tx.RecentCalls(ctx, n.Key, recentCalls)
	if err != nil {
		return true, err
	}
	next, events := AfterCall(s, c, recent, r)
	if len(events) == 0 {
		return true, nil
	}
	for i := range events {
		events[i].Cause = fmt.Sprintf("call %s %s (%s)", c.At.UTC().Format("2006-01-02 15:04"), c.Outcome, c.Source)
		events[i].Actor = c.Agent
		if events[i].Actor == "" {
			events[i].Actor = "callbase"
		}
	}
	return true, tx.SetState(ctx, n.Key, next, events)
}

// recentCalls is how many of a number's latest calls the rules look at: a
// run of unanswered calls longer than this is measured over its latest.
const recentCalls = 256
