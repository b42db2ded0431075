package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadLists: call logs and number lists that cannot be read are refused
// (exit 2, the file and where named, the database as it was); files that
// can be read but hold unusable rows load their good rows and tell the
// others with file, row and column.
func TestBadLists(t *testing.T) {
	db := initDB(t)
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a")
	write := func(name, content string) string {
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	refused := []struct {
		name string
		cmd  []string
		file string
		want string
	}{
		{"empty log", []string{"calls", "import"}, write("empty.csv", ""), "empty.csv: no rows"},
		{"log header alone", []string{"calls", "import"}, write("head.csv", "Телефон;Время;Результат\n"), "head.csv:1: header but no data rows"},
		{"log without time", []string{"calls", "import"}, write("notime.csv", "Телефон;Результат\n+79161234567;Отказ\n"), "notime.csv:1: no time column"},
		{"log without a phone column", []string{"calls", "import"}, write("nophone.csv", "Время;Результат\n26.11.2026;Отказ\n"), "nophone.csv"},
		{"binary junk as a log", []string{"calls", "import"}, write("junk.csv", "\x00\x01\x02\xff\xfe\x00PK\x03\x04"+strings.Repeat("\x00", 100)), "junk.csv"},
		{"a text file named xlsx", []string{"calls", "import"}, write("fake.xlsx", "Телефон;Время;Результат\n"), "fake.xlsx"},
		{"dead list without status", []string{"dead", "import"}, write("hlr.csv", "number\n+79161234567\n"), "hlr.csv:1: no status column"},
		{"consent list without scope", []string{"consent", "import"}, write("c.csv", "Телефон;Дата;Согласие\n+79161234567;01.11.2026;да\n"), "c.csv:1: no scope column"},
		{"missing file", []string{"optout", "import"}, filepath.Join(t.TempDir(), "none.csv"), "none.csv"},
		{"a NUL byte in a log", []string{"calls", "import"}, write("nul.csv", "Телефон;Время;Результат\n+79161234567;26.11.2026 13:00;\x00\n"), "nul.csv: file does not look like text"},
	}
	before := dump(t, db)
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, db, append(c.cmd, c.file)...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, c.want)
			}
			if dump(t, db) != before {
				t.Error("a refused file changed the database")
			}
		})
	}
	// Unusable rows among good ones: the good ones load, each bad one is
	// told with file, row and column and counted by reason.
	log := write("log.csv", "Телефон;Время;Результат;Длительность\n"+
		"+79161234567;26.11.2026 10:00;Отказ;1:05\n"+
		"+79031234567;31.02.2026 10:00;Отказ;\n"+
		"+74951234567;26.11.2026 11:00;Переговоры;\n"+
		"+79261112233;26.11.2026 12:00;Занято;1:75\n"+
		"мусор;26.11.2026 12:00;Занято;\n")
	r := mustRun(t, db, "--json", "calls", "import", log)
	for _, want := range []string{`"added": 1`, `"bad_time": 1`, `"unknown_outcome": 1`, `"bad_duration": 1`, `"no_digits": 1`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %s:\n%s", want, r.stdout)
		}
	}
	for _, want := range []string{"log.csv:3: column \"Время\"", "log.csv:4: column \"Результат\"", "log.csv:5: column \"Длительность\"", "log.csv:6: column \"Телефон\""} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}
