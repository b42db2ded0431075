package phone

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/callbase/callbase/internal/gen"
)

// realisticCells is a purchased base in miniature: mostly mobiles written
// every way, some landlines with extensions, toll free, several numbers per
// cell, foreign numbers, floats and junk. Numbers are random so that the
// cache only helps as much as real duplicates would (about 5%).
func realisticCells(n int) []string {
	rng := rand.New(rand.NewPCG(7, 7))
	cells := make([]string, n)
	for i := range cells {
		if i > 20 && rng.IntN(20) == 0 {
			cells[i] = cells[rng.IntN(i)] // a duplicate
			continue
		}
		op, sub := 900+rng.IntN(100), rng.IntN(10_000_000)
		a, b, c := sub/10000, sub/100%100, sub%100
		city := []int{495, 499, 812, 343, 383, 4212, 861, 8442}[rng.IntN(8)]
		switch k := rng.IntN(100); {
		case k < 25:
			cells[i] = fmt.Sprintf("+7 (%d) %03d-%02d-%02d", op, a, b, c)
		case k < 45:
			cells[i] = fmt.Sprintf("8%d%07d", op, sub)
		case k < 55:
			cells[i] = fmt.Sprintf("8 %d %03d %02d %02d", op, a, b, c)
		case k < 62:
			cells[i] = fmt.Sprintf("7%d%07d", op, sub)
		case k < 67:
			cells[i] = fmt.Sprintf("моб. 8-%d-%03d-%02d-%02d (Иван)", op, a, b, c)
		case k < 75:
			cells[i] = landline(city, sub)
		case k < 78:
			cells[i] = landline(city, sub) + fmt.Sprintf(" доб. %d", rng.IntN(1000))
		case k < 83:
			cells[i] = fmt.Sprintf("8%d%07d; 8%d%07d", op, sub, 900+rng.IntN(100), rng.IntN(10_000_000))
		case k < 85:
			cells[i] = fmt.Sprintf("8-800-%03d-%02d-%02d", a, b, c)
		case k < 87:
			cells[i] = fmt.Sprintf("+375 29 %03d-%02d-%02d", a, b, c)
		case k < 90:
			cells[i] = fmt.Sprintf("7%d%07d.0", op, sub)
		case k < 92:
			cells[i] = fmt.Sprintf("7.%05dE+10", rng.IntN(100_000))
		case k < 94:
			cells[i] = ""
		case k < 96:
			cells[i] = "нет"
		default:
			cells[i] = fmt.Sprintf("%03d-%02d-%02d", a, b, c)
		}
	}
	return cells
}

// landline writes a city number as people do: 8 (495) 123-45-67, 8 (4212) 45-67-89.
func landline(city, sub int) string {
	if city >= 1000 {
		sub %= 1_000_000
		return fmt.Sprintf("8 (%d) %02d-%02d-%02d", city, sub/10000, sub/100%100, sub%100)
	}
	return fmt.Sprintf("8 (%d) %03d-%02d-%02d", city, sub/10000, sub/100%100, sub%100)
}

// BenchmarkCell reads a realistic base, with a fresh Normalizer for every
// pass so that its cache and prefix table help no more than in one import
// of half a million rows per core.
func BenchmarkCell(b *testing.B) {
	cells := realisticCells(500_000)
	var nz *Normalizer
	var dst []Result
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%len(cells) == 0 {
			nz = newRU(b)
		}
		dst = nz.AppendCell(dst[:0], cells[i%len(cells)])
	}
}

func BenchmarkCellMobile(b *testing.B) {
	nz := newRU(b)
	var dst []Result
	b.ReportAllocs()
	for b.Loop() {
		dst = nz.AppendCell(dst[:0], "+7 (916) 123-45-67")
	}
}

func BenchmarkCellLandline(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	cells := make([]string, 100_000)
	for i := range cells {
		cells[i] = landline(495, rng.IntN(10_000_000))
	}
	nz := newRU(b)
	var dst []Result
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dst = nz.AppendCell(dst[:0], cells[i%len(cells)])
	}
}

// generatedCells are the phone cells of a generated base of 200,000 rows.
var generatedCells = sync.OnceValues(func() ([]string, error) {
	var buf bytes.Buffer
	if _, err := gen.Write(&buf, gen.Options{Rows: 200_000, Seed: 11}); err != nil {
		return nil, err
	}
	r := csv.NewReader(&buf)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	cells := make([]string, 0, 2*len(recs))
	for _, rec := range recs[1:] {
		cells = append(cells, rec[gen.ColPhone], rec[gen.ColPhone2])
	}
	return cells, nil
})

func cellsOf(t testing.TB) []string {
	t.Helper()
	cells, err := generatedCells()
	if err != nil {
		t.Fatal(err)
	}
	return cells
}

// foreignCells are the cells of the generated base that hold a number of
// another country (Kazakhstan included), and those numbers.
func foreignCells(b *testing.B) (cells, e164s []string) {
	nz := newRU(b)
	for _, cell := range cellsOf(b) {
		foreign := false
		for _, r := range nz.Cell(cell) {
			if r.Reason == OK && r.Country != "RU" {
				foreign = true
				e164s = append(e164s, r.E164)
			}
		}
		if foreign {
			cells = append(cells, cell)
		}
	}
	return cells, e164s
}

// BenchmarkCellForeign reads the cells of a generated base that hold
// foreign numbers, +375 29 123-45-67, 810 375 ..., 8 701 ..., with one
// Normalizer.
func BenchmarkCellForeign(b *testing.B) {
	cells, _ := foreignCells(b)
	nz := newRU(b)
	var dst []Result
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dst = nz.AppendCell(dst[:0], cells[i%len(cells)])
	}
}

// BenchmarkReadableForeign formats the foreign numbers of a generated base.
func BenchmarkReadableForeign(b *testing.B) {
	_, e164s := foreignCells(b)
	nz := newRU(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		nz.Readable(e164s[i%len(e164s)])
	}
}

// BenchmarkAppendReadableForeign appends the readable forms of the foreign
// numbers of a generated base to a buffer, as clean does.
func BenchmarkAppendReadableForeign(b *testing.B) {
	_, e164s := foreignCells(b)
	nz := newRU(b)
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = nz.AppendReadable(buf[:0], e164s[i%len(e164s)])
	}
}

// BenchmarkReadableForeignCold formats each foreign number of a generated
// base once, with a normalizer that has met none of them, as an export
// does: ns/op is per number.
func BenchmarkReadableForeignCold(b *testing.B) {
	_, e164s := foreignCells(b)
	slices.Sort(e164s)
	e164s = slices.Compact(e164s)
	b.ReportAllocs()
	for b.Loop() {
		nz := newRU(b)
		nz.alone = true
		for _, e164 := range e164s {
			nz.Readable(e164)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(e164s)), "ns/number")
}

// BenchmarkCellForeignCold reads the cells of a generated base that hold
// foreign numbers with a normalizer that has learned no block yet, as the
// first file of a run does: ns/op is per cell, learning included.
func BenchmarkCellForeignCold(b *testing.B) {
	cells, _ := foreignCells(b)
	var dst []Result
	b.ReportAllocs()
	for b.Loop() {
		nz := newRU(b)
		nz.alone = true
		for _, cell := range cells {
			dst = nz.AppendCell(dst[:0], cell)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cells)), "ns/cell")
}
