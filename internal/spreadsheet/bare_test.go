package spreadsheet

import (
	"os"
	"testing"

	"github.com/xuri/excelize/v2"
)

// BenchmarkExcelizeBare reads every row of the first sheet of the workbook
// named by $CALLBASE_BENCH_XLSX with excelize's streaming reader and
// nothing else: the floor an XLSX import is measured against (.ci/bench).
func BenchmarkExcelizeBare(b *testing.B) {
	path := os.Getenv("CALLBASE_BENCH_XLSX")
	if path == "" {
		b.Skip("set CALLBASE_BENCH_XLSX to a workbook")
	}
	for b.Loop() {
		f, err := excelize.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		rows, err := f.Rows(f.GetSheetList()[0])
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			if _, err := rows.Columns(); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		f.Close()
		b.ReportMetric(float64(n), "rows")
	}
}

// BenchmarkBookRows is the same read through Book, as callbase reads.
func BenchmarkBookRows(b *testing.B) {
	path := os.Getenv("CALLBASE_BENCH_XLSX")
	if path == "" {
		b.Skip("set CALLBASE_BENCH_XLSX to a workbook")
	}
	for b.Loop() {
		book, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		rows, err := book.Rows(book.Sheets()[0])
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
		book.Close()
		b.ReportMetric(float64(n), "rows")
	}
}
