package lifecycle

import (
	"context"
	"time"

	"github.com/callbase/callbase/internal/store"
)

// Change says when, why and by whom a status is changed by hand or by a
// list (an opt-out list, a validation service's results).
type Change struct {
	At    time.Time
	Cause string // "optout add", "dead import hlr.csv:12", ...
	Actor string
}

// apply records number n when new, lets move change its state, and saves
// the state with move's events when it changed anything.
func apply(ctx context.Context, tx *store.Tx, n store.Number, ch Change, move func(*store.State) []store.Event) (changed bool, err error) {
	if err := tx.EnsureNumber(ctx, n); err != nil {
		return false, err
	}
	s, _, err := tx.State(ctx, n.Key)
	if err != nil {
		return false, err
	}
	events := move(&s)
	if len(events) == 0 {
		return false, nil
	}
	for i := range events {
		events[i].At, events[i].Cause, events[i].Actor = ch.At, ch.Cause, ch.Actor
	}
	return true, tx.SetState(ctx, n.Key, s, events)
}

// OptOut makes the number never callable again. A number the database
// does not know yet is recorded, so a base that brings it later finds it
// opted out.
func OptOut(ctx context.Context, tx *store.Tx, n store.Number, ch Change) (bool, error) {
	return apply(ctx, tx, n, ch, func(s *store.State) []store.Event {
		if !s.OptedOutAt.IsZero() {
			return nil
		}
		s.OptedOutAt = ch.At
		return []store.Event{{What: "opted_out", Detail: "never to be called again"}}
	})
}

// MarkDead marks the number dead for reason.
func MarkDead(ctx context.Context, tx *store.Tx, n store.Number, reason string, ch Change) (bool, error) {
	return apply(ctx, tx, n, ch, func(s *store.State) []store.Event {
		if s.Status == "dead" && s.DeadReason == reason {
			return nil
		}
		s.Status, s.DeadReason = "dead", reason
		return []store.Event{{What: "dead", Detail: reason}}
	})
}

// Unmark brings a dead number back, saying why.
func Unmark(ctx context.Context, tx *store.Tx, n store.Number, why string, ch Change) (bool, error) {
	return apply(ctx, tx, n, ch, func(s *store.State) []store.Event {
		if s.Status != "dead" {
			return nil
		}
		was := s.DeadReason
		s.Status, s.DeadReason = "active", ""
		return []store.Event{{What: "alive", Detail: "was dead (" + was + "): " + why}}
	})
}

// ConsentInForce returns the latest consent event for scope at or before
// now among the events (any order), a withdrawal winning a tie; ok is
// false when there is none, or when it is a grant that expired by now.
func ConsentInForce(events []store.Consent, scope string, now time.Time) (c store.Consent, ok bool) {
	for _, e := range events {
		if e.Scope != scope || e.At.After(now) {
			continue
		}
		// On a tie a withdrawal wins: when in doubt, do not call.
		if !ok || e.At.After(c.At) || (e.At.Equal(c.At) && !e.Granted) {
			c, ok = e, true
		}
	}
	if ok && c.Granted && !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt) {
		return c, false
	}
	return c, ok
}
