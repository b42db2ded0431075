package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbase/callbase/internal/spreadsheet"
)

// historyOf returns history --json of a number.
func historyOf(t *testing.T, db, number string) historyJSON {
	t.Helper()
	return decode[historyJSON](t, mustRun(t, db, "--json", "history", number).stdout)
}

func TestCallsImport(t *testing.T) {
	db := tempDB(t)
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a")
	log := filepath.Join(testdata, "calls", "dialer.csv")
	r := mustRun(t, db, "--json", "calls", "import", log)
	s := decode[[]struct {
		Rows, Added, Known int
		NewNumbers         int `json:"new_numbers"`
		Rejects            map[string]int
	}](t, r.stdout)[0]
	if s.Rows != 8 || s.Added != 5 || s.Known != 0 || s.NewNumbers != 1 ||
		s.Rejects["unknown_outcome"] != 1 || s.Rejects["bad_time"] != 1 || s.Rejects["too_short"] != 1 {
		t.Errorf("summary %+v", s)
	}
	// The unknown word is told with file, row, column and the word.
	for _, want := range []string{`dialer.csv:5: column "Результат": unknown outcome (10 characters, not shown; see --rejects)`, `dialer.csv:9: column "Дата и время"`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	for number, want := range map[string]string{
		"+79161234567": "active warm callback=2026-11-28T13:00:00Z",
		"+79031234567": "dead:not_in_service cold",
		"+74951234567": "active customer",
		"+79261112233": "active cold opted_out=2026-11-26T09:10:00Z",
	} {
		h := historyOf(t, db, number)
		got := h.Status
		if h.DeadReason != "" {
			got += ":" + h.DeadReason
		}
		got += " " + h.Temperature
		if h.CallbackAt != "" {
			got += " callback=" + h.CallbackAt
		}
		if h.OptedOutAt != "" {
			got += " opted_out=" + h.OptedOutAt
		}
		if got != want {
			t.Errorf("%s: %s, want %s", number, got, want)
		}
	}
	// Calls are shown with the row the number came in.
	h := historyOf(t, db, "8 916 123-45-67")
	if len(h.Calls) != 2 || h.Calls[1].Note != "просил позвонить в пятницу" || len(h.Bases) != 1 || h.Bases[0].Fields["Имя"] != "Иван" {
		t.Errorf("history %+v", h)
	}

	// The same log again adds nothing.
	before := dump(t, db)
	r = mustRun(t, db, "--json", "calls", "import", log)
	if !strings.Contains(r.stdout, `"added": 0`) || !strings.Contains(r.stdout, `"known": 5`) {
		t.Errorf("second import: %s", r.stdout)
	}
	if after := dump(t, db); after != before {
		t.Error("importing the same call log again changed the database")
	}
}

func TestCallsImportNeedsOutcomeColumn(t *testing.T) {
	db := initDB(t)
	path := writeFile(t, "log.csv", "Телефон;Дата\n+79161234567;26.11.2026 10:00\n")
	r := runCLI(t, db, "calls", "import", path)
	if r.code != 2 || !strings.Contains(r.stderr, "log.csv:1: no outcome column") {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
}

// TestUnreachableRule: six unanswered calls over at least 14 days make a
// number dead as unreachable; five, or six within 13 days, do not. The
// threshold is a setting of the database.
func TestUnreachableRule(t *testing.T) {
	for _, c := range []struct {
		name     string
		attempts int
		days     int // from the first to the last
		config   []string
		dead     bool
	}{
		{"5 over 20 days", 5, 20, nil, false},
		{"6 over 14 days", 6, 14, nil, true},
		{"6 over 13 days", 6, 13, nil, false},
		{"3 over 14 days with attempts=3", 3, 14, []string{"dead.unreachable_attempts", "3"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := initDB(t)
			if c.config != nil {
				mustRun(t, db, append([]string{"config", "set"}, c.config...)...)
			}
			for i := range c.attempts {
				// Spread evenly from day 0 to day c.days.
				hours := c.days * 24 * i / (c.attempts - 1)
				at := fmt.Sprintf("2026-11-%02dT%02d:00:00Z", 1+hours/24, hours%24)
				mustRun(t, db, "calls", "add", "+79161234567", "--outcome", "Недозвон", "--at", at, "--agent", "bot")
			}
			h := historyOf(t, db, "+79161234567")
			if dead := h.Status == "dead" && h.DeadReason == "unreachable"; dead != c.dead {
				t.Errorf("status %s (%s), want dead %v; events %+v", h.Status, h.DeadReason, c.dead, h.Events)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	db := tempDB(t)
	if got := strings.TrimSpace(mustRun(t, db, "config", "get", "dead.unreachable_days").stdout); got != "14" {
		t.Errorf("default = %q, want 14", got)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("config get created a database")
	}
	mustRun(t, db, "config", "set", "dead.unreachable_days", "21")
	if got := strings.TrimSpace(mustRun(t, db, "config", "get", "dead.unreachable_days").stdout); got != "21" {
		t.Errorf("after set = %q, want 21", got)
	}
	for _, args := range [][]string{{"config", "set", "dead.unreachable_days", "-1"}, {"config", "set", "no.such", "1"}, {"config", "get", "no.such"}} {
		if r := runCLI(t, db, args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
	var items []map[string]string
	if err := json.Unmarshal([]byte(mustRun(t, db, "--json", "config", "get").stdout), &items); err != nil || len(items) < 2 {
		t.Errorf("config get --json: %v %v", items, err)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCallsAddZone: times given to calls add without a zone are read in
// --tz, Moscow by default, as calls import reads them.
func TestCallsAddZone(t *testing.T) {
	db := initDB(t)
	mustRun(t, db, "calls", "add", "+79161234567", "--outcome", "callback", "--at", "2026-11-27 10:00", "--callback", "2026-11-28 16:00")
	mustRun(t, db, "calls", "add", "+79031234567", "--outcome", "callback", "--at", "2026-11-27 10:00", "--callback", "2026-11-28 16:00", "--tz", "Asia/Vladivostok")
	if h := historyOf(t, db, "+79161234567"); h.CallbackAt != "2026-11-28T13:00:00Z" || h.Calls[0].At != "2026-11-27T07:00:00Z" {
		t.Errorf("Moscow: callback %s, call %s", h.CallbackAt, h.Calls[0].At)
	}
	if h := historyOf(t, db, "+79031234567"); h.CallbackAt != "2026-11-28T06:00:00Z" {
		t.Errorf("Vladivostok: callback %s", h.CallbackAt)
	}
}

// initDB returns a database that exists, without data: the commands that
// record calls, marks and lists refuse a database that is not there.
func initDB(t *testing.T) string {
	t.Helper()
	db := tempDB(t)
	mustRun(t, db, "config", "set", "rest.days", "30")
	return db
}

// TestMissingDatabase: commands that work on a database refuse a path
// where there is none (a mistyped --db) instead of creating an empty one
// and succeeding at nothing.
func TestMissingDatabase(t *testing.T) {
	db := tempDB(t)
	for _, args := range [][]string{
		{"release"}, {"export", "-o", "-"}, {"base", "rest", "a"}, {"calls", "add", "+79161234567", "--outcome", "busy"},
		{"dead", "mark", "+79161234567", "--reason", "x"}, {"forget", "+79161234567"}, {"why", "+79161234567"},
	} {
		if r := runCLI(t, db, args...); r.code != 1 || !strings.Contains(r.stderr, "no database") {
			t.Errorf("%v: exit %d, %s", args, r.code, r.stderr)
		}
		if _, err := os.Stat(db); err == nil {
			t.Fatalf("%v created the database", args)
		}
	}
}

// TestCallsImportXLSX: a CRM's call log as a workbook reads like a CSV one.
func TestCallsImportXLSX(t *testing.T) {
	db := initDB(t)
	path := filepath.Join(t.TempDir(), "crm.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := spreadsheet.NewWriter(f)
	if err := w.AddSheet("Звонки", []string{"Номер телефона", "Дата звонка", "Статус звонка", "Менеджер"}); err != nil {
		t.Fatal(err)
	}
	for _, row := range [][]any{
		{"8 916 123-45-67", "26.11.2026 10:00", "Перезвонить", "Иванова"},
		{"+7 903 123 45 67", "26.11.2026 10:05", "Сделка", "Петров"},
		{"+7 926 111 22 33", "26.11.2026 10:10", "Встреча", "Петров"},
	} {
		if err := w.WriteRow(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r := mustRun(t, db, "--json", "calls", "import", path)
	if !strings.Contains(r.stdout, `"added": 2`) || !strings.Contains(r.stdout, `"unknown_outcome": 1`) {
		t.Errorf("calls import of a workbook: %s", r.stdout)
	}
	if !strings.Contains(r.stderr, `crm.xlsx:Звонки:4: column "Статус звонка": unknown outcome (7 characters, not shown; see --rejects)`) {
		t.Errorf("stderr: %s", r.stderr)
	}
	if h := historyOf(t, db, "+79031234567"); h.Temperature != "customer" || h.Calls[0].Agent != "Петров" {
		t.Errorf("history: %+v", h)
	}
}
