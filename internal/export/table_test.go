package export

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/spreadsheet"
)

func TestTableAppearsOnlyWhenClosed(t *testing.T) {
	for _, name := range []string{"out.csv", "out.xlsx"} {
		path := filepath.Join(t.TempDir(), name)
		tbl, err := Create(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := tbl.Sheet("numbers", []string{"e164", "n"}); err != nil {
			t.Fatal(err)
		}
		if err := tbl.Row([]any{"+79161234567", 3}); err != nil {
			t.Fatal(err)
		}
		if err := tbl.Finish(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); err == nil {
			t.Errorf("%s exists before Close", name)
		}
		if err := tbl.Close(); err != nil {
			t.Fatal(err)
		}
		tbl.Abort() // after Close: no effect
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp")); len(left) > 0 {
			t.Errorf("temporary files left: %v", left)
		}
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	for _, path := range []string{filepath.Join(dir, "out.csv"), "-"} {
		tbl, err := Create(path, &out)
		if err != nil {
			t.Fatal(err)
		}
		tbl.Sheet("numbers", []string{"e164"})
		tbl.Row([]any{"+79161234567"})
		tbl.Abort()
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 || out.Len() > 0 {
		t.Errorf("after Abort: files %v, stdout %q", entries, out.String())
	}
}

func TestStdoutOnClose(t *testing.T) {
	var out bytes.Buffer
	tbl, err := Create("-", &out)
	if err != nil {
		t.Fatal(err)
	}
	tbl.Sheet("numbers", []string{"e164", "name"})
	tbl.Row([]any{"+79161234567", "Иванов, Иван"})
	if out.Len() > 0 {
		t.Error("data reached stdout before Close")
	}
	if err := tbl.Close(); err != nil {
		t.Fatal(err)
	}
	if want := "e164,name\n+79161234567,\"Иванов, Иван\"\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
}

// TestXLSXKeepsPhonesAsText reads the workbook back: +7... and leading
// zeros survive as written.
func TestXLSXKeepsPhonesAsText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.xlsx")
	tbl, err := Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tbl.Sheet("numbers", RejectsHeader)
	tbl.WriteReject(Reject{File: "a.csv", Row: 7, Column: "Телефон", Text: "0012", Reason: "too_short"})
	tbl.Sheet("more", []string{"e164"})
	tbl.Row([]any{"+79161234567"})
	if err := tbl.Close(); err != nil {
		t.Fatal(err)
	}
	book, err := spreadsheet.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	var got []string
	for _, sheet := range book.Sheets() {
		rows, _ := book.Rows(sheet)
		for rows.Next() {
			got = append(got, strings.Join(rows.Cells(), "|"))
		}
		rows.Close()
	}
	want := []string{"file|sheet|row|column|text|reason", "a.csv||7|Телефон|0012|too_short", "e164", "+79161234567"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("read back:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]Format{"a.csv": CSV, "A.XLSX": XLSX, "b.txt": CSV} {
		if got, err := FormatOf(path); err != nil || got != want {
			t.Errorf("FormatOf(%s) = %v, %v", path, got, err)
		}
	}
	if _, err := FormatOf("a.pdf"); !errors.Is(err, callbase.ErrUsage) {
		t.Errorf("FormatOf(a.pdf): %v, want a usage error", err)
	}
	tbl, _ := Create(filepath.Join(t.TempDir(), "one.csv"), nil)
	defer tbl.Abort()
	tbl.Sheet("a", nil)
	if err := tbl.Sheet("b", nil); err == nil {
		t.Error("a CSV table took a second sheet")
	}
}

func TestNeutralizeFormulas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "list.csv")
	tb, err := Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.ExcelCSV(); err != nil {
		t.Fatal(err)
	}
	tb.NeutralizeFormulas()
	if err := tb.Sheet("list", []string{"number", "name"}); err != nil {
		t.Fatal(err)
	}
	for _, row := range [][]any{
		{Raw("+79161234567"), "=HYPERLINK(\"http://x\")"},
		{Raw("+79031234567"), "+7 916"},
		{Raw("+79261112233"), "-2+3"},
		{Raw("+79991112233"), "@SUM(A1)"},
		{Raw("+79991112234"), "\tx"},
		{Raw("+79991112235"), "Иванов; Пётр"},
	} {
		if err := tb.Row(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := tb.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "\uFEFFnumber;name\n+79161234567;\"'=HYPERLINK(\"\"http://x\"\")\"\n+79031234567;'+7 916\n+79261112233;'-2+3\n+79991112233;'@SUM(A1)\n+79991112234;'\tx\n+79991112235;\"Иванов; Пётр\"\n"
	if string(got) != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// CSVRows must write what Row writes, byte for byte: clean's output is
// compared with files written before it existed.
func TestCSVRowsLikeRow(t *testing.T) {
	cells := []string{"", "plain", "+79161234567", "a,b", "a;b", `say "hi"`, "two\nlines", "cr\rhere",
		`\.`, ` lead`, "\tlead", "\u00a0nbsp", "\u2003em", "trail ", "=1+2", "-5", "@x", "'q", "=a,b", "+\"x\"",
		"\xff\xfe", "Иванов", "\u0085nel", "\u1680ogham", "\u3000ideo", "\u2029para", "\u00c0x", "\u0fffx",
		"\u1000x", "\xc2", "\xc2\x85", "\xc2\xa0", "\xc2\x86", "\xe1", "\xe1\x9a", "\x85x", "Ёлка"}
	for _, excel := range []bool{false, true} {
		for _, neutralize := range []bool{false, true} {
			var want, got bytes.Buffer
			for _, out := range []*bytes.Buffer{&want, &got} {
				tbl, err := Create("-", out)
				if err != nil {
					t.Fatal(err)
				}
				if excel {
					tbl.ExcelCSV()
				}
				if neutralize {
					tbl.NeutralizeFormulas()
				}
				tbl.Sheet("x", []string{"h1", "h,2"})
				if out == &want {
					for _, c := range cells {
						tbl.Row([]any{c, Raw(c), c, c, c, c, 42, -7})
					}
					tbl.Row(nil)
				} else {
					e, ok := tbl.CSVRows()
					if !ok {
						t.Fatal("a CSV table has no CSVRows")
					}
					var b []byte
					for _, c := range cells {
						b = encodeEveryWay(e, b, c)
						b = e.End(e.Int(e.Int(b, 42), -7))
					}
					b = e.End(b)
					if err := tbl.Encoded(b); err != nil {
						t.Fatal(err)
					}
				}
				if err := tbl.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if got.String() != want.String() {
				t.Errorf("excel %v neutralize %v: CSVRows wrote\n%q\nRow wrote\n%q", excel, neutralize, got.String(), want.String())
			}
		}
	}
}

func FuzzCSVRows(f *testing.F) {
	for _, s := range []string{"", "a,b", `"`, " x", "=1", "\u00a0", `\.`} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, semicolon bool) {
		var want, got bytes.Buffer
		for _, out := range []*bytes.Buffer{&want, &got} {
			tbl, err := Create("-", out)
			if err != nil {
				t.Fatal(err)
			}
			if semicolon {
				tbl.ExcelCSV()
			}
			tbl.NeutralizeFormulas()
			tbl.Sheet("x", []string{"h"})
			if out == &want {
				tbl.Row([]any{s, Raw(s), s, s, s, s})
			} else {
				e, _ := tbl.CSVRows()
				tbl.Encoded(e.End(encodeEveryWay(e, nil, s)))
			}
			if err := tbl.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if got.String() != want.String() {
			t.Errorf("%q: CSVRows wrote %q, Row wrote %q", s, got.String(), want.String())
		}
	})
}

// encodeEveryWay appends c as String, as Raw, by Checked (or String when
// Special says Checked may not take it), by the same three held in bytes,
// as Bytes and by Appended.
func encodeEveryWay(e CSVRows, b []byte, c string) []byte {
	b = e.Raw(e.String(b, c), c)
	if e.Special(c) {
		b = e.String(b, c)
	} else {
		b = e.Checked(b, c)
	}
	if cb := []byte(c); e.SpecialBytes(cb) {
		b = e.Bytes(b, cb)
	} else {
		b = e.CheckedBytes(b, cb)
	}
	b = e.Bytes(b, []byte(c))
	return e.Appended(append(b, c...), len(b))
}

// TestHasSpecial: each special byte is found at every place of the eight
// bytes looked at together, and bytes next to them in value are not taken
// for them.
func TestHasSpecial(t *testing.T) {
	for _, comma := range []byte{',', ';'} {
		e := CSVRows{comma: comma}
		for _, c := range []byte{'\n', '\r', '"', comma, ',' - 1, ';' + 1, 0x80 | comma, 0, 0xff, '\t', '\v', '\r' + 1, '"' - 1, '"' + 1, 0x80 | '\n'} {
			want := c == '\n' || c == '\r' || c == '"' || c == comma
			for n := 1; n <= 19; n++ {
				for at := range n {
					b := bytes.Repeat([]byte{'a'}, n)
					b[at] = c
					if got := hasSpecial(e, string(b)); got != want || hasSpecial(e, b) != want {
						t.Errorf("comma %q: hasSpecial(%q) = %v", comma, b, got)
					}
				}
			}
		}
	}
}

// TestEncodedInOrder: runs of rows short enough for the buffer and long
// enough to bypass it land in the order written.
func TestEncodedInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rows.csv")
	tbl, err := Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tbl.Sheet("x", []string{"h"})
	want := []byte("h\n")
	for i, size := range []int{10, encodedDirect, 100, 70_000, encodedDirect - 1, 3, 200_000, 60_000, 60_000, 1} {
		rows := []byte(strings.Repeat(string(rune('a'+i)), size-1) + "\n")
		if err := tbl.Encoded(rows); err != nil {
			t.Fatal(err)
		}
		want = append(want, rows...)
	}
	if err := tbl.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the file differs from the rows written (%v)", err)
	}
}

// TestLargeTableWhole: a table written past several syncs along the way is
// whole once closed, and an aborted one leaves nothing.
func TestLargeTableWhole(t *testing.T) {
	row := []byte(strings.Repeat("x", 1<<20-1) + "\n")
	for _, tc := range []struct {
		name  string
		rows  int // of 1 MiB
		abort bool
	}{{"small", 1, false}, {"past syncs", 3*syncEvery>>20 + 5, false}, {"aborted", 2*syncEvery>>20 + 1, true}} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "big.csv")
			tbl, err := Create(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			tbl.Sheet("x", []string{"h"})
			want := []byte("h\n")
			for range tc.rows {
				if err := tbl.Encoded(row); err != nil {
					t.Fatal(err)
				}
				want = append(want, row...)
			}
			if tc.abort {
				tbl.Abort()
				if _, err := os.Stat(path); err == nil {
					t.Error("an aborted table is in place")
				}
				return
			}
			if err := tbl.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%d bytes in place, want %d", len(got), len(want))
			}
		})
	}
}

// TestLeadingSpace: the shortcut agrees with unicode.IsSpace on every
// first rune, and on the bytes that are not one.
func TestLeadingSpace(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		s := string(r) + "x"
		if got, want := leadingSpace(s), unicode.IsSpace(r); got != want || leadingSpace([]byte(s)) != want {
			t.Errorf("%U: leadingSpace %v, unicode.IsSpace %v", r, got, want)
		}
	}
	for b := 0x80; b <= 0xff; b++ {
		for _, s := range []string{string([]byte{byte(b)}), string([]byte{byte(b), 0x85}), string([]byte{byte(b), 0xa0, 'x'})} {
			r, _ := utf8.DecodeRuneInString(s)
			if got, want := leadingSpace(s), unicode.IsSpace(r); got != want {
				t.Errorf("%q: leadingSpace %v, unicode.IsSpace %v", s, got, want)
			}
		}
	}
}

// TestLargeTableSyncFails: a sync along the way that fails fails the
// table, though the file's own fsync at the end would not see the error
// again, and nothing is put in place.
func TestLargeTableSyncFails(t *testing.T) {
	failure := errors.New("injected EIO")
	defer func(f func(*os.File) error) { syncFile = f }(syncFile)
	syncFile = func(*os.File) error { return failure }
	path := filepath.Join(t.TempDir(), "big.csv")
	tbl, err := Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Abort()
	tbl.Sheet("x", []string{"h"})
	row := []byte(strings.Repeat("x", 1<<20-1) + "\n")
	for range 2*syncEvery>>20 + 1 {
		if err := tbl.Encoded(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := tbl.Close(); !errors.Is(err, failure) {
		t.Fatalf("Close = %v, want the sync's error", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a table whose sync failed is in place")
	}
}
