package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbase/callbase/internal/spreadsheet"
)

// relative replaces the test's own paths in output with stable names.
func relative(b []byte, dirs ...string) []byte {
	for _, d := range dirs {
		b = bytes.ReplaceAll(b, []byte(filepath.ToSlash(d)+"/"), nil)
	}
	return b
}

func TestCleanCSV(t *testing.T) {
	out := t.TempDir()
	sample := filepath.Join(testdata, "sample", "base.csv")
	r := mustRun(t, "", "clean", sample, "-o", filepath.Join(out, "clean.csv"))
	for _, s := range []string{"31 rows, 25 with a valid number (80.6%)", "27 unique, 5 duplicates", "unallocated 1", "digits_lost 1"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("summary lacks %q:\n%s", s, r.stderr)
		}
	}
	for _, name := range []string{"clean.csv", "clean.rejects.csv"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "sample-"+name, relative(got, filepath.Join(testdata, "sample")))
		if fi, _ := os.Stat(filepath.Join(out, name)); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
}

func TestCleanToStdoutWithJSONSummary(t *testing.T) {
	sample := filepath.Join(testdata, "sample", "base.csv")
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	r := mustRun(t, "", "clean", sample, "-o", "-", "--rejects", rejects)
	want, _ := os.ReadFile(filepath.Join(testdata, "golden", "sample-clean.csv"))
	if got := relative([]byte(r.stdout), filepath.Join(testdata, "sample")); !bytes.Equal(got, want) {
		t.Errorf("clean -o - differs from clean -o FILE:\n%s", got)
	}
	r = mustRun(t, "", "--json", "clean", sample, "-o", filepath.Join(t.TempDir(), "c.xlsx"))
	s := decode[map[string]any](t, r.stdout)
	if s["unique"] != 27.0 || s["rows"] != 31.0 {
		t.Errorf("--json summary %v", s)
	}
}

// TestCleanXLSX cleans a workbook of two sheets with different headers into
// a workbook, compared as cells with the golden file.
func TestCleanXLSX(t *testing.T) {
	in := filepath.Join(testdata, "ingest", "two_sheets.xlsx")
	out := filepath.Join(t.TempDir(), "clean.xlsx")
	mustRun(t, "", "clean", in, "-o", out)
	golden(t, "two_sheets-clean.txt", relative(sheetText(t, out), filepath.Join(testdata, "ingest")))
}

// sheetText is every sheet of a workbook as text, one row per line.
func sheetText(t *testing.T, path string) []byte {
	t.Helper()
	book, err := spreadsheet.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	var b bytes.Buffer
	for _, name := range book.Sheets() {
		fmt.Fprintf(&b, "== %s\n", name)
		rows, err := book.Rows(name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			fmt.Fprintf(&b, "%d: %s\n", rows.Row(), strings.Join(rows.Cells(), " | "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.Bytes()
}

func TestCleanFlagsKnownNumbers(t *testing.T) {
	db := tempDB(t)
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a")
	out := filepath.Join(t.TempDir(), "clean.csv")
	r := mustRun(t, db, "--json", "clean", filepath.Join(testdata, "cli", "vendor-b.csv"), "-o", out)
	if s := decode[map[string]any](t, r.stdout); s["known"] != 2.0 {
		t.Errorf("known = %v, want 2", s["known"])
	}
	got, _ := os.ReadFile(out)
	for _, line := range []string{"+79161234567,8 (916) 123-45-67,mobile,RU,", ",Europe/Moscow,,1,", ",yes,A,+79161234567,Moscow", ",no,B,"} {
		if !bytes.Contains(got, []byte(line)) {
			t.Errorf("output lacks %q:\n%s", line, got)
		}
	}
	// A --db that does not exist is an error, not a new empty database.
	absent := filepath.Join(t.TempDir(), "absent.db")
	if r := runCLI(t, absent, "clean", filepath.Join(testdata, "cli", "vendor-b.csv"), "-o", out); r.code != 1 || !strings.Contains(r.stderr, "no database") {
		t.Errorf("clean --db absent.db: exit %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(absent); err == nil {
		t.Error("clean created the database it was only to read")
	}
	// Without --db there is no in_database column.
	mustRun(t, "", "clean", filepath.Join(testdata, "cli", "vendor-b.csv"), "-o", out)
	if got, _ := os.ReadFile(out); bytes.Contains(got, []byte("in_database")) {
		t.Error("clean without --db flags numbers as known")
	}
}

// TestStdoutOnlyOnSuccess: -o - without --rejects works, and a failed
// command sends nothing to stdout.
func TestStdoutOnlyOnSuccess(t *testing.T) {
	sample := filepath.Join(testdata, "sample", "base.csv")
	r := mustRun(t, "", "clean", sample, "-o", "-")
	want, _ := os.ReadFile(filepath.Join(testdata, "golden", "sample-clean.csv"))
	if got := relative([]byte(r.stdout), filepath.Join(testdata, "sample")); !bytes.Equal(got, want) {
		t.Errorf("clean -o - without --rejects:\n%s", got)
	}
	db := tempDB(t)
	empty := filepath.Join(t.TempDir(), "empty.csv")
	os.WriteFile(empty, nil, 0o600)
	r = runCLI(t, db, "import", sample, empty, "--base", "a", "--rejects", "-")
	if r.code != 2 || r.stdout != "" {
		t.Errorf("failed import: exit %d, stdout %q; want 2 and nothing", r.code, r.stdout)
	}
}

// TestCleanOwnOutput: a workbook cleaned by callbase cleans again; its
// rejects sheet holds no base and is left out, and said so.
func TestCleanOwnOutput(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "first.xlsx")
	mustRun(t, "", "clean", filepath.Join(testdata, "sample", "base.csv"), "-o", first)
	r := mustRun(t, "", "--json", "clean", first, "-o", filepath.Join(dir, "second.csv"))
	s := decode[map[string]any](t, r.stdout)
	skipped, _ := s["skipped_sheets"].([]any)
	if s["unique"] != 27.0 || len(skipped) != 1 || !strings.Contains(fmt.Sprint(skipped[0]), "rejects") {
		t.Errorf("unique %v, skipped sheets %v; want 27 and the rejects sheet", s["unique"], skipped)
	}
}

// TestTitleRowsAreTold: rows taken for a title above the data are not
// lost silently: the summary counts them.
func TestTitleRowsAreTold(t *testing.T) {
	path := filepath.Join(t.TempDir(), "titled.csv")
	os.WriteFile(path, []byte("Выгрузка клиентов за ноябрь\nИмя;Телефон\nА;89161234567\nБ;89031234567\n"), 0o600)
	r := mustRun(t, "", "clean", path, "-o", filepath.Join(t.TempDir(), "c.csv"))
	if !strings.Contains(r.stderr, "left out   1 title row(s) above the header") {
		t.Errorf("summary does not tell the title row:\n%s", r.stderr)
	}
}

// TestCleanKeepsCellsPastTheHeader: a row wider than the header keeps its
// extra cells in a column of its own.
func TestCleanKeepsCellsPastTheHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wide.csv")
	os.WriteFile(path, []byte("Имя;Телефон\nА;89161234567\nБ;89031234567;дополнительно\n"), 0o600)
	out := filepath.Join(t.TempDir(), "c.csv")
	mustRun(t, "", "clean", path, "-o", out)
	got, _ := os.ReadFile(out)
	if !bytes.Contains(got, []byte(",Имя,Телефон,C\n")) || !bytes.Contains(got, []byte(",Б,89031234567,дополнительно\n")) {
		t.Errorf("extra cell lost:\n%s", got)
	}
}

func TestCleanTellsInputColumnsFromOurs(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.csv"), filepath.Join(dir, "second.csv")
	mustRun(t, "", "clean", filepath.Join(testdata, "cli", "vendor-b.csv"), "-o", first)
	mustRun(t, "", "clean", first, "-o", second, "--phone-col", "e164")
	got, _ := os.ReadFile(second)
	header, _, _ := strings.Cut(string(got), "\n")
	if !strings.HasPrefix(header, "e164,national,") || !strings.Contains(header, ",e164 (input),national (input),") {
		t.Errorf("header %q", header)
	}
}
