package lifecycle

import (
	"testing"
	"time"

	"github.com/callbase/callbase/internal/store"
)

var (
	t0    = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	day   = 24 * time.Hour
	rules = Rules{UnreachableAttempts: 6, UnreachableSpan: 14 * day}
	fresh = store.State{Status: "active", Temperature: "cold"}
)

// run returns n calls of outcome o spread evenly over span, newest first.
func run(o string, n int, span time.Duration) []store.Call {
	calls := make([]store.Call, n)
	for i := range n {
		at := t0
		if n > 1 {
			at = t0.Add(span * time.Duration(n-1-i) / time.Duration(n-1))
		}
		calls[i] = store.Call{At: at, Outcome: o}
	}
	return calls
}

func TestUnreachableBoundaries(t *testing.T) {
	for _, c := range []struct {
		name     string
		recent   []store.Call
		wantDead bool
	}{
		{"5 over 20 days", run("no_answer", 5, 20*day), false},
		{"6 over 14 days", run("no_answer", 6, 14*day), true},
		{"6 over 13 days 23 h", run("no_answer", 6, 14*day-time.Hour), false},
		{"6 over 13 days", run("busy", 6, 13*day), false},
		{"6 mixed over 14 days", []store.Call{{At: t0.Add(14 * day), Outcome: "busy"}, {At: t0.Add(10 * day), Outcome: "voicemail"},
			{At: t0.Add(9 * day), Outcome: "no_answer"}, {At: t0.Add(5 * day), Outcome: "busy"}, {At: t0.Add(day), Outcome: "voicemail"},
			{At: t0, Outcome: "no_answer"}}, true},
		{"6 unanswered after an answer", append(run("no_answer", 6, 14*day), store.Call{At: t0.Add(-day), Outcome: "answered"}), true},
		{"an answer breaks the run", append(append(run("no_answer", 3, 0), store.Call{At: t0.Add(-day), Outcome: "refused"}), run("no_answer", 3, 0)...), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, events := AfterCall(fresh, c.recent[0], c.recent, rules)
			if dead := got.Status == "dead" && got.DeadReason == Unreachable; dead != c.wantDead {
				t.Errorf("dead = %v (%+v, events %+v), want %v", dead, got, events, c.wantDead)
			}
			if c.wantDead && (len(events) != 1 || events[0].What != "dead") {
				t.Errorf("events %+v, want one 'dead'", events)
			}
		})
	}
}

func TestOutcomesMoveTheNumber(t *testing.T) {
	cb := t0.Add(2 * day)
	for _, c := range []struct {
		outcome string
		from    store.State
		want    store.State
		events  []string
	}{
		{"not_in_service", fresh, store.State{Status: "dead", DeadReason: NotInService, Temperature: "cold"}, []string{"dead"}},
		{"do_not_call", fresh, store.State{Status: "active", Temperature: "cold", OptedOutAt: t0}, []string{"opted_out"}},
		{"interested", fresh, store.State{Status: "active", Temperature: "warm"}, []string{"temperature"}},
		{"callback", fresh, store.State{Status: "active", Temperature: "warm", CallbackAt: cb}, []string{"temperature", "callback"}},
		{"sale", store.State{Status: "active", Temperature: "warm"}, store.State{Status: "active", Temperature: "customer"}, []string{"temperature"}},
		{"wrong_number", fresh, store.State{Status: "active", Temperature: "cold", DetachedAt: t0}, []string{"detached"}},
		{"answered", store.State{Status: "dead", DeadReason: Unreachable, Temperature: "cold"}, fresh, []string{"alive"}},
		{"answered", store.State{Status: "dead", DeadReason: NotInService, Temperature: "cold"}, store.State{Status: "dead", DeadReason: NotInService, Temperature: "cold"}, nil},
		{"answered", store.State{Status: "active", Temperature: "warm", CallbackAt: cb}, store.State{Status: "active", Temperature: "warm"}, []string{"callback"}},
		{"interested", store.State{Status: "active", Temperature: "customer"}, store.State{Status: "active", Temperature: "customer"}, nil},
		{"no_answer", fresh, fresh, nil},
	} {
		call := store.Call{At: t0, Outcome: c.outcome}
		if c.outcome == "callback" {
			call.CallbackAt = cb
		}
		got, events := AfterCall(c.from, call, []store.Call{call}, rules)
		if got != c.want {
			t.Errorf("%s from %+v: %+v, want %+v", c.outcome, c.from, got, c.want)
		}
		var what []string
		for _, e := range events {
			what = append(what, e.What)
		}
		if len(what) != len(c.events) || (len(what) > 0 && what[0] != c.events[0]) || (len(what) > 1 && what[1] != c.events[1]) {
			t.Errorf("%s from %+v: events %v, want %v", c.outcome, c.from, what, c.events)
		}
	}
}

// TestOlderCallLeavesCallback: a call imported late, older than the
// latest, does not clear or set the callback the latest decided.
func TestOlderCallLeavesCallback(t *testing.T) {
	cb := t0.Add(2 * day)
	s := store.State{Status: "active", Temperature: "warm", CallbackAt: cb}
	latest := store.Call{At: t0, Outcome: "callback", CallbackAt: cb}
	older := store.Call{At: t0.Add(-day), Outcome: "answered"}
	got, events := AfterCall(s, older, []store.Call{latest, older}, rules)
	if got != s || len(events) != 0 {
		t.Errorf("older call changed %+v to %+v (%v)", s, got, events)
	}
}

// TestOlderAnswerLeavesUnreachable: an answered call older than the run of
// unanswered ones, imported late, does not bring the number back.
func TestOlderAnswerLeavesUnreachable(t *testing.T) {
	s := store.State{Status: "dead", DeadReason: Unreachable, Temperature: "cold"}
	recent := run("no_answer", 6, 15*day)
	older := store.Call{At: t0.Add(-30 * day), Outcome: "answered"}
	got, events := AfterCall(s, older, append(recent, older), rules)
	if got != s || len(events) != 0 {
		t.Errorf("an old answer changed %+v to %+v (%v)", s, got, events)
	}
}

func TestConsentInForce(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) }
	grant := func(at time.Time) store.Consent { return store.Consent{Scope: "ads", Granted: true, At: at} }
	withdraw := func(at time.Time) store.Consent { return store.Consent{Scope: "ads", At: at} }
	expiring := store.Consent{Scope: "ads", Granted: true, At: d(1), ExpiresAt: d(10)}
	for _, c := range []struct {
		name    string
		events  []store.Consent
		now     time.Time
		granted bool
		ok      bool
	}{
		{"none", nil, d(5), false, false},
		{"granted", []store.Consent{grant(d(1))}, d(5), true, true},
		{"not yet", []store.Consent{grant(d(6))}, d(5), false, false},
		{"withdrawn later", []store.Consent{grant(d(1)), withdraw(d(3))}, d(5), false, true},
		{"granted again", []store.Consent{withdraw(d(3)), grant(d(4))}, d(5), true, true},
		{"tie: withdrawal first", []store.Consent{withdraw(d(3)), grant(d(3))}, d(5), false, true},
		{"tie: grant first", []store.Consent{grant(d(3)), withdraw(d(3))}, d(5), false, true},
		{"other scope", []store.Consent{{Scope: "pd", Granted: true, At: d(1)}}, d(5), false, false},
		{"before expiry", []store.Consent{expiring}, d(9), true, true},
		{"expired", []store.Consent{expiring}, d(10), true, false},
	} {
		got, ok := ConsentInForce(c.events, "ads", c.now)
		if ok != c.ok || (ok && got.Granted != c.granted) {
			t.Errorf("%s: %+v, %v; want granted %v, ok %v", c.name, got, ok, c.granted, c.ok)
		}
	}
}
