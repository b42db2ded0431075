package policy

import (
	"strings"
	"testing"
	"time"
)

var (
	now  = time.Date(2026, 11, 27, 17, 30, 0, 0, time.UTC) // 20:30 in Moscow, 03:30 next day in Vladivostok
	base = Base{ID: 1, Name: "a", State: "active", CycleStartedAt: now.AddDate(0, 0, -10), Temperature: "cold"}
	req  = Request{Now: now, DueBy: now.Add(3 * time.Hour), MaxAttempts: 6, Protect: 30 * 24 * time.Hour}
	cold = Number{Key: 79161234567, Status: "active", Temperature: "cold", Zones: []string{"Europe/Moscow"}}
)

// failed returns the rules that refuse n, with their facts.
func failed(n Number, b Base, r Request) []string {
	var out []string
	for _, v := range Check(n, b, r) {
		if !v.OK {
			out = append(out, v.Rule+": "+v.Fact)
		}
	}
	return out
}

func TestCheck(t *testing.T) {
	day := 24 * time.Hour
	resting := base
	resting.State, resting.RestUntil = "resting", now.AddDate(0, 0, 20)
	withdrawn := cold
	withdrawn.Consent = map[string]Consent{"ads": {Granted: false, At: now.Add(-day)}}
	granted := cold
	granted.Consent = map[string]Consent{"ads": {Granted: true, At: now.Add(-day)}}
	mod := func(f func(*Number)) Number { n := cold; f(&n); return n }
	for _, c := range []struct {
		name string
		n    Number
		b    Base
		r    Request
		want string // the first refusing rule and a piece of its fact; "" callable
	}{
		{"cold, fresh", cold, base, req, ""},
		{"dead", mod(func(n *Number) { n.Status, n.DeadReason = "dead", "unreachable" }), base, req, "status: dead: unreachable"},
		{"opted out", mod(func(n *Number) { n.OptedOutAt = now.Add(-day) }), base, req, "opt_out: opted out since 2026-11-26"},
		{"ads withdrawn", withdrawn, base, req, "consent: ads consent withdrawn"},
		{"pd withdrawn", mod(func(n *Number) { n.Consent = map[string]Consent{"pd": {At: now}} }), base, req, "consent: pd consent withdrawn"},
		{"consent required, none", cold, base, Request{Now: now, RequireConsent: "ads"}, "consent: no ads consent"},
		{"consent required, given", granted, base, Request{Now: now, RequireConsent: "ads"}, ""},
		{"leased", mod(func(n *Number) { n.LeaseUntil, n.LeaseBase = now.Add(time.Hour), "b" }), base, req, "lease: on the list of base b"},
		{"lease over", mod(func(n *Number) { n.LeaseUntil = now }), base, req, ""},
		{"resting base", cold, resting, req, "rest: base a resting until 2026-12-17"},
		{"resting base, callback due", mod(func(n *Number) { n.CallbackAt = now.Add(time.Hour) }), resting, req, ""},
		{"resting base, callback later", mod(func(n *Number) { n.CallbackAt = now.Add(5 * time.Hour) }), resting, req, "rest:"},
		{"callback not due yet", mod(func(n *Number) { n.CallbackAt = now.Add(5 * time.Hour) }), base, req, "cycle: callback promised for 2026-11-27 22:30 UTC, not due yet"},
		{"archived", cold, Base{Name: "old", State: "archived"}, req, "rest: base old is archived"},
		{"refused this cycle", mod(func(n *Number) { n.LastOutcome, n.LastCallAt, n.LastCallBase = "refused", now.Add(-day), 1 }), base, req, "cycle: worked this cycle: refused"},
		{"refused last cycle", mod(func(n *Number) { n.LastOutcome, n.LastCallAt, n.LastCallBase = "refused", now.AddDate(0, 0, -40), 1 }), base, req, ""},
		{"5 attempts", mod(func(n *Number) {
			n.Attempts, n.LastOutcome, n.LastCallAt, n.LastCallBase = 5, "no_answer", now.Add(-day), 1
		}), base, req, ""},
		{"6 attempts", mod(func(n *Number) {
			n.Attempts, n.LastOutcome, n.LastCallAt, n.LastCallBase = 6, "no_answer", now.Add(-day), 1
		}), base, req, "cycle: 6 attempts this cycle"},
		{"called from another base", mod(func(n *Number) { n.LastOutcome, n.LastCallAt, n.LastCallBase = "no_answer", now.AddDate(0, 0, -29), 2 }), base, req, "protection: called 2026-10-29 from another base"},
		{"called from another base 31 days ago", mod(func(n *Number) { n.LastOutcome, n.LastCallAt, n.LastCallBase = "no_answer", now.AddDate(0, 0, -31), 2 }), base, req, ""},
		{"warm, called from another base", mod(func(n *Number) {
			n.Temperature, n.LastOutcome, n.LastCallAt, n.LastCallBase = "warm", "no_answer", now.Add(-day), 2
		}), base, req, ""},
		{"window, Moscow 20:30", cold, base, Request{Now: now, Window: &Window{9 * 60, 21 * 60}}, ""},
		{"window, Vladivostok 03:30", mod(func(n *Number) { n.Zones = []string{"Asia/Vladivostok"} }), base, Request{Now: now, Window: &Window{9 * 60, 21 * 60}},
			"window: local time 03:30 Asia/Vladivostok outside 09:00-21:00"},
		{"window, a range over two zones", mod(func(n *Number) { n.Zones = []string{"Europe/Moscow", "Asia/Vladivostok"} }), base, Request{Now: now, Window: &Window{9 * 60, 21 * 60}}, "window: local time 03:30"},
		{"window, zone unknown", mod(func(n *Number) { n.Zones = nil }), base, Request{Now: now, Window: &Window{9 * 60, 21 * 60}}, "window: time zone unknown"},
		{"window, zone unknown, included", mod(func(n *Number) { n.Zones = nil }), base, Request{Now: now, Window: &Window{9 * 60, 21 * 60}, UnknownZone: true}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := failed(c.n, c.b, c.r)
			switch {
			case c.want == "" && len(f) > 0:
				t.Errorf("refused: %v", f)
			case c.want != "" && (len(f) == 0 || !strings.HasPrefix(f[0], c.want)):
				t.Errorf("refusals %v, want first %q", f, c.want)
			}
		})
	}
}

func TestCheckGivesEveryRule(t *testing.T) {
	var rules []string
	for _, v := range Check(cold, base, req) {
		rules = append(rules, v.Rule)
	}
	if got := strings.Join(rules, ","); got != "status,opt_out,consent,lease,rest,cycle,protection,window" {
		t.Errorf("rules %s", got)
	}
}

func TestClass(t *testing.T) {
	due := cold
	due.CallbackAt = now
	warm := cold
	warm.Temperature = "warm"
	hotBase := base
	hotBase.Temperature = "hot"
	for _, c := range []struct {
		n    Number
		b    Base
		want int
	}{{due, base, 0}, {cold, hotBase, 1}, {warm, base, 2}, {cold, base, 3}} {
		if got := Class(c.n, c.b, req); got != c.want {
			t.Errorf("Class(%+v, %s) = %d, want %d", c.n.Temperature, c.b.Temperature, got, c.want)
		}
	}
}

func TestWindow(t *testing.T) {
	for _, c := range []struct {
		w    string
		at   string
		want bool
	}{
		{"09:00-21:00", "09:00", true}, {"09:00-21:00", "20:59", true}, {"09:00-21:00", "21:00", false}, {"09:00-21:00", "08:59", false},
		{"22:00-02:00", "23:30", true}, {"22:00-02:00", "01:59", true}, {"22:00-02:00", "02:00", false}, {"22:00-02:00", "12:00", false},
	} {
		w, err := ParseWindow(c.w)
		if err != nil {
			t.Fatal(err)
		}
		at, _ := time.Parse("15:04", c.at)
		if got := w.Contains(at); got != c.want {
			t.Errorf("%s contains %s = %v", c.w, c.at, got)
		}
	}
	for _, bad := range []string{"", "9-21", "09:00", "09:00-09:00", "25:00-26:00", "ab:cd-ef:gh"} {
		if _, err := ParseWindow(bad); err == nil {
			t.Errorf("ParseWindow(%q) accepted", bad)
		}
	}
}

// BenchmarkAllowed: a plain callable cold number, as a list judges
// millions of them.
func BenchmarkAllowed(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if !Allowed(cold, base, req) {
			b.Fatal("not allowed")
		}
	}
}
