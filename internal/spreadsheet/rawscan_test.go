package spreadsheet

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// scanWorkbook is a sheet of every kind of cell the sheet scan meets:
// numbers in lossy and plain formats, text of every style, shared and
// inline strings, formulas, booleans, dates, gaps between cells and rows.
func scanWorkbook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	custom := func(code string) *excelize.Style { return &excelize.Style{CustomNumFmt: &code} }
	styles := []int{0, style(&excelize.Style{NumFmt: 11}), style(&excelize.Style{NumFmt: 3}),
		style(&excelize.Style{NumFmt: 14}), style(&excelize.Style{NumFmt: 49}), style(&excelize.Style{Font: &excelize.Font{Bold: true}}),
		style(custom(`"+7 "@`)), style(custom("# ##0")), style(&excelize.Style{NumFmt: 2})}
	values := []any{79161234567, "79161234567", "7.91612E+10", 7.9161234567e10, "8 916 123-45-67", 1500.5,
		"Иванов <&> \"Ко\"", true, time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), 1234567890123456789, -79161234567, 0.25, ""}
	row := 1
	for i, v := range values {
		for j, s := range styles {
			row += (i + j) % 3 // gaps between rows
			col := 1
			for k := range 4 {
				cell, _ := excelize.CoordinatesToCellName(col, row)
				switch k {
				case 0:
					f.SetCellValue("Sheet1", cell, v)
				case 1:
					f.SetCellStr("Sheet1", cell, fmt.Sprint(v))
				case 2:
					f.SetCellFormula("Sheet1", cell, fmt.Sprintf("A%d", row))
				case 3:
					f.SetCellValue("Sheet1", cell, "7.9161234567E+10")
				}
				f.SetCellStyle("Sheet1", cell, cell, s)
				col += 1 + k%2 // a gap between cells
			}
		}
	}
	// An inline string, as callbase's own writer and others write them.
	f.NewSheet("Inline")
	sw, err := f.NewStreamWriter("Inline")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= 20; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		sw.SetRow(cell, []any{"7.91612E+10", 79161234567 + r, excelize.Cell{StyleID: styles[1], Value: 79161234567}, "a & b"})
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "scan.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// The sheet scan must give, for every row it answers, exactly the cells
// excelize's raw reading gives; and it must answer every row of a plain
// sheet, or it saves nothing.
func TestScanMatchesExcelizeRaw(t *testing.T) {
	files := []string{scanWorkbook(t), filepath.Join(testdata, "two_sheets.xlsx"), filepath.Join(testdata, "title_numeric.xlsx")}
	// callbase's own writer: inline strings, a styled header.
	own := filepath.Join(t.TempDir(), "own.xlsx")
	out, err := os.Create(own)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter(out)
	w.AddSheet("База", []string{"ФИО", "Телефон"})
	for i := range 50 {
		w.WriteRow([]any{fmt.Sprintf("Иванов %d", i), []string{"7.91612E+10", "+7 916 123-45-67", "", "79161234567"}[i%4], i})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	files = append(files, own)

	for _, path := range files {
		for _, step := range []int{1, 3} { // every row asked for, or every third: the others are skipped
			compareScan(t, path, own, step)
		}
	}
}

// compareScan asks the scan for every step-th row of each sheet of path
// and compares its answers with excelize's raw reading.
func compareScan(t *testing.T, path, own string, step int) {
	t.Helper()
	book, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	x := book.xlsx
	for _, sheet := range book.Sheets() {
		formatted, _ := x.f.Rows(sheet)
		raw, _ := x.f.Rows(sheet)
		var sc scanState
		row, asked, answered := 0, 0, 0
		for formatted.Next() {
			row++
			if !raw.Next() {
				t.Fatalf("%s %s: raw reading ends before row %d", path, sheet, row)
			}
			f, _ := formatted.Columns()
			want, _ := raw.Columns(excelize.Options{RawCellValue: true})
			if row%step != 0 {
				continue
			}
			asked++
			got, ok := x.scanned(&sc, sheet, row, f)
			if !ok {
				continue
			}
			answered++
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("%s %s row %d: scan %q, excelize raw %q", filepath.Base(path), sheet, row, got, want)
			}
		}
		formatted.Close()
		raw.Close()
		if sc.s != nil {
			sc.s.close()
		}
		t.Logf("%s %s, every %d: %d of %d rows answered by the scan", filepath.Base(path), sheet, step, answered, asked)
		// Sheets of plain numbers and unstyled text must be read by
		// the scan whole; the awkward sheet at least in part.
		plain := path == own || sheet == "Inline"
		awkward := filepath.Base(path) == "scan.xlsx" && sheet == "Sheet1"
		if plain && answered != asked || awkward && answered == 0 {
			t.Errorf("%s %s: the scan answered only %d of %d rows", filepath.Base(path), sheet, answered, asked)
		}
	}
}

// Sheets the scan does not read as excelize does must make it give up, not
// answer: hand-written sheet XML of each awkward kind.
func TestScanGivesUp(t *testing.T) {
	tests := []struct {
		name string
		data string // the content of <sheetData>
		row  int
		want []string // nil: the scan must not answer
	}{
		{"plain", `<row r="1"><c r="A1"><v>79161234567</v></c><c r="C1" t="inlineStr"><is><t>x</t></is></c></row>`, 1, []string{"79161234567"}},
		{"no r attributes", `<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>`, 2, []string{"3"}},
		{"comment and whitespace", "<!-- x -->\n <row r=\"1\">\n <c r=\"B1\"><v>5</v></c></row>", 1, []string{"", "5"}},
		{"formula without value", `<row r="1"><c r="B1"><f>A1</f></c></row>`, 1, []string{"", ""}},
		{"entity in value", `<row r="1"><c r="A1"><v>1&#48;</v></c></row>`, 1, nil},
		{"CDATA in value", `<row r="1"><c r="A1"><v><![CDATA[10]]></v></c></row>`, 1, nil},
		{"prefixed cell", `<row r="1"><x:c r="A1"><x:v>10</x:v></x:c></row>`, 1, nil},
		{"rows out of order", `<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>`, 2, nil},
		{"cells out of order", `<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>`, 1, nil},
		{"entity in type", `<row r="1"><c r="A1" t="&#115;"><v>0</v></c></row>`, 1, nil},
		{"boolean", `<row r="1"><c r="A1" t="b"><v>1</v></c></row>`, 1, nil},
		{"row missing", `<row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="A3"><v>1</v></c></row>`, 2, nil},
		{"unknown child", `<row r="1"><c r="A1"><extLst/><v>1</v></c></row>`, 1, nil},
		{"quoted >", `<row r="1" spans='1:2' x14ac:dyDescent="a>b"><c r="A1"><v>7</v></c></row>`, 1, []string{"7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hand.xlsx")
			writeSheetXML(t, path, tt.data)
			s, err := openSheetScan(path, "Sheet1")
			if err != nil {
				t.Fatal(err)
			}
			defer s.close()
			x := &xlsxBook{}
			got, ok := x.scanned(&scanState{s: s}, "Sheet1", tt.row, nil)
			if tt.want == nil {
				if ok {
					t.Errorf("answered %q; want no answer", got)
				}
				return
			}
			if !ok || !slices.Equal(got, tt.want) {
				t.Errorf("got %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

// writeSheetXML writes a workbook of one sheet, Sheet1, whose sheetData
// holds data, by rewriting the sheet part of a workbook excelize made.
func writeSheetXML(t *testing.T, path, data string) {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), "base.xlsx")
	if err := excelize.NewFile().SaveAs(tmp); err != nil {
		t.Fatal(err)
	}
	z, err := zip.OpenReader(tmp)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range z.File {
		w, _ := zw.Create(f.Name)
		rc, _ := f.Open()
		if f.Name == "xl/worksheets/sheet1.xml" {
			b, _ := io.ReadAll(rc)
			s := string(b)
			start, end := strings.Index(s, "<sheetData"), strings.Index(s, "</sheetData>")
			if end < 0 {
				end = strings.Index(s[start:], "/>") + start + 2 - len("</sheetData>")
			}
			s = s[:start] + `<sheetData xmlns:x="urn:x" xmlns:x14ac="urn:y">` + data + s[end:]
			io.WriteString(w, s)
		} else {
			io.Copy(w, rc)
		}
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
