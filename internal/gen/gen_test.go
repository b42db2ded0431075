package gen

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/numplan"
	"github.com/callbase/callbase/internal/phone"
	"github.com/callbase/callbase/internal/spreadsheet"
	"golang.org/x/text/encoding/charmap"
)

func write(t testing.TB, opts Options) ([]byte, Stats) {
	t.Helper()
	var b bytes.Buffer
	st, err := Write(&b, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Bytes != int64(b.Len()) {
		t.Errorf("Stats.Bytes = %d, wrote %d", st.Bytes, b.Len())
	}
	return b.Bytes(), st
}

func readCSV(t testing.TB, data []byte, delim rune) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delim
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestDeterministic(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		a, _ := write(t, Options{Rows: 2000, Seed: 1, Format: format})
		b, _ := write(t, Options{Rows: 2000, Seed: 1, Format: format})
		c, _ := write(t, Options{Rows: 2000, Seed: 2, Format: format})
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the same seed gave different bytes", format)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%s: seeds 1 and 2 gave the same bytes", format)
		}
	}
	// A smaller base of the same seed is the beginning of a bigger one.
	small, _ := write(t, Options{Rows: 500, Seed: 7})
	big, _ := write(t, Options{Rows: 1000, Seed: 7})
	if !bytes.HasPrefix(big, small) {
		t.Error("500 rows of seed 7 are not the first 500 of 1000")
	}
}

func TestRowsAndHeader(t *testing.T) {
	for _, tc := range []struct {
		opts  Options
		delim rune
	}{
		{Options{Rows: 1234, Seed: 3}, ';'},
		{Options{Rows: 1234, Seed: 3, Delimiter: ',', CRLF: true}, ','},
		{Options{Rows: 1234, Seed: 3, Delimiter: '\t'}, '\t'},
		{Options{Rows: 1234, Seed: 3, Delimiter: '|'}, '|'},
		{Options{Rows: 0, Seed: 3}, ';'},
	} {
		data, st := write(t, tc.opts)
		recs := readCSV(t, data, tc.delim)
		if !slices.Equal(recs[0], Header) {
			t.Errorf("%+v: header %q", tc.opts, recs[0])
		}
		if len(recs)-1 != tc.opts.Rows || st.Rows != tc.opts.Rows {
			t.Errorf("%+v: %d rows, Stats.Rows %d", tc.opts, len(recs)-1, st.Rows)
		}
		if tc.opts.CRLF != bytes.Contains(data, []byte("\r\n")) {
			t.Errorf("%+v: CRLF in the output is %v", tc.opts, !tc.opts.CRLF)
		}
	}
}

// The same base in every encoding, delimiter and line end.
func TestEncodings(t *testing.T) {
	plain, _ := write(t, Options{Rows: 3000, Seed: 4})
	bom, _ := write(t, Options{Rows: 3000, Seed: 4, Encoding: "utf-8-bom"})
	if !bytes.Equal(bom, append([]byte("\uFEFF"), plain...)) {
		t.Error("utf-8-bom is not the BOM and the utf-8 base")
	}
	cp, _ := write(t, Options{Rows: 3000, Seed: 4, Encoding: "cp1251"})
	dec, err := charmap.Windows1251.NewDecoder().Bytes(cp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dec, plain) {
		t.Error("cp1251 base decoded differs from the utf-8 base")
	}
	comma, _ := write(t, Options{Rows: 3000, Seed: 4, Delimiter: ',', CRLF: true})
	if !slices.EqualFunc(readCSV(t, comma, ','), readCSV(t, plain, ';'), slices.Equal) {
		t.Error("the cells of the ',' CRLF base differ from those of the ';' base")
	}
}

func TestOptionErrors(t *testing.T) {
	for _, o := range []Options{
		{Rows: -1},
		{Format: "xls"},
		{Encoding: "koi8-r"},
		{Format: "xlsx", Encoding: "cp1251"},
		{Delimiter: ':'},
		{Overlap: 1.5, OverlapSeed: 2},
		{Overlap: -0.1, OverlapSeed: 2},
		{Seed: 3, Overlap: 0.5, OverlapSeed: 3},
	} {
		if _, err := Write(io.Discard, o); err == nil {
			t.Errorf("Write(%+v) = nil error", o)
		}
	}
}

func newNormalizer(t testing.TB) *phone.Normalizer {
	t.Helper()
	nz, err := phone.NewNormalizer("RU")
	if err != nil {
		t.Fatal(err)
	}
	return nz
}

// Every shape of every kind of number reads back as that number.
func TestShapesReadBack(t *testing.T) {
	nz := newNormalizer(t)
	r := rand.New(rand.NewPCG(1, 1))
	src := newSource(9)
	want := map[kind]struct {
		typ     phone.Type
		country string
	}{
		mobile: {phone.Mobile, "RU"}, landline: {phone.Fixed, "RU"}, tollFree: {phone.TollFree, "RU"},
		kazakh: {phone.Mobile, "KZ"}, dead: {phone.Mobile, "RU"},
	}
	perKind := map[kind]int{}
	for range 5000 {
		n := src.next()
		perKind[n.kind]++
		shapes := len(ruShapes)
		switch n.kind {
		case landline:
			shapes = len(cityShapes)
		case abroad:
			shapes = len(abroadShapes)
		}
		for s := range shapes {
			if n.ext != 0 && isFloat(n, s) {
				continue
			}
			cell := string(render(nil, n, s, r))
			got := nz.Cell(cell)
			e164 := "+" + strconv.FormatUint(n.e164(), 10)
			if len(got) != 1 || got[0].Reason != phone.OK || got[0].E164 != e164 {
				t.Fatalf("kind %d shape %d: Cell(%q) = %+v, want %s", n.kind, s, cell, got, e164)
			}
			if w, ok := want[n.kind]; ok && (got[0].Type != w.typ || got[0].Country != w.country) {
				t.Errorf("kind %d shape %d: Cell(%q) is %s %s, want %s %s", n.kind, s, cell, got[0].Type, got[0].Country, w.typ, w.country)
			}
			if ext := strconv.Itoa(int(n.ext)); n.ext != 0 && got[0].Ext != ext {
				t.Errorf("Cell(%q).Ext = %q, want %q", cell, got[0].Ext, ext)
			}
		}
		if n.kind == mobile || n.kind == landline {
			cell := string(renderLost(nil, n.nsn, 7, r.IntN(2) == 0))
			if got := nz.Cell(cell); len(got) != 1 || got[0].Reason != phone.DigitsLost {
				t.Fatalf("Cell(%q) = %+v, want digits_lost", cell, got)
			}
		}
	}
	for k := mobile; k <= dead; k++ {
		if perKind[k] == 0 {
			t.Errorf("no number of kind %d in 5000", k)
		}
	}
}

func TestRenderLost(t *testing.T) {
	for _, tc := range []struct {
		nsn    uint64
		prefix uint64
		comma  bool
		want   string
	}{
		{9161234567, 7, false, "7.91612E+10"},
		{9161234567, 8, true, "8,91612E+10"},
		{9165678901, 7, false, "7.91657E+10"},
		{9000001234, 7, false, "7.9E+10"},
		{9999996000, 7, false, "8E+10"},
		{9999996000, 9, false, "1E+11"},
	} {
		if got := string(renderLost(nil, tc.nsn, tc.prefix, tc.comma)); got != tc.want {
			t.Errorf("renderLost(%d, %d) = %q, want %q", tc.nsn, tc.prefix, got, tc.want)
		}
	}
}

// Every mobile block is issued whole in the embedded numbering plan, and no
// range is issued under the dead codes.
func TestBlocksAllocated(t *testing.T) {
	plan := numplan.Embedded()
	zones := map[string]bool{}
	for _, reg := range regions {
		if len(reg.mobile) == 0 || len(reg.areas) == 0 {
			t.Errorf("%s: no mobile block or area code", reg.city)
		}
		for _, b := range reg.mobile {
			first := 7_000_0000000 + uint64(b.def)*1e7
			for n := first + uint64(b.from); n <= first+uint64(b.to); {
				rg, ok := plan.Lookup(n)
				if !ok {
					t.Errorf("%s: +%d is not issued", reg.city, n)
					break
				}
				zones[strings.Join(rg.Zones, ",")] = true
				n = rg.To + 1
			}
		}
	}
	for rg := range plan.Ranges() {
		if slices.Contains(deadDEF, uint16(rg.Code())) {
			t.Errorf("dead code %d has range %s", rg.Code(), rg)
		}
	}
	if len(zones) < 20 {
		t.Errorf("mobile blocks ring in %d zones, want 20 or more", len(zones))
	}
}

// cellNumbers are the valid numbers of a cell.
func cellNumbers(nz *phone.Normalizer, cell string) []phone.Number {
	var ns []phone.Number
	for _, r := range nz.Cell(cell) {
		if r.Reason == phone.OK {
			ns = append(ns, r.Number)
		}
	}
	return ns
}

// What callbase would make of a base: repeats, multi-number cells, valid
// numbers, time zones, foreign countries.
func TestMix(t *testing.T) {
	const rows = 20000
	data, st := write(t, Options{Rows: rows, Seed: 11})
	recs := readCSV(t, data, ';')[1:]
	nz := newNormalizer(t)
	loc := locate.New(numplan.Embedded())
	seen := map[string]bool{}
	var repeats, multi, withNumber, unallocated, lost int
	zones, countries, cities := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, rec := range recs {
		cities[rec[ColCity]] = true
		for _, r := range nz.Cell(rec[ColPhone]) {
			if r.Reason == phone.DigitsLost {
				lost++
			}
		}
		main := cellNumbers(nz, rec[ColPhone])
		if len(main) > 0 {
			withNumber++
			if seen[main[0].E164] {
				repeats++
			}
		}
		if len(main) > 1 {
			multi++
		}
		for _, n := range append(main, cellNumbers(nz, rec[ColPhone2])...) {
			seen[n.E164] = true
			countries[n.Country] = true
			p := loc.Place(n)
			if p.Unallocated {
				unallocated++
			}
			for _, z := range p.Zones {
				zones[z] = true
			}
		}
	}
	share := func(n int) float64 { return float64(n) / rows }
	t.Logf("repeats %.3f, multi %.3f, with a number %.3f, unallocated %d, lost %d, %d zones, countries %v, %d cities",
		share(repeats), share(multi), share(withNumber), unallocated, lost, len(zones), slices.Sorted(mapKeys(countries)), len(cities))
	if s := share(repeats); s < 0.13 || s > 0.17 {
		t.Errorf("repeats: %.3f of the rows, want about 0.15", s)
	}
	if s := share(st.Repeats); s < 0.14 || s > 0.16 {
		t.Errorf("Stats.Repeats: %.3f of the rows, want about 0.15", s)
	}
	if s := share(multi); s < 0.08 || s > 0.12 {
		t.Errorf("cells with several numbers: %.3f of the rows, want about 0.10", s)
	}
	if s := share(withNumber); s < 0.92 {
		t.Errorf("rows with a valid number: %.3f, want 0.92 or more", s)
	}
	if unallocated == 0 || lost == 0 || st.Lost != lost {
		t.Errorf("unallocated %d, lost %d (Stats.Lost %d): want some of each", unallocated, lost, st.Lost)
	}
	if len(zones) < 20 {
		t.Errorf("numbers ring in %d zones, want 20 or more", len(zones))
	}
	for _, c := range []string{"RU", "KZ", "BY", "UA", "DE", "UZ"} {
		if !countries[c] {
			t.Errorf("no number of %s", c)
		}
	}
	if st.Rows != rows || st.Numbers != st.New+st.Repeats {
		t.Errorf("Stats %+v", st)
	}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// numbersOf are the valid numbers of the phone columns of a CSV base.
func numbersOf(t *testing.T, nz *phone.Normalizer, data []byte) map[string]bool {
	set := map[string]bool{}
	for _, rec := range readCSV(t, data, ';')[1:] {
		for _, c := range []int{ColPhone, ColPhone2} {
			for _, n := range cellNumbers(nz, rec[c]) {
				set[n.E164] = true
			}
		}
	}
	return set
}

func TestOverlap(t *testing.T) {
	nz := newNormalizer(t)
	base1, _ := write(t, Options{Rows: 6000, Seed: 1})
	one := numbersOf(t, nz, base1)
	for _, tc := range []struct {
		overlap  float64
		min, max float64
	}{
		{0, 0, 0.01},
		{0.5, 0.45, 0.55},
		{1, 0.97, 1},
	} {
		base2, st := write(t, Options{Rows: 6000, Seed: 2, OverlapSeed: 1, Overlap: tc.overlap})
		two := numbersOf(t, nz, base2)
		common := 0
		for n := range two {
			if one[n] {
				common++
			}
		}
		share := float64(common) / float64(len(two))
		t.Logf("overlap %.1f: %d of %d numbers in base 1 (%.3f); Stats.FromOverlap %d of %d new", tc.overlap, common, len(two), share, st.FromOverlap, st.New)
		if share < tc.min || share > tc.max {
			t.Errorf("overlap %.1f: %.3f of the numbers of base 2 are in base 1, want %.2f..%.2f", tc.overlap, share, tc.min, tc.max)
		}
	}
}

// An XLSX base holds the cells of the CSV base of the same options, every
// one a text cell; past a sheet's rows the base goes on in another sheet.
func TestXLSX(t *testing.T) {
	defer func(n int) { sheetRows = n }(sheetRows)
	sheetRows = 1000
	const rows = 2500
	data, st := write(t, Options{Rows: rows, Seed: 5, Format: "xlsx"})
	path := filepath.Join(t.TempDir(), "base.xlsx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	csvData, _ := write(t, Options{Rows: rows, Seed: 5})
	want := readCSV(t, csvData, ';')[1:]

	book, err := spreadsheet.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	sheets := book.Sheets()
	if !slices.Equal(sheets, []string{"База", "База (2)", "База (3)"}) || st.Sheets != 3 {
		t.Fatalf("sheets %q, Stats.Sheets %d", sheets, st.Sheets)
	}
	var got [][]string
	for _, sh := range sheets {
		rs, err := book.Rows(sh)
		if err != nil {
			t.Fatal(err)
		}
		first := true
		for rs.Next() {
			cells := rs.Cells()
			if first {
				if !slices.Equal(cells, Header) {
					t.Errorf("sheet %s: header %q", sh, cells)
				}
				first = false
				continue
			}
			cells = append(cells, make([]string, len(Header)-len(cells))...)
			got = append(got, cells)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
	}
	if len(got) != rows {
		t.Fatalf("%d rows, want %d", len(got), rows)
	}
	// Every cell comes back as written, text floats such as 7.91612E+10
	// included.
	for i := range got {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("row %d: %q, want %q as in the CSV base", i+1, got[i], want[i])
		}
	}

	// No cell is a number: phones such as 79161234567.0 stay as written.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	cell := regexp.MustCompile(`<c [^>]*>`)
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, _ := f.Open()
		xml, _ := io.ReadAll(rc)
		rc.Close()
		for _, c := range cell.FindAll(xml, -1) {
			if !bytes.Contains(c, []byte(` t="`)) {
				t.Fatalf("%s: %s is not a text cell", f.Name, c)
			}
		}
	}
}

// Memory does not grow with the base: what 100,000 rows allocate beyond
// 10,000 is a few dozen bytes a row, garbage at once.
func TestMemoryBounded(t *testing.T) {
	alloc := func(rows int) uint64 {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		if _, err := Write(io.Discard, Options{Rows: rows, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	small, big := alloc(10_000), alloc(100_000)
	perRow := float64(big-small) / 90_000
	t.Logf("10,000 rows allocate %d bytes, 100,000 rows %d: %.1f bytes a row", small, big, perRow)
	if perRow > 64 {
		t.Errorf("%.1f bytes allocated a row, want 64 or fewer", perRow)
	}
}

func BenchmarkWrite(b *testing.B) {
	for _, format := range []string{"csv", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			const rows = 100_000
			st, err := Write(io.Discard, Options{Rows: rows, Seed: 1, Format: format})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(st.Bytes)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Write(io.Discard, Options{Rows: rows, Seed: 1, Format: format}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
		})
	}
}

func ExampleWrite() {
	var b bytes.Buffer
	st, _ := Write(&b, Options{Rows: 3, Seed: 1})
	fmt.Print(b.String())
	fmt.Println(st.Rows, "rows")
	// Output:
	// ФИО;Компания;Город;Телефон;Доп. телефон;E-mail;Комментарий
	// Жуков Б.Н.;НПО «Эталон»;Барнаул;83852356154;;boris_zhukov@gmail.com;
	// Кондратьев Игорь Михайлович;"ООО ""Энерго-Монтаж""";Москва;+79252699461;;igor_kondratev@yandex.ru;
	// Мартынова Вера Васильевна;НПО «Феникс»;;8(925)269-94-61;;;
	// 3 rows
}
