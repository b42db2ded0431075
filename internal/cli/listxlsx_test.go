package cli

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestExportXLSXMatchesCSV: a list written as XLSX holds the cells the
// same list holds as CSV, but for the apostrophe CSV puts before a text
// that would run as a formula (XLSX cells are text): the number, its
// readable form, the agent, the attempts as a number, the original
// columns. The two lists are made at the same instant from copies of one
// database, so they are the same list.
func TestExportXLSXMatchesCSV(t *testing.T) {
	db := tempDB(t)
	base := "Имя;Телефон;Комментарий;Город\n" +
		"Иванов;+79161234567;=1+1;Москва\n" +
		"Петров;8 (495) 123-45-67;обычный;\n" +
		"Сидоров;+375 29 123-45-67;-3+4;Минск\n" +
		"Кузнецов;+79031112233;\"a, \"\"quoted\"\" cell\";Тверь\n"
	mustRun(t, db, "import", writeFile(t, "base.csv", base), "--base", "a")
	dir := t.TempDir()
	copyDB := filepath.Join(dir, "copy.db")
	data, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyDB, data, 0o600); err != nil {
		t.Fatal(err)
	}
	const now = "2026-11-27T10:00:00Z"
	csvPath, xlsxPath := filepath.Join(dir, "list.csv"), filepath.Join(dir, "list.xlsx")
	mustRun(t, db, "--now", now, "export", "-o", csvPath, "--agents", "ivanova,petrov")
	mustRun(t, copyDB, "--now", now, "export", "-o", xlsxPath, "--agents", "ivanova,petrov")

	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenFile(xlsxPath)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	got, err := book.GetRows("calls")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(want) != 5 {
		t.Fatalf("XLSX %d rows, CSV %d, want 5 each:\n%q\n%q", len(got), len(want), got, want)
	}
	attempts := slices.Index(want[0], "attempts")
	for i := range want {
		g := got[i]
		for len(g) < len(want[i]) { // GetRows drops trailing empty cells
			g = append(g, "")
		}
		for j, w := range want[i] {
			if g[j] != w && "'"+g[j] != w {
				t.Errorf("row %d, %s: XLSX %q, CSV %q", i, want[0][j], g[j], w)
			}
		}
		if i > 0 {
			cell, _ := excelize.CoordinatesToCellName(attempts+1, i+1)
			if typ, err := book.GetCellType("calls", cell); err != nil || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
				t.Errorf("row %d: attempts is a cell of type %v (%v), want a number", i, typ, err)
			}
		}
	}
}
