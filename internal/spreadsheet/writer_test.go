package spreadsheet

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.AddSheet("Чистые", []string{"Телефон", "Имя", "Попыток", "Доля", "Код"}))
	must(w.WriteRow([]any{"+79161234567", "Иванов", 3, 0.5, "0012"}))
	must(w.WriteRow([]any{"=1+1", " пробел ", int64(79161234567), float64(79161234567), nil}))
	must(w.WriteRow([]any{"79161234567", "", 0, -1.25, "007"}))
	must(w.AddSheet("Отбраковка", []string{"Строка", "Причина"}))
	must(w.WriteRow([]any{14, "invalid"}))
	must(w.AddSheet("Без заголовка", nil))
	must(w.WriteRow([]any{"x"}))
	must(w.Close())

	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), "|"), "Чистые|Отбраковка|Без заголовка"; got != want {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	tests := []struct {
		sheet, cell, want string
		typ               excelize.CellType
	}{
		{"Чистые", "A1", "Телефон", excelize.CellTypeInlineString},
		{"Чистые", "A2", "+79161234567", excelize.CellTypeInlineString},
		{"Чистые", "C2", "3", excelize.CellTypeUnset}, // a number: no t attribute
		{"Чистые", "D2", "0.5", excelize.CellTypeUnset},
		{"Чистые", "E2", "0012", excelize.CellTypeInlineString},
		{"Чистые", "A3", "=1+1", excelize.CellTypeInlineString},
		{"Чистые", "B3", " пробел ", excelize.CellTypeInlineString},
		{"Чистые", "C3", "79161234567", excelize.CellTypeUnset},
		{"Чистые", "D3", "79161234567", excelize.CellTypeUnset},
		{"Чистые", "E3", "", excelize.CellTypeUnset},
		{"Чистые", "A4", "79161234567", excelize.CellTypeInlineString},
		{"Чистые", "E4", "007", excelize.CellTypeInlineString},
		{"Отбраковка", "A1", "Строка", excelize.CellTypeInlineString},
		{"Отбраковка", "A2", "14", excelize.CellTypeUnset},
		{"Отбраковка", "B2", "invalid", excelize.CellTypeInlineString},
		{"Без заголовка", "A1", "x", excelize.CellTypeInlineString},
	}
	for _, tt := range tests {
		got, err := f.GetCellValue(tt.sheet, tt.cell, excelize.Options{RawCellValue: true})
		if err != nil || got != tt.want {
			t.Errorf("%s!%s = %q, %v; want %q", tt.sheet, tt.cell, got, err, tt.want)
		}
		typ, err := f.GetCellType(tt.sheet, tt.cell)
		if err != nil || typ != tt.typ {
			t.Errorf("%s!%s type = %v, %v; want %v", tt.sheet, tt.cell, typ, err, tt.typ)
		}
	}
	// The header is bold and frozen.
	style, _ := f.GetCellStyle("Чистые", "B1")
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("header style = %+v, %v; want bold", s, err)
	}
	if panes, err := f.GetPanes("Чистые"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want the header frozen", panes, err)
	}
	if style, _ := f.GetCellStyle("Чистые", "B2"); style != 0 {
		t.Errorf("data cell has style %d, want none", style)
	}
}

func TestWriterSheetNames(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, name := range []string{"a/b:c", "A/B:C", "", "'quoted'", strings.Repeat("я", 40), strings.Repeat("я", 40)} {
		if err := w.AddSheet(name, []string{"h"}); err != nil {
			t.Fatalf("AddSheet(%q): %v", name, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"a_b_c", "A_B_C (2)", "Sheet", "quoted", strings.Repeat("я", 31), strings.Repeat("я", 27) + " (2)"}
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sheets = %q, want %q", got, want)
	}
}

func TestWriterErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func(w *Writer) error
		want string
	}{
		{"row before sheet", func(w *Writer) error { return w.WriteRow([]any{"x"}) }, "before AddSheet"},
		{"unsupported type", func(w *Writer) error {
			w.AddSheet("s", nil)
			return w.WriteRow([]any{"x", struct{}{}})
		}, "row 1, column B: unsupported cell type struct {}"},
		{"NaN", func(w *Writer) error {
			w.AddSheet("s", nil)
			return w.WriteRow([]any{math.NaN()})
		}, "not a number"},
		{"long text", func(w *Writer) error {
			w.AddSheet("s", []string{"h"})
			return w.WriteRow([]any{strings.Repeat("ж", MaxCellChars+1)})
		}, "row 2, column A: text of 32768 characters"},
		{"after close", func(w *Writer) error {
			w.Close()
			return w.AddSheet("s", nil)
		}, "closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWriter(&bytes.Buffer{})
			err := tt.run(w)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			// The first error sticks.
			if err2 := w.Close(); tt.name != "after close" && (err2 == nil || err2.Error() != err.Error()) {
				t.Errorf("Close = %v, want %v", err2, err)
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterOutputError(t *testing.T) {
	w := NewWriter(failWriter{})
	if err := w.AddSheet("s", []string{"h"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Close = %v, want disk full", err)
	}
}

func TestWriterEmptyWorkbook(t *testing.T) {
	var buf bytes.Buffer
	if err := NewWriter(&buf).Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", i, got, want)
		}
	}
}
