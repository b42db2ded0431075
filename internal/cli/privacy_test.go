package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/callbase/callbase/internal/gen"
)

// TestNoPersonalDataOnStderr runs the commands that read and write people's
// data, with progress bars drawn as on a terminal and rows bad enough to
// be warned of, and finds none of the names, e-mails or phone numbers of
// their inputs on stderr: the logs cron keeps.
func TestNoPersonalDataOnStderr(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "callbase.db")
	var base bytes.Buffer
	if _, err := gen.Write(&base, gen.Options{Rows: 300, Seed: 5, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	basePath := filepath.Join(dir, "base.csv")
	os.WriteFile(basePath, base.Bytes(), 0o600)
	r := csv.NewReader(bytes.NewReader(base.Bytes()))
	r.Comma, r.FieldsPerRecord = ';', -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var words, phones []string // what must never show
	var surnames []string
	for _, rec := range recs[1:] {
		if name := rec[col["ФИО"]]; name != "" {
			words = append(words, name)
			surnames = append(surnames, strings.Fields(name)[0])
		}
		if mail := rec[col["E-mail"]]; mail != "" {
			words = append(words, mail)
		}
		phones = append(phones, digitRuns(rec[col["Телефон"]]+" "+rec[col["Доп. телефон"]])...)
	}
	if len(surnames) < 100 || len(phones) < 200 {
		t.Fatalf("the generated base has %d names and %d numbers: the test would prove little", len(surnames), len(phones))
	}
	first := func(i int) string { return recs[i][col["Телефон"]] }

	// A call log and lists whose bad cells hold names and numbers.
	write := func(name string, lines ...string) string {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
		return path
	}
	// Numbers written as no parser of times would take them.
	odd := []string{"8\u00a0916\u00a0555\u00a012\u00a034", "8–916–555–12–35", "８９１６５５５１２３６", "٨٩١٦٥٥٥١٢٣٧",
		"9165-55-1238", "8,916,555,12,39", "8_916_555_12_40"}
	var oddRows []string
	for i, cell := range odd {
		oddRows = append(oddRows, first(20+i)+";"+cell+";Недозвон;")
		phones = append(phones, digitRuns(cell)...)
	}
	log := write("log.csv", append([]string{"Телефон;Время;Результат;Комментарий",
		first(1) + ";26.11.2026 10:00;Отказ;" + recs[1][col["ФИО"]],
		first(2) + ";26.11.2026 10:05;" + surnames[3] + ";",    // a name where the outcome goes
		first(3) + ";" + first(4) + ";Недозвон;",               // a number where the time goes
		surnames[5] + ";26.11.2026 10:10;Недозвон;",            // a name where the number goes
		first(6) + ";26.11.2026 10:15;Перезвонить;" + first(7), // a number in the comment
	}, oddRows...)...)
	optouts := write("optout.csv", "Телефон;Дата", first(8)+";26.11.2026", surnames[9]+";26.11.2026", first(10)+";"+surnames[11])
	now := []string{"--now", "2026-11-27T09:00:00Z"}
	warnings := 0
	for _, args := range [][]string{
		{"import", basePath, "--base", "a", "--rejects", filepath.Join(dir, "rejects.csv")},
		{"clean", basePath, "-o", filepath.Join(dir, "clean.csv")},
		{"calls", "import", log},
		{"optout", "import", optouts},
		{"optout", "add", "+79161234567"},
		{"history", "+79161234567"},
		{"export", "-o", filepath.Join(dir, "list.xlsx"), "--agents", "ivanova,petrov"},
		{"stats"},
		{"base", "list"},
		{"release"},
		{"forget", first(12)},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(append([]string{"--db", db}, now...), args...), env{
			stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
			getenv: func(string) string { return "" }, clock: func() time.Time { return testNow }, terminal: true,
		})
		if code != 0 {
			t.Fatalf("callbase %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
		out := stderr.String()
		warnings += strings.Count(out, "warning:")
		for _, w := range words {
			if len([]rune(w)) >= 4 && strings.Contains(out, w) {
				t.Errorf("callbase %s: stderr holds %q:\n%s", strings.Join(args, " "), w, out)
			}
		}
		for _, w := range surnames {
			if len([]rune(w)) >= 4 && strings.Contains(out, w) {
				t.Errorf("callbase %s: stderr holds the name %q:\n%s", strings.Join(args, " "), w, out)
			}
		}
		shown := strings.Join(digitRuns(out), " ")
		for _, p := range append(phones, "1234567") {
			if strings.Contains(shown, p) {
				t.Errorf("callbase %s: stderr holds the number %s:\n%s", strings.Join(args, " "), p, out)
			}
		}
	}
	if warnings < 5 { // 3 rows of the log, 2 of the opt-out list
		t.Errorf("the commands warned %d times: the bad rows were not told, and the test proves little", warnings)
	}
}

// digitRuns are the runs of 7 or more digits of s, of any script, with
// whatever separates them inside a number; each run as its last 7 digits,
// in ASCII. Letters and line ends end a run.
func digitRuns(s string) []string {
	var out []string
	var run []byte
	end := func() {
		if len(run) >= 7 {
			out = append(out, string(run[len(run)-7:]))
		}
		run = run[:0]
	}
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			// Each script's digits used here start at a code point
			// divisible by 16: ASCII, full-width, Arabic-Indic.
			run = append(run, '0'+byte(r&0xf))
		case unicode.IsLetter(r) || r == '\n' || r == '%' || r == '.' && len(run) < 7:
			end()
		}
	}
	end()
	return out
}
