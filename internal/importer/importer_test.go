package importer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbase/callbase/internal/store"
)

var at = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "callbase.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestFilesWorkbook(t *testing.T) {
	st := openStore(t)
	path := filepath.Join("..", "..", "testdata", "ingest", "two_sheets.xlsx")
	sums, err := Files(context.Background(), st, []string{path}, Options{Base: "b", Region: "RU", At: at})
	if err != nil {
		t.Fatal(err)
	}
	s := sums[0]
	if s.Format != "xlsx" || s.Rows != 9 || s.Numbers != 13 || s.Unique != 12 || s.New != 12 || s.FileDuplicates != 1 || s.Rejects["no_digits"] != 1 {
		t.Errorf("summary %+v", s)
	}
	if err := st.Check(context.Background()); err != nil {
		t.Error(err)
	}
	var b strings.Builder
	if err := st.Dump(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	// Rows keep their original fields; both sheets' headers are kept.
	for _, want := range []string{`["Иванов Иван Иванович","79161234567","89031234567"`, "|Клиенты|", "|Новые|"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("database lacks %s", want)
		}
	}
}

// writeBase writes a CSV base of n rows with realistic dirty phone cells,
// about one number in seven repeated in another shape.
func writeBase(tb testing.TB, n int) string {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("ФИО;Город;Телефон;Комментарий\n")
	for i := range n {
		num := 9000000000 + rng.Int64N(999999999)
		if i%7 == 0 && i > 0 {
			num = 9000000000 + int64(i)%999999999 // a repeat of an earlier shape below
		}
		var cell string
		switch i % 5 {
		case 0:
			cell = fmt.Sprintf("+7 (%03d) %03d-%02d-%02d", num/1e7, num/1e4%1000, num/100%100, num%100)
		case 1:
			cell = fmt.Sprintf("8%d", num)
		case 2:
			cell = fmt.Sprintf("8 %03d %03d %02d %02d", num/1e7, num/1e4%1000, num/100%100, num%100)
		case 3:
			cell = fmt.Sprintf("7%d, 8%d", num, num-1)
		case 4:
			cell = fmt.Sprintf("тел. %d", num)
		}
		fmt.Fprintf(&b, "Клиент %d;Москва;%s;комментарий\n", i, cell)
	}
	path := filepath.Join(tb.TempDir(), "base.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkImport imports a 50,000-row base into an empty database.
func BenchmarkImport(b *testing.B) {
	path := writeBase(b, 50_000)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	for b.Loop() {
		b.StopTimer()
		st := openStore(b)
		b.StartTimer()
		if _, err := Files(context.Background(), st, []string{path}, Options{Base: "b", Region: "RU", At: at}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/50_000, "ns/row")
}
