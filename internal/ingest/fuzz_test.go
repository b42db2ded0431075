package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbase/callbase/internal/callbase"
)

// FuzzCSV reads arbitrary bytes as a CSV file: it must not panic or hang,
// every error must be an InputError naming the file, and rows must come
// with lines that are positive and increasing.
func FuzzCSV(f *testing.F) {
	for _, pattern := range []string{"*.csv", "*.txt"} {
		files, _ := filepath.Glob(filepath.Join(testdata, pattern))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, s := range []string{
		"", "\n\n", "Имя;Телефон\n", "\"", "a;\"b\nc\";d\n\"\"\"\n", "\r\r\r", "\xef\xbb\xbf", "\xff\xfe", "\xfe\xff\x00",
		"Телефон\n89161234567\n+7 916 123-45-67\n", "<html>", "\x00\x00\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "base.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		checkErr := func(err error) {
			t.Helper()
			var ie *callbase.InputError
			if !errors.As(err, &ie) || ie.File != path || ie.Row < 0 {
				t.Fatalf("error %v (%T) is not an InputError naming the file", err, err)
			}
		}
		r, err := Open(path, Options{})
		if err != nil {
			checkErr(err)
			return
		}
		defer r.Close()
		for {
			tb, err := r.NextTable()
			if err == io.EOF {
				break
			}
			if err != nil {
				checkErr(err)
				continue
			}
			if len(tb.Header) == 0 || len(tb.PhoneCols) == 0 || tb.HeaderRow < 0 {
				t.Fatalf("table %+v", tb)
			}
			for _, c := range tb.PhoneCols {
				if c < 0 || c >= len(tb.Header) {
					t.Fatalf("phone column %d of %d", c, len(tb.Header))
				}
			}
			last := tb.HeaderRow
			for _, s := range tb.Skipped {
				if s.Line <= 0 || (tb.HeaderRow > 0 && s.Line >= tb.HeaderRow) {
					t.Fatalf("skipped line %d, header at %d", s.Line, tb.HeaderRow)
				}
				last = max(last, s.Line)
			}
			for {
				row, err := tb.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					checkErr(err)
					break
				}
				if row.Line <= last {
					t.Fatalf("line %d after %d", row.Line, last)
				}
				last = row.Line
				if len(row.Cells) < len(tb.Header) {
					t.Fatalf("line %d: %d cells, %d columns", row.Line, len(row.Cells), len(tb.Header))
				}
			}
		}
		if done, total := r.Progress(); done > total {
			t.Fatalf("progress %d/%d", done, total)
		}
	})
}

// BenchmarkReadCSV reads a generated base of 50,000 rows in Windows-1251.
func BenchmarkReadCSV(b *testing.B) {
	const rows = 50000
	var sb strings.Builder
	sb.WriteString("Выгрузка клиентов за ноябрь 2026\r\nФИО;Телефон;Город;Компания;Комментарий\r\n")
	cities := []string{"Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург", "Хабаровск"}
	phones := []string{"+7 (916) %03d-%02d-%02d", "8 903 %03d %02d %02d", "8916%03d%02d%02d", "\"8 (495) %03d-%02d-%02d; 89031234567\""}
	for i := range rows {
		p := fmt.Sprintf(phones[i%len(phones)], 100+i%900, i/900%100, i%100)
		fmt.Fprintf(&sb, "Клиент %d Иванович;%s;%s;\"ООО \"\"Ромашка-%d\"\"\";перезвонить после 15:00\r\n", i, p, cities[i%len(cities)], i%97)
	}
	data := encoderFor(enc1251)
	raw, err := data.Bytes([]byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "base.csv")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		r, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		tb, err := r.NextTable()
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := tb.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows || r.Format() != "csv windows-1251 ';'" || tb.HeaderRow != 2 {
			b.Fatalf("%d rows, format %s, header at %d", n, r.Format(), tb.HeaderRow)
		}
		r.Close()
	}
	b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
}
