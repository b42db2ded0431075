package cli

import (
	"encoding/csv"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// exported runs export to stdout at now and returns the numbers of the
// list in order, with their agents.
func exported(t *testing.T, db, now string, args ...string) (numbers, agents []string) {
	t.Helper()
	r := mustRun(t, db, append([]string{"--now", now, "export", "-o", "-"}, args...)...)
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("export output: %v\n%s", err, r.stdout)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	for _, rec := range recs[1:] {
		agents = append(agents, rec[0])
		numbers = append(numbers, rec[1])
	}
	return numbers, agents
}

func callLog(t *testing.T, rows ...string) string {
	return writeFile(t, "log.csv", "Телефон;Время;Результат;Перезвонить\n"+strings.Join(rows, "\n")+"\n")
}

// TestRestCycleScenario drives the whole cycle through the CLI over 70
// days: two overlapping bases, lists for three agents, call results, a
// base worked through and resting, a due callback exported from it, a
// number called from one base kept off the other's cold list, and release.
func TestRestCycleScenario(t *testing.T) {
	db := tempDB(t)
	const (
		anna, boris, vera, gleb, dina = "+79161234567", "+79031234567", "+79261112233", "+79851234567", "+79091112233"
		egor, zhanna                  = "+79201234567", "+79501234567"
	)
	mustRun(t, db, "config", "set", "cycle.max_attempts", "2")
	mustRun(t, db, "--now", "2026-11-02T06:00:00Z", "import", filepath.Join(testdata, "scenario", "a.csv"), "--base", "a")
	mustRun(t, db, "--now", "2026-11-02T06:00:00Z", "import", filepath.Join(testdata, "scenario", "b.csv"), "--base", "b")

	// Day 0, 10:00 in Moscow: base a for three agents, dealt in turn.
	nums, agents := exported(t, db, "2026-11-02T07:00:00Z", "--base", "a", "--agents", "ivanova,petrov,sidorova")
	if want := []string{anna, boris, vera, gleb, dina}; !slices.Equal(nums, want) {
		t.Fatalf("day 0, base a: %v, want %v", nums, want)
	}
	if !slices.Equal(agents, []string{"ivanova", "petrov", "sidorova", "ivanova", "petrov"}) {
		t.Errorf("agents %v", agents)
	}
	// A second list the same day never carries a leased number.
	if nums, _ := exported(t, db, "2026-11-02T07:05:00Z"); !slices.Equal(nums, []string{egor, zhanna}) {
		t.Errorf("day 0, second list: %v, want only b's own numbers", nums)
	}
	mustRun(t, db, "calls", "import", callLog(t,
		anna+";02.11.2026 11:00;Отказ;",
		boris+";02.11.2026 11:10;Продажа;",
		vera+";02.11.2026 11:20;Номер не обслуживается;",
		gleb+";02.11.2026 11:30;Перезвонить;12.11.2026 09:00",
		dina+";02.11.2026 11:40;Недозвон;"))

	// Day 1: only Dina is left to work in a; her second unanswered call
	// reaches the attempt limit and a is worked through.
	if nums, _ := exported(t, db, "2026-11-03T07:00:00Z", "--base", "a"); !slices.Equal(nums, []string{dina}) {
		t.Fatalf("day 1, base a: %v, want only %s", nums, dina)
	}
	r := mustRun(t, db, "--now", "2026-11-03T12:00:00Z", "calls", "import", callLog(t, dina+";03.11.2026 12:00;Занято;"))
	if !strings.Contains(r.stderr, `base "a" is worked through`) {
		t.Errorf("day 1: a not worked through: %s", r.stderr)
	}
	if b := decode[baseJSON](t, mustRun(t, db, "--json", "base", "show", "a").stdout); b.State != "resting" || b.RestUntil != "2026-12-03T12:00:00Z" {
		t.Errorf("base a: %+v", b)
	}

	stats := decode[struct{ Calling calling }](t, mustRun(t, db, "--json", "--now", "2026-11-03T13:00:00Z", "stats").stdout).Calling
	if stats.Resting != 5 || stats.Callable != 2 || stats.ByBase["b"] != 2 || stats.Leased != 0 {
		t.Errorf("stats on day 1: %+v", stats)
	}

	// Day 5, base b: Dina was called from a 2 days ago and is cold, Anna was
	// worked this cycle: neither is on b's list.
	if nums, _ := exported(t, db, "2026-11-07T07:00:00Z", "--base", "b"); !slices.Equal(nums, []string{egor, zhanna}) {
		t.Errorf("day 5, base b: %v, want %v", nums, []string{egor, zhanna})
	}
	why := decode[whyResult](t, mustRun(t, db, "--json", "--now", "2026-11-07T08:00:00Z", "why", dina).stdout)
	if why.Callable || !strings.Contains(whyFact(why, "b", "protection"), "called 2026-11-03 from another base") {
		t.Errorf("why %s on day 5: %+v", dina, why)
	}

	// Day 9: a rests and Gleb's callback is not due: nothing. Day 10: the
	// due callback comes out of the resting base, alone.
	if nums, _ := exported(t, db, "2026-11-11T07:00:00Z", "--base", "a"); len(nums) != 0 {
		t.Errorf("day 9, base a: %v, want nothing", nums)
	}
	if nums, _ := exported(t, db, "2026-11-12T07:00:00Z", "--base", "a"); !slices.Equal(nums, []string{gleb}) {
		t.Errorf("day 10, base a: %v, want the due callback %s", nums, gleb)
	}
	why = decode[whyResult](t, mustRun(t, db, "--json", "--now", "2026-11-12T08:00:00Z", "why", anna).stdout)
	if f := whyFact(why, "a", "rest"); f != "base a resting until 2026-12-03" {
		t.Errorf("why %s on day 10, rest: %q", anna, f)
	}

	// Day 31, before the rest is over: release releases nothing.
	if r := mustRun(t, db, "--json", "--now", "2026-12-03T11:00:00Z", "release"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("release before the end: %s", r.stdout)
	}
	r = mustRun(t, db, "--json", "--now", "2026-12-03T12:00:00Z", "release")
	if rel := decode[[]baseJSON](t, r.stdout); len(rel) != 1 || rel[0].Name != "a" || rel[0].Cycle != 2 {
		t.Errorf("release on day 31: %s", r.stdout)
	}
	if r := mustRun(t, db, "--json", "--now", "2026-12-03T12:05:00Z", "release"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("release again: %s", r.stdout)
	}
	// Cycle 2: Gleb's callback (never called back) first, the customer, then
	// the cold ones, longest since their last call first; dead Vera never.
	nums, _ = exported(t, db, "2026-12-04T07:00:00Z", "--base", "a")
	if want := []string{gleb, boris, anna, dina}; !slices.Equal(nums, want) {
		t.Errorf("day 32, base a: %v, want %v", nums, want)
	}
	// Day 70: the leases of day 5 are long over; b offers its own two (Dina
	// and Anna are done for b's first cycle). A dry run counts, leases nothing.
	r = mustRun(t, db, "--json", "--now", "2027-01-11T07:00:00Z", "export", "--base", "b", "--dry-run")
	if s := decode[exportSummary](t, r.stdout); s.Numbers != 2 || !s.DryRun {
		t.Errorf("day 70, dry run: %+v", s)
	}
	if nums, _ := exported(t, db, "2027-01-11T07:01:00Z", "--base", "b"); !slices.Equal(nums, []string{egor, zhanna}) {
		t.Errorf("day 70, base b: %v", nums)
	}
}

func whyFact(w whyResult, base, rule string) string {
	for _, b := range w.Bases {
		if b.Base != base {
			continue
		}
		for _, v := range b.Verdicts {
			if v.Rule == rule {
				return v.Fact
			}
		}
	}
	return ""
}

// TestExportWindow: at 20:30 in Moscow (and Minsk) it is 03:30 in
// Vladivostok; a 09:00-21:00 window leaves out the Far-East number only.
func TestExportWindow(t *testing.T) {
	db := tempDB(t)
	base := writeFile(t, "base.csv", "Имя;Телефон\nМосква;+79161234567\nВладивосток;+79241234567\nМинск;+375291534879\n")
	mustRun(t, db, "import", base, "--base", "a")
	now := "2026-11-27T17:30:00Z"
	if nums, _ := exported(t, db, now, "--window", "09:00-21:00"); !slices.Equal(nums, []string{"+79161234567", "+375291534879"}) {
		t.Errorf("window 09:00-21:00 at 20:30 Moscow: %v", nums)
	}
	why := decode[whyResult](t, mustRun(t, db, "--json", "--now", now, "why", "+79241234567", "--window", "09:00-21:00").stdout)
	if f := whyFact(why, "a", "window"); f != "local time 03:30 Asia/Vladivostok outside 09:00-21:00" {
		t.Errorf("why window: %q", f)
	}
}

// TestLateResultOfAnOlderList: the result of a call from an expired list,
// arriving after a newer list took the number, neither ends the newer
// lease nor is credited to the newer list's base.
func TestLateResultOfAnOlderList(t *testing.T) {
	db := tempDB(t)
	const n = "+79161234567"
	a := writeFile(t, "a.csv", "Имя;Телефон\nАнна;"+n+"\n")
	b := writeFile(t, "b.csv", "ФИО;Телефон\nАнна;"+n+"\n")
	mustRun(t, db, "--now", "2026-11-02T05:00:00Z", "import", a, "--base", "a")
	mustRun(t, db, "--now", "2026-11-02T05:00:00Z", "import", b, "--base", "b")
	if nums, _ := exported(t, db, "2026-11-02T07:00:00Z", "--base", "a", "--lease", "1h"); !slices.Equal(nums, []string{n}) {
		t.Fatalf("list of a: %v", nums)
	}
	if nums, _ := exported(t, db, "2026-11-02T09:00:00Z", "--base", "b"); !slices.Equal(nums, []string{n}) {
		t.Fatalf("list of b: %v", nums)
	}
	mustRun(t, db, "calls", "add", n, "--outcome", "no_answer", "--at", "2026-11-02T07:30:00Z")
	if nums, _ := exported(t, db, "2026-11-02T09:40:00Z", "--base", "b"); len(nums) != 0 {
		t.Errorf("the number went on a second live list: %v", nums)
	}
	why := decode[whyResult](t, mustRun(t, db, "--json", "--now", "2026-11-02T09:41:00Z", "why", n).stdout)
	if f := whyFact(why, "b", "lease"); !strings.Contains(f, "on the list of base b") {
		t.Errorf("lease after the late result: %q", f)
	}
}

// TestRowWithSeveralNumbers: a limited list is the head of the whole one
// when one row holds several numbers.
func TestRowWithSeveralNumbers(t *testing.T) {
	db := tempDB(t)
	base := writeFile(t, "base.csv", "Имя;Телефон;Доп;Ещё\nАнна;+79162222222;+79163333333;+79161111111\n")
	mustRun(t, db, "import", base, "--base", "a")
	whole, _ := exported(t, db, "2026-11-27T08:00:00Z", "--dry-run=false", "--lease", "1m")
	head, _ := exported(t, db, "2026-11-27T09:00:00Z", "--limit", "1")
	if len(whole) != 3 || !slices.Equal(head, whole[:1]) {
		t.Errorf("whole %v, limit 1 %v", whole, head)
	}
}

// TestWithdrawnConsentLetsBaseRest: a number whose consent is withdrawn is
// never listed, so it does not keep its base from resting.
func TestWithdrawnConsentLetsBaseRest(t *testing.T) {
	db := tempDB(t)
	base := writeFile(t, "base.csv", "Имя;Телефон\nАнна;+79161234567\nБорис;+79031234567\n")
	mustRun(t, db, "--now", "2026-11-02", "import", base, "--base", "a")
	mustRun(t, db, "--now", "2026-11-02", "consent", "withdraw", "+79031234567", "--scope", "ads")
	r := mustRun(t, db, "--now", "2026-11-03", "calls", "add", "+79161234567", "--outcome", "refused", "--at", "2026-11-03 10:00")
	if !strings.Contains(r.stderr, `base "a" is worked through`) {
		t.Errorf("a did not rest: %s", r.stderr)
	}
}

func TestExportRefusals(t *testing.T) {
	db := tempDB(t)
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a")
	dir := t.TempDir()
	before := dump(t, db)
	for _, args := range [][]string{
		{"export", "-o", dir},
		{"export", "-o", "-", "--agents", "ivanova,ivanova"},
		{"export", "-o", "-", "--per-agent", "3"},
		{"export", "-o", "-", "--window", "9-21"},
		{"export", "-o", "list.pdf"},
	} {
		if r := runCLI(t, db, args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2; %s", args, r.code, r.stderr)
		}
	}
	if dump(t, db) != before {
		t.Error("a refused export leased numbers")
	}
}
