package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/phone"
)

// writeCSV writes n rows whose phone cell i holds the number 8916000000i.
func writeCSV(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Имя;Телефон\n")
	for i := range n {
		fmt.Fprintf(&b, "Клиент %d;8916%07d\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "base.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type recorder struct {
	tables int
	lines  []int
	keys   []uint64
	stopAt int // return errStop at this row, when > 0
}

var errStop = errors.New("stop")

func (r *recorder) Table(int, *ingest.Table) error { r.tables++; return nil }
func (r *recorder) Row(row *Row) error {
	r.lines = append(r.lines, row.Line)
	for _, n := range row.Numbers {
		if n.Key != n.Number.Key() {
			return fmt.Errorf("%s: found with key %d", n.E164, n.Key)
		}
		r.keys = append(r.keys, n.Key)
	}
	if r.stopAt > 0 && len(r.lines) == r.stopAt {
		return errStop
	}
	return nil
}

func open(t *testing.T, path string) *ingest.Reader {
	t.Helper()
	r, err := ingest.Open(path, ingest.Options{Region: "RU"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestFileKeepsOrder: however the workers interleave, rows arrive in file
// order with their numbers.
func TestFileKeepsOrder(t *testing.T) {
	const n = 5000 // several batches
	path := writeCSV(t, n)
	for _, workers := range []int{1, 2, 7} {
		rec := &recorder{}
		if err := File(context.Background(), open(t, path), Options{Region: "RU", Workers: workers}, rec); err != nil {
			t.Fatal(err)
		}
		if rec.tables != 1 || len(rec.lines) != n || len(rec.keys) != n {
			t.Fatalf("workers %d: %d tables, %d rows, %d numbers", workers, rec.tables, len(rec.lines), len(rec.keys))
		}
		for i := range n {
			if rec.lines[i] != i+2 || rec.keys[i] != 79160000000+uint64(i) {
				t.Fatalf("workers %d: row %d is line %d with %d", workers, i, rec.lines[i], rec.keys[i])
			}
		}
	}
}

func TestFileStopsOnHandlerError(t *testing.T) {
	rec := &recorder{stopAt: 1000}
	err := File(context.Background(), open(t, writeCSV(t, 20000)), Options{Region: "RU"}, rec)
	if !errors.Is(err, errStop) || len(rec.lines) != 1000 {
		t.Errorf("err %v after %d rows; want errStop after 1000", err, len(rec.lines))
	}
}

func TestFileStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder{}
	h := handlerFunc(func(row *Row) error {
		if row.Line == 500 {
			cancel()
		}
		return rec.Row(row)
	})
	err := File(ctx, open(t, writeCSV(t, 50000)), Options{Region: "RU"}, h)
	if !errors.Is(err, context.Canceled) || len(rec.lines) == 50000 {
		t.Errorf("err %v after %d rows; want context.Canceled before the end", err, len(rec.lines))
	}
}

type handlerFunc func(*Row) error

func (f handlerFunc) Table(int, *ingest.Table) error { return nil }
func (f handlerFunc) Row(r *Row) error               { return f(r) }

var scan0 = Found{Col: -1}

func TestNormalizeRowRejects(t *testing.T) {
	norm, err := phone.NewNormalizer("RU")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cells   []string
		numbers int
		rejects []phone.Reason
	}{
		{[]string{"x", "89161234567", ""}, 1, nil},              // an empty second phone cell is no reject
		{[]string{"x", "", ""}, 0, []phone.Reason{phone.Empty}}, // a row with nothing: one empty
		{[]string{"x", "12-34", ""}, 0, []phone.Reason{phone.TooShort}},
		{[]string{"x", "нет", "89161234567"}, 1, []phone.Reason{phone.NoDigits}},
		{[]string{"x"}, 0, []phone.Reason{phone.Empty}}, // shorter than its phone columns
	}
	// All rows share one arena, as the rows of a batch do; a row's slices
	// must not reach into the next row's, even when appended to.
	var ar arena
	rows := make([]Row, len(tests))
	for i, tt := range tests {
		rows[i].Cells = tt.cells
		normalizeRow(norm, &rows[i], []int{1, 2}, nil, &ar)
		_ = append(rows[i].Numbers, scan0)
		_ = append(rows[i].Rejects, Reject{Reason: phone.TooLong})
	}
	for i, tt := range tests {
		row := &rows[i]
		var reasons []phone.Reason
		for _, r := range row.Rejects {
			reasons = append(reasons, r.Reason)
		}
		if len(row.Numbers) != tt.numbers || fmt.Sprint(reasons) != fmt.Sprint(tt.rejects) {
			t.Errorf("%q: %d numbers, rejects %v; want %d, %v", tt.cells, len(row.Numbers), reasons, tt.numbers, tt.rejects)
		}
	}
}
