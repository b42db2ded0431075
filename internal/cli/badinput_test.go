package cli

import (
	"archive/zip"
	"bytes"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badCase is one input that callbase must refuse: exit 2, a message naming
// the file (and row and column where they apply), nothing written.
type badCase struct {
	name  string
	file  func(t *testing.T) string // the input's path, generated on demand
	flags []string                  // more flags for import and clean
	want  []string                  // parts of stderr besides the file's base name
}

// TestBadInput runs `import FILE --base x` against a database that already
// holds one base, and `clean FILE -o OUT.csv`, on inputs that cannot be
// read. Each must exit 2 with a message naming the file, leave the database
// exactly as it was, and write no output, rejects or temporary file.
func TestBadInput(t *testing.T) {
	bad := filepath.Join(testdata, "bad")
	committed := func(name string) func(*testing.T) string {
		return func(*testing.T) string { return filepath.Join(bad, name) }
	}
	// generated writes data() to a file of the subtest's own temporary folder.
	generated := func(name string, data func(t *testing.T) []byte) func(*testing.T) string {
		return func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, data(t), 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}
	}
	workbook := func(t *testing.T) []byte {
		b, err := os.ReadFile(filepath.Join(testdata, "ingest", "two_sheets.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const header = "Имя;Телефон;Город\n"
	const good = "Иванов Иван;89161234567;Москва\n"

	tests := []badCase{
		{name: "empty file", file: committed("empty.csv"),
			want: []string{"empty.csv: no rows: the file is empty"}},
		{name: "header alone", file: committed("header-only.csv"),
			want: []string{"header-only.csv:1: header but no data rows"}},
		{name: "random bytes", file: generated("random.csv", func(*testing.T) []byte {
			r := rand.New(rand.NewPCG(1, 2))
			b := make([]byte, 64<<10)
			for i := range b {
				b[i] = byte(r.UintN(256))
			}
			b[0] = 0x01 // no magic number by chance
			return b
		}), want: []string{"does not look like text"}},
		{name: "PNG image", file: generated("leads.csv", func(*testing.T) []byte {
			return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"),
				bytes.Repeat([]byte{0, 0xff, 0x10, 0x80}, 256)...)
		}), want: []string{"it looks like a PNG image"}},
		{name: "text named .xlsx", file: committed("letter.xlsx"),
			want: []string{"no phone column", "named .xlsx but holds text"}},
		{name: "zip that is not a workbook", file: generated("archive.xlsx", func(t *testing.T) []byte {
			var b bytes.Buffer
			z := zip.NewWriter(&b)
			w, err := z.Create("readme.txt")
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("Телефоны в приложении\n89161234567\n"))
			if err := z.Close(); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}), want: []string{"a zip archive without an Excel workbook in it"}},
		{name: "truncated xlsx", file: generated("truncated.xlsx", func(t *testing.T) []byte {
			b := workbook(t)
			return b[:len(b)/2]
		}), want: []string{"damaged or truncated"}},
		{name: "corrupt xlsx", file: generated("corrupt.xlsx", func(t *testing.T) []byte {
			b := workbook(t)
			for i := len(b)/2 - 32; i < len(b)/2+32; i++ {
				b[i] ^= 0xff
			}
			return b
		}), want: []string{"damaged or truncated"}},
		{name: "xlsx with a broken sheet", file: generated("broken-sheet.xlsx", func(t *testing.T) []byte {
			return rezip(t, workbook(t), "xl/worksheets/sheet1.xml", func(b []byte) []byte { return b[:len(b)*2/3] })
		}), want: []string{"broken-sheet.xlsx:Клиенты", "damaged or truncated"}},
		// 3.5 MB that unpack to 2.4 GB of <row/> (made once, committed).
		{name: "xlsx zip bomb", file: committed("bomb.xlsx"),
			want: []string{"bomb.xlsx", "it unpacks to more than 2048 MB"}},
		{name: "encrypted xlsx", file: committed("../ingest/password_secret.xlsx"),
			want: []string{"password-protected", "remove the password"}},
		{name: "50 MB cell", file: generated("big-cell.csv", func(*testing.T) []byte {
			var b bytes.Buffer
			b.WriteString(header + good + "Петров;\"")
			b.Write(bytes.Repeat([]byte("8916123456 "), 50<<20/11))
			b.WriteString("\";Тверь\n" + good)
			return b.Bytes()
		}), want: []string{`big-cell.csv:3: column "Телефон": too large`}},
		{name: "50 MB unquoted cell", file: generated("big-bare.csv", func(*testing.T) []byte {
			var b bytes.Buffer
			b.WriteString(header + good + "Петров;")
			b.Write(bytes.Repeat([]byte("7"), 50<<20))
			b.WriteString(";Тверь\n" + good)
			return b.Bytes()
		}), want: []string{`big-bare.csv:3: column "Телефон": too large`}},
		{name: "row of 100000 columns", file: generated("wide.csv", func(*testing.T) []byte {
			return []byte(header + good + "Петров;89161234568" + strings.Repeat(";x", 100000-2) + "\n" + good)
		}), want: []string{"wide.csv:3:", "100000 fields, at most 10000"}},
		{name: "header of 100000 columns", file: generated("wide-header.csv", func(*testing.T) []byte {
			return []byte("Телефон" + strings.Repeat(";Поле", 100000-1) + "\n89161234567\n")
		}), want: []string{"wide-header.csv:1:", "100000 fields, at most 10000"}},
		{name: "invalid UTF-8 after many good lines", file: generated("mixed.csv", func(*testing.T) []byte {
			b := []byte(header + strings.Repeat(good, 60000))
			return append(b, "\xcf\xe5\xf2\xf0\xee\xe2;89161234568;\xd2\xe2\xe5\xf0\xfc\n"...) // Петров;...;Тверь in cp1251
		}), want: []string{"mixed.csv:60002:", "invalid UTF-8", "--encoding cp1251"}},
		{name: "NUL bytes", file: generated("nul.csv", func(*testing.T) []byte {
			return []byte(header + strings.Repeat(good, 4000) + "Петров;8916\x00\x00\x00;Тверь\n" + good)
		}), want: []string{"nul.csv:4002:", "NUL"}},
		{name: "NUL bytes in a UTF-16 file read as cp1251", file: committed("../ingest/excel_unicode.txt"),
			flags: []string{"--encoding", "cp1251"}, want: []string{"--encoding"}},
		{name: "unclosed quote", file: generated("unclosed.csv", func(*testing.T) []byte {
			return []byte(header + good + "Петров;\"89161234568;Тверь\n" + strings.Repeat(good, 17<<20/len(good)))
		}), want: []string{"unclosed.csv:3:", "a record longer than 16 MB"}},
		{name: "no phone column", file: committed("no-phone.csv"),
			want: []string{"no-phone.csv:", "no phone column"}},
		{name: "--phone-col names no column", file: committed("../cli/vendor-a.csv"),
			flags: []string{"--phone-col", "Факс"}, want: []string{`--phone-col "Факс" matches no column`}},
		{name: "--phone-col index beyond the columns", file: committed("../cli/vendor-a.csv"),
			flags: []string{"--phone-col", "9"}, want: []string{`--phone-col "9" matches no column`}},
		{name: "--phone-col names no column of a workbook", file: committed("../ingest/two_sheets.xlsx"),
			flags: []string{"--phone-col", "Факс"}, want: []string{"Клиенты", `--phone-col "Факс" matches no column`}},
		{name: "--sheet names no sheet", file: committed("../ingest/two_sheets.xlsx"),
			flags: []string{"--sheet", "Архив"}, want: []string{`no sheet "Архив"`, `"Клиенты"`}},
		{name: "directory", file: func(t *testing.T) string {
			dir := filepath.Join(t.TempDir(), "export.csv")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			return dir
		}, want: []string{"is a directory"}},
		{name: "missing file", file: committed("missing.csv"),
			want: []string{"no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.file(t)
			name := filepath.Base(path)
			want := append([]string{name}, tt.want...)

			t.Run("import", func(t *testing.T) {
				db := tempDB(t)
				mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-b.csv"), "--base", "b")
				before := dump(t, db)
				out := t.TempDir()
				args := append([]string{"import", path, "--base", "x", "--rejects", filepath.Join(out, "rejects.csv")}, tt.flags...)
				r := runCLI(t, db, args...)
				checkRefused(t, r, path, want)
				if after := dump(t, db); after != before {
					t.Errorf("the database changed:\n--- before\n%s\n--- after\n%s", before, after)
				}
				noFiles(t, out)
			})
			t.Run("clean", func(t *testing.T) {
				out := t.TempDir()
				args := append([]string{"clean", path, "-o", filepath.Join(out, "OUT.csv")}, tt.flags...)
				r := runCLI(t, "", args...)
				checkRefused(t, r, path, want)
				noFiles(t, out)
			})
		})
	}
}

// checkRefused asserts exit 2 and a message naming path once and holding
// every part of want.
func checkRefused(t *testing.T, r result, path string, want []string) {
	t.Helper()
	t.Logf("exit %d: %s", r.code, clip(r.stderr))
	if r.code != ExitUsage {
		t.Errorf("exit %d, want %d\nstderr: %s", r.code, ExitUsage, clip(r.stderr))
	}
	for _, s := range want {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, clip(r.stderr))
		}
	}
	if n := strings.Count(r.stderr, path); n != 1 {
		t.Errorf("stderr names %s %d times, want once:\n%s", path, n, clip(r.stderr))
	}
	if r.stdout != "" {
		t.Errorf("stdout is not empty: %s", clip(r.stdout))
	}
}

// noFiles asserts that dir holds nothing: no output, no rejects, no
// temporary file left behind.
func noFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("a refused input left %s behind", e.Name())
	}
}

// rezip returns the zip archive data with the part named name replaced by
// edit of its content.
func rezip(t *testing.T, data []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	found := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		part, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			part, found = edit(part), true
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(part)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("no %s in the archive", name)
	}
	return b.Bytes()
}

// clip shortens a message that may quote a huge cell.
func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// TestUnusableCells: cells that are not phones are rejects with a reason,
// not errors: the file is imported (and cleaned) with exit 0.
func TestUnusableCells(t *testing.T) {
	db := tempDB(t)
	in := filepath.Join(testdata, "bad", "unusable.csv")
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	r := mustRun(t, db, "--json", "import", in, "--base", "x", "--rejects", rejects)
	sums := decode[[]importSummary](t, r.stdout)
	want := importSummary{File: in, Base: "x", Rows: 6, RowsWithNumber: 3, Numbers: 3, Unique: 3, New: 3,
		Rejects: map[string]int{"no_digits": 2, "too_short": 1}}
	if len(sums) != 1 || !sameCounts(sums[0], want) {
		t.Fatalf("summary %+v\nwant    %+v", sums, want)
	}
	got, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{",,2,Телефон,нет,no_digits\n", ",,3,Телефон,12-34,too_short\n", ",,4,Телефон,abc,no_digits\n"} {
		if !bytes.Contains(got, []byte("unusable.csv"+line)) {
			t.Errorf("rejects lack %q:\n%s", line, got)
		}
	}
	r = mustRun(t, "", "clean", in, "-o", filepath.Join(t.TempDir(), "clean.csv"))
	if !strings.Contains(r.stderr, "6 rows, 3 with a valid number") || !strings.Contains(r.stderr, "no_digits 2; too_short 1") {
		t.Errorf("clean summary:\n%s", r.stderr)
	}

	// A column named Телефон where no cell is a phone.
	only := filepath.Join(testdata, "bad", "only-unusable.csv")
	t.Run("only unusable cells, --phone-col", func(t *testing.T) {
		r := mustRun(t, tempDB(t), "--json", "import", only, "--base", "x", "--phone-col", "Телефон")
		want := importSummary{File: only, Base: "x", Rows: 3, Rejects: map[string]int{"no_digits": 2, "too_short": 1}}
		if s := decode[[]importSummary](t, r.stdout); len(s) != 1 || !sameCounts(s[0], want) {
			t.Errorf("summary %+v\nwant    %+v", s, want)
		}
	})
	// Without --phone-col such a file is more likely the wrong file than a
	// base: it is refused, with the flag that imports it as the hint.
	t.Run("only unusable cells, detected", func(t *testing.T) {
		r := runCLI(t, tempDB(t), "import", only, "--base", "x")
		if r.code != 2 || !strings.Contains(r.stderr, "no phone column found") || !strings.Contains(r.stderr, `Try: --phone-col "Телефон"`) {
			t.Errorf("exit %d, %s; want 2, no phone column, and the hint", r.code, r.stderr)
		}
	})
}

// TestUnusableRowsAmongGood: a CSV where only some rows are bad (unusable
// cells, a short row, a row with an extra field, a blank line) imports the
// good ones, keeps every row and names the bad ones as rejects.
func TestUnusableRowsAmongGood(t *testing.T) {
	db := tempDB(t)
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-b.csv"), "--base", "b")
	in := filepath.Join(testdata, "bad", "some-bad.csv")
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	r := mustRun(t, db, "--json", "import", in, "--base", "x", "--rejects", rejects)
	sums := decode[[]importSummary](t, r.stdout)
	if len(sums) != 1 {
		t.Fatalf("summary %s", r.stdout)
	}
	s := sums[0]
	rej := map[string]int{"no_digits": 2, "too_short": 1, "empty": 1}
	if s.Rows != 8 || s.RowsWithNumber != 4 || s.Numbers != 4 || s.Unique != 4 || !maps.Equal(s.Rejects, rej) {
		t.Errorf("summary %+v; want 8 rows, 4 with a number, 4 unique numbers, rejects %v", s, rej)
	}
	for _, e164 := range []string{"+79161234567", "+79031234567", "+79167654321", "+74951234567"} {
		numberOf(t, db, e164) // fails the test when absent
	}
	got, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{",,3,Телефон,нет,no_digits\n", ",,5,Телефон,12-34,too_short\n",
		",,7,Телефон,abc,no_digits\n", ",,8,Телефон,,empty\n"} {
		if !bytes.Contains(got, []byte("some-bad.csv"+line)) {
			t.Errorf("rejects lack %q:\n%s", line, got)
		}
	}
	// The row with an extra field keeps it.
	if d := dump(t, db); !strings.Contains(d, "лишнее поле") {
		t.Errorf("the extra field of line 9 is lost:\n%s", d)
	}

	out := filepath.Join(t.TempDir(), "clean.csv")
	r = mustRun(t, "", "clean", in, "-o", out)
	if !strings.Contains(r.stderr, "8 rows, 4 with a valid number") {
		t.Errorf("clean summary:\n%s", r.stderr)
	}
	clean, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(clean, []byte("\n")); n != 5 { // header and four numbers
		t.Errorf("clean.csv holds %d lines, want 5:\n%s", n, clean)
	}
}
