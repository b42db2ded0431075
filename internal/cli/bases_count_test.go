package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestBaseListCallable follows the callable counts of base list and base
// show through a scenario whose counts are known by hand: base a holds
// Anna, Boris, Vera, Gleb, Dina; base b holds Dina, Anna, Egor, Zhanna.
func TestBaseListCallable(t *testing.T) {
	db := tempDB(t)
	const (
		anna, boris, vera, gleb, dina = "+79161234567", "+79031234567", "+79261112233", "+79851234567", "+79091112233"
		egor                          = "+79201234567"
	)
	mustRun(t, db, "--now", "2026-11-02T06:00:00Z", "import", filepath.Join(testdata, "scenario", "a.csv"), "--base", "a")
	mustRun(t, db, "--now", "2026-11-02T06:00:00Z", "import", filepath.Join(testdata, "scenario", "b.csv"), "--base", "b")
	steps := []struct {
		what string
		args []string // run at now before counting; none: count only
		a, b int
	}{
		{"as imported", nil, 5, 4},
		{"Boris opts out", []string{"optout", "add", boris}, 4, 4},
		{"Vera is dead", []string{"dead", "mark", vera, "--reason", "test"}, 3, 4},
		{"Egor withdraws ads consent", []string{"consent", "withdraw", egor, "--scope", "ads"}, 3, 3},
		// b's list of one takes its first row's number, Dina, who is in a too.
		{"Dina is leased", []string{"export", "-o", "-", "--base", "b", "--limit", "1"}, 2, 2},
		{"a rests", []string{"base", "rest", "a"}, 0, 2},
		// A due callback comes out of a resting base; Gleb is not in b.
		{"Gleb asks for a callback today", []string{"calls", "add", gleb, "--outcome", "callback", "--callback", "2026-11-02 16:00"}, 1, 2},
		{"Anna refuses", []string{"calls", "add", anna, "--outcome", "refused"}, 1, 1},
	}
	const now = "2026-11-02T09:00:00Z" // 12:00 in Moscow
	for _, s := range steps {
		if s.args != nil {
			r := mustRun(t, db, append([]string{"--now", now}, s.args...)...)
			if s.args[0] == "export" && !strings.Contains(r.stdout, dina) {
				t.Fatalf("%s: the list is not Dina's: %s", s.what, r.stdout)
			}
		}
		list := decode[[]baseJSON](t, mustRun(t, db, "--json", "--now", now, "base", "list").stdout)
		got := map[string]int{}
		for _, b := range list {
			if b.Callable == nil {
				t.Fatalf("%s: base %s has no callable count", s.what, b.Name)
			}
			got[b.Name] = *b.Callable
		}
		if got["a"] != s.a || got["b"] != s.b || len(got) != 2 {
			t.Errorf("%s: base list callable %v, want a %d, b %d", s.what, got, s.a, s.b)
		}
		for name, want := range map[string]int{"a": s.a, "b": s.b} {
			b := decode[baseJSON](t, mustRun(t, db, "--json", "--now", now, "base", "show", name).stdout)
			if b.Callable == nil || *b.Callable != want {
				t.Errorf("%s: base show %s: %+v, want %d callable", s.what, name, b, want)
			}
			text := mustRun(t, db, "--now", now, "base", "show", name).stdout
			if !strings.Contains(text, fmt.Sprintf(" %d callable,", want)) {
				t.Errorf("%s: base show %s: %q, want %d callable", s.what, name, text, want)
			}
		}
		// export --dry-run of each base alone agrees.
		for name, want := range map[string]int{"a": s.a, "b": s.b} {
			r := mustRun(t, db, "--json", "--now", now, "export", "--base", name, "--dry-run")
			if sum := decode[exportSummary](t, r.stdout); sum.Numbers != want {
				t.Errorf("%s: export --base %s --dry-run: %d numbers, base list says %d", s.what, name, sum.Numbers, want)
			}
		}
	}
}
