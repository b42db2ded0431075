package clean

import (
	"context"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/gen"
	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/numplan"
	"github.com/callbase/callbase/internal/phone"
	"github.com/callbase/callbase/internal/scan"
)

// base writes a generated base of rows rows and returns its path.
func base(t *testing.T, rows int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "base.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := gen.Write(f, gen.Options{Rows: rows, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	return path
}

func options() Options {
	return Options{Region: "RU", Locator: locate.New(numplan.Embedded())}
}

// counter counts the numbers of a file the way clean does, row by row.
type counter struct {
	count map[string]int
	order []string
	lines []int // the line of each number's first sighting, in order
}

func (c *counter) Table(int, *ingest.Table) error { return nil }

func (c *counter) Row(r *scan.Row) error {
	for _, n := range r.Numbers {
		if n.Place.Unallocated {
			continue
		}
		if c.count[n.E164] == 0 {
			c.order = append(c.order, n.E164)
			c.lines = append(c.lines, r.Line)
		}
		c.count[n.E164]++
	}
	return nil
}

// TestCleanKeepsOrder cleans a base of many batches: every row has the
// number's own readable form and count, and the line of its first
// sighting, in the order of first sight.
func TestCleanKeepsOrder(t *testing.T) {
	in := base(t, 3000)
	dir := t.TempDir()
	out, err := export.Create(filepath.Join(dir, "clean.csv"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Abort()
	rej, err := export.Create(filepath.Join(dir, "clean.rejects.csv"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rej.Abort()
	sum, err := Files(context.Background(), []string{in}, out, rej, options())
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range []*export.Table{out, rej} {
		if err := tb.Close(); err != nil {
			t.Fatal(err)
		}
	}

	r, err := ingest.Open(in, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	want := &counter{count: map[string]int{}}
	if err := scan.File(context.Background(), r, scan.Options{Region: "RU", Locator: options().Locator}, want); err != nil {
		t.Fatal(err)
	}

	rows := readCSV(t, filepath.Join(dir, "clean.csv"))[1:]
	if len(rows) != sum.Unique || len(rows) != len(want.order) || len(rows) < 1000 { // several batches
		t.Fatalf("%d rows, summary says %d unique, scan finds %d", len(rows), sum.Unique, len(want.order))
	}
	norm, err := phone.NewNormalizer("RU")
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		e164, national, occurrences, firstRow := row[0], row[1], row[8], row[11]
		if e164 != want.order[i] {
			t.Fatalf("row %d: %s, want %s", i+1, e164, want.order[i])
		}
		if firstRow != strconv.Itoa(want.lines[i]) {
			t.Errorf("row %d: %s first seen on line %s, want %d", i+1, e164, firstRow, want.lines[i])
		}
		if national != norm.Readable(e164) {
			t.Errorf("row %d: %s reads %q", i+1, e164, national)
		}
		if occurrences != strconv.Itoa(want.count[e164]) {
			t.Errorf("row %d: %s occurs %s times, want %d", i+1, e164, occurrences, want.count[e164])
		}
	}
	rejects := readCSV(t, filepath.Join(dir, "clean.rejects.csv"))[1:]
	n := 0
	for _, c := range sum.Rejects {
		n += c
	}
	if len(rejects) != n || n == 0 {
		t.Errorf("%d rejects written, %d counted", len(rejects), n)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestCleanStopsMidWrite: an error or a cancel while the rows are written
// ends the pipeline and is what Files returns, whether the rejects go to
// no file or to one of their own, written alongside; and so is an error
// of the rejects' file.
func TestCleanStopsMidWrite(t *testing.T) {
	in := base(t, 3000)
	failure := errors.New("database gone")
	for _, tc := range []struct {
		name    string
		want    error
		rejects bool // to a file of their own
		broken  bool // and that file fails
	}{
		{"error", failure, false, false},
		{"cancel", context.Canceled, false, false},
		{"error with rejects", failure, true, false},
		{"cancel with rejects", context.Canceled, true, false},
		{"rejects fail", os.ErrClosed, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dir := t.TempDir()
			out, err := export.Create(filepath.Join(dir, "clean.csv"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Abort()
			var rej *export.Table
			if tc.rejects {
				if rej, err = export.Create(filepath.Join(dir, "clean.rejects.csv"), nil); err != nil {
					t.Fatal(err)
				}
				defer rej.Abort()
				if tc.broken {
					rej.Abort() // its file closed: every write fails
				}
			}
			opts := options()
			calls := 0
			opts.Known = func(uint64) (bool, error) {
				if tc.broken {
					return false, nil
				}
				if calls++; calls < 510 { // a few batches in
					return calls%2 == 0, nil
				}
				if tc.want == failure {
					return false, failure
				}
				cancel()
				return false, nil
			}
			_, err = Files(ctx, []string{in}, out, rej, opts)
			if !errors.Is(err, tc.want) {
				t.Errorf("Files: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRecordRoundTrip(t *testing.T) {
	strs := []string{"", "a", "\x00\xff;\n\"", string(make([]byte, 300))}
	nums := []int{0, 1, 127, 128, 1 << 40}
	var rec record
	for i, s := range strs {
		rec = rec.str(s).num(nums[i%len(nums)])
	}
	f := fields[string]{s: string(rec)}
	for i, s := range strs {
		if got := f.str(); got != s {
			t.Errorf("string %d: %q, want %q", i, got, s)
		}
		if got := f.num(); got != nums[i%len(nums)] {
			t.Errorf("number %d: %d, want %d", i, got, nums[i%len(nums)])
		}
	}
	if f.more() || f.bad {
		t.Errorf("left %q, bad %v", f.s[f.at:], f.bad)
	}
	f = fields[string]{s: string(record(nil).str("hello")[:4])}
	if f.str(); !f.bad {
		t.Error("a record cut short reads as whole")
	}
}

// A row's cells come back whole, and a record of cells cut short, or
// longer than its lengths say, reads as bad.
func TestRecordCells(t *testing.T) {
	for _, cells := range [][]string{nil, {""}, {"a", "", "Иванов"}, {string(make([]byte, 300)), "x"}} {
		rec := record(nil).num(7).cells(cells)
		f := fields[string]{s: string(rec)}
		if f.num() != 7 {
			t.Fatal("the field before the cells")
		}
		lens, run := f.cells(nil)
		var got []string
		for _, n := range lens {
			got, run = append(got, run[:n]), run[n:]
		}
		if f.bad || f.more() || !slices.Equal(got, cells) || (len(got) == 0) != (len(cells) == 0) {
			t.Errorf("%q came back as %q, bad %v", cells, got, f.bad)
		}
		for cut := 1; cut < len(rec); cut++ {
			f := fields[string]{s: string(rec[1:cut])}
			if f.cells(nil); !f.bad {
				t.Errorf("%q cut to %d bytes reads as whole", cells, cut)
			}
		}
		f = fields[string]{s: string(rec[1:]) + "x"}
		if f.cells(nil); !f.bad {
			t.Errorf("%q with a byte more reads as whole", cells)
		}
	}
}

// Damaged numbers read as bad, not as lengths or indexes that would slice
// or index out of range: a length of -3 and one of 10 add up to the 7
// bytes that follow. Large numbers that are not negative (a line past
// 2^31) read as they were written.
func TestRecordDamagedNumbers(t *testing.T) {
	minus3 := string(binary.AppendUvarint(nil, uint64(1<<64-3)))
	for _, tc := range []struct {
		name string
		rec  string
		read func(f *fields[string])
	}{
		{"negative length among the cells", "\x02\x0a" + minus3 + "abcdefg", func(f *fields[string]) { f.cells(nil) }},
		{"negative string length", minus3 + "abc", func(f *fields[string]) { f.str() }},
		{"negative number", minus3, func(f *fields[string]) { f.num() }},
		{"number past math.MaxInt", string(binary.AppendUvarint(nil, math.MaxInt+1)), func(f *fields[string]) { f.num() }},
		{"varint of eleven bytes", strings.Repeat("\xff", 10) + "\x01", func(f *fields[string]) { f.num() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("panics: %v", p)
				}
			}()
			f := fields[string]{s: tc.rec}
			if tc.read(&f); !f.bad {
				t.Error("reads as good")
			}
		})
	}
	for _, v := range []int{math.MaxInt32, 1 << 40, math.MaxInt} {
		f := fields[string]{s: string(binary.AppendUvarint(nil, uint64(v)))}
		if got := f.num(); got != v || f.bad {
			t.Errorf("%d reads as %d, bad %v", v, got, f.bad)
		}
	}
}

// foundOf scans a generated base and returns every number it found.
type foundOf struct{ found []scan.Found }

func (f *foundOf) Table(int, *ingest.Table) error { return nil }

func (f *foundOf) Row(r *scan.Row) error {
	f.found = append(f.found, r.Numbers...)
	return nil
}

// TestPlacesOf: a number's place, told by the ID the Locator gave it, has
// the index its strings have, in a cache whose slots the IDs and types of
// a base share.
func TestPlacesOf(t *testing.T) {
	r, err := ingest.Open(base(t, 20_000), ingest.Options{Region: "RU"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var f foundOf
	if err := scan.File(context.Background(), r, scan.Options{Region: "RU", Locator: options().Locator}, &f); err != nil {
		t.Fatal(err)
	}
	var ps places
	withID := 0
	for i := range f.found {
		n := &f.found[i]
		got := ps.of(n)
		want := ps.id(place{n.Type, n.Country, n.Place.Operator, n.Place.Region, n.Place.ZoneList()})
		if got != want {
			t.Fatalf("%s (ID %d): place %d, its strings' %d", n.E164, n.Place.ID, got, want)
		}
		if n.Place.ID != 0 {
			withID++
		}
	}
	if withID < len(f.found)*3/4 {
		t.Errorf("%d of %d numbers placed by ID", withID, len(f.found))
	}
	// One ID, two types: two places.
	mobile := f.found[0]
	mobile.Type, mobile.Place.ID = phone.Mobile, 1
	fixed := mobile
	fixed.Type = phone.Fixed
	if a, b := ps.of(&mobile), ps.of(&fixed); a == b || ps.list[a].typ != phone.Mobile || ps.list[b].typ != phone.Fixed {
		t.Errorf("a mobile and a fixed line of one ID: places %d and %d", a, b)
	}
}

// A place's id is the same every time it comes, and another place's is
// another, whatever the cache in front of the map holds: places of equal
// lengths share its slots, and equal strings in other memory compare
// equal.
func TestPlacesID(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	words := []string{"", "Москва", "Казань", "МТС", "Tele2", "Europe/Moscow", "Asia/Omsk", "ab", "ba"}
	pick := func() string { return strings.Clone(words[rng.IntN(len(words))]) }
	var ps places
	want := map[place]int{}
	for range 20_000 {
		pl := place{phone.Type(rng.IntN(3)), pick(), pick(), pick(), pick()}
		id := ps.id(pl)
		if w, ok := want[pl]; ok && w != id {
			t.Fatalf("%v: id %d, before %d", pl, id, w)
		}
		want[pl] = id
		if ps.list[id] != pl {
			t.Fatalf("%v: id %d is %v", pl, id, ps.list[id])
		}
	}
	if len(ps.list) != len(want) || len(ps.uniques) != len(want) {
		t.Errorf("%d places listed, %d distinct", len(ps.list), len(want))
	}
}

// TestPresize: the parts get room for the numbers the rest of the file
// likely holds, by the numbers of that file alone; those that hold more
// already are left as they are, and nothing found is lost.
func TestPresize(t *testing.T) {
	var c cleaner
	for i := range 1000 {
		c.found[i%3] = append(c.found[i%3], occurrence{seq: uint32(i)}) // three parts far past their share
		c.nfound++
	}
	c.found[5] = append(c.found[5], occurrence{seq: 1000})
	c.nfound++
	before := cap(c.found[0])
	c.presize(1001, 2*1001) // as many again to come: 32 a part, fewer than the first three hold
	if cap(c.found[0]) != before || cap(c.found[7]) < 32 || cap(c.found[7]) > 64 {
		t.Errorf("room %d and %d", cap(c.found[0]), cap(c.found[7]))
	}
	c.presize(1001, 64*1001*10) // 64 parts, ten a part for each number found
	for i, part := range c.found {
		if cap(part) < 10_000 {
			t.Errorf("part %d: room for %d", i, cap(part))
		}
	}
	if len(c.found[0]) != 334 || len(c.found[5]) != 1 || c.found[5][0].seq != 1000 {
		t.Error("numbers found were lost")
	}
	c.presize(0, 100) // nothing read yet: no likely size
	c.presize(100, 100)

	// The numbers of the files before do not stand for the bytes of this
	// one: 10 numbers in its first megabyte of 64 make some 1,700 in all.
	var d cleaner
	d.nfound, d.fileFound = 1010, 1000
	d.presize(1<<20, 64<<20)
	if room := cap(d.found[9]); room < 1700/64 || room > 64 {
		t.Errorf("room for %d a part", room)
	}
}

// TestCountOccurrences: each number's count stands at its first
// occurrence and 0 at its repeats, and each place counts its unique
// numbers, on both sides of the size where the sort changes method.
func TestCountOccurrences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 5, 1000, 5000, 200_000} {
		var c cleaner
		c.places.uniques = make([]int, 3)
		wantCount := make([]uint32, n)
		wantPlaces := make([]int, 3)
		first := map[uint64]int{}
		for seq := range n {
			key := 79_000_000_000 + r.Uint64N(uint64(n/2+1))*1_000_003 // spread like phone numbers
			pl := int(key % 3)
			part := &c.found[partOf(key)]
			*part = append(*part, occurrence{key: key, seq: uint32(seq), place: uint32(pl)})
			c.nfound++
			if f, ok := first[key]; ok {
				wantCount[f]++
				continue
			}
			first[key] = seq
			wantCount[seq] = 1
			wantPlaces[pl]++
		}
		if got := c.countOccurrences(); got != len(first) {
			t.Errorf("%d found: %d unique, want %d", n, got, len(first))
		}
		if !slices.Equal(c.count, wantCount) || !slices.Equal(c.places.uniques, wantPlaces) {
			t.Errorf("%d found: counts or places differ from counting in a map", n)
		}
	}
}

// TestEncodedRowsLikeCells: the CSV rows the formatters encode (and the
// rejects) are the bytes Table.Row makes of the cells XLSX gets, with a database to ask or
// without, and with input files of different headers (fields out of
// column order, blanks). The second file has the first's header, so its
// rows take the short way of cells in order (see encodeCSV), with cells
// that CSV quotes or that only look as if it might.
func TestEncodedRowsLikeCells(t *testing.T) {
	in := base(t, 1500)
	same := filepath.Join(t.TempDir(), "same.csv")
	rows := []string{
		"ФИО;Компания;Город;Телефон;Доп. телефон;E-mail;Комментарий",
		" Иванов;\\.;\tМосква;+7 916 000-00-01;;a@b.ru;=1+2",
		"\u00a0Петров;\u3000x;-5;+7 916 000-00-02;;;@x",
		"Сидоров;ООО \"\"Ромашка\"\";a,b;+7 916 000-00-03;;;",
		"\"Кузнецов\nИван\";x;y;+7 916 000-00-04;;;\"a;b\"",
		"Орлов;\\.x;;+7 916 000-00-05",
		"Белов;x\ry;z;+7 916 000-00-06;;;лишнее;ещё",
		"Ёжиков;'q;\u2003em;+7 916 000-00-07;;;trail ",
	}
	if err := os.WriteFile(same, []byte(strings.Join(rows, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.csv")
	content := "Комментарий,Телефон,Имя,\"a,b\"\n\" x\",+7 916 123-45-67,\"Иван \"\"И\"\"\",=1\n,8 495 123 45 67 доб. 12,,\n"
	if err := os.WriteFile(other, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, known := range []bool{false, true} {
		var outs, rejs [2][]byte
		for i, encode := range []bool{true, false} {
			encodeRows = encode
			path := filepath.Join(t.TempDir(), "clean.csv")
			out, err := export.Create(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			rejPath := filepath.Join(t.TempDir(), "rejects.csv")
			rej, err := export.Create(rejPath, nil)
			if err != nil {
				t.Fatal(err)
			}
			opts := options()
			if known {
				opts.Known = func(key uint64) (bool, error) { return key%3 == 0, nil }
			}
			if _, err := Files(context.Background(), []string{in, same, other}, out, rej, opts); err != nil {
				t.Fatal(err)
			}
			if err := out.Close(); err != nil {
				t.Fatal(err)
			}
			if err := rej.Close(); err != nil {
				t.Fatal(err)
			}
			if outs[i], err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
			if rejs[i], err = os.ReadFile(rejPath); err != nil {
				t.Fatal(err)
			}
		}
		encodeRows = true
		if string(outs[0]) != string(outs[1]) {
			t.Errorf("known %v: the encoded rows differ from Table.Row's (%d bytes, %d bytes)", known, len(outs[0]), len(outs[1]))
		}
		if string(rejs[0]) != string(rejs[1]) {
			t.Errorf("known %v: the encoded rejects differ from Table.Row's (%d bytes, %d bytes)", known, len(rejs[0]), len(rejs[1]))
		}
		if len(rejs[0]) < 1000 {
			t.Errorf("known %v: %d bytes of rejects, the rejects were lost", known, len(rejs[0]))
		}
		if len(outs[0]) < 100_000 {
			t.Errorf("known %v: %d bytes written, the input was lost", known, len(outs[0]))
		}
	}
}

// TestWideRows: a column past the header is written when the row of a
// number's first sighting fills it, not when only a repeat's row does (its
// fields are not written). A wide row among the first the reader looks at
// widens the header itself.
func TestWideRows(t *testing.T) {
	for _, tc := range []struct {
		name      string
		wideAt    int  // the line of the wide row among 5,000
		repeat    bool // the wide row repeats the first line's number
		wantExtra bool
	}{
		{"repeat, late", 4990, true, false},
		{"repeat, early", 3, true, true},
		{"first sighting, late", 4990, false, true},
		{"first sighting, early", 3, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("Телефон;Имя\n")
			for line := 2; line <= 5000; line++ {
				number := fmt.Sprintf("+7 916 %07d", line)
				if line == tc.wideAt {
					if tc.repeat {
						number = "+7 916 0000002"
					}
					fmt.Fprintf(&b, "%s;Широкий;лишнее\n", number)
					continue
				}
				fmt.Fprintf(&b, "%s;Имя %d\n", number, line)
			}
			dir := t.TempDir()
			in := filepath.Join(dir, "base.csv")
			if err := os.WriteFile(in, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := export.Create(filepath.Join(dir, "clean.csv"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Abort()
			if _, err := Files(context.Background(), []string{in}, out, nil, options()); err != nil {
				t.Fatal(err)
			}
			if err := out.Close(); err != nil {
				t.Fatal(err)
			}
			rows := readCSV(t, filepath.Join(dir, "clean.csv"))
			header := rows[0][len(Header):]
			want := []string{"Телефон", "Имя"}
			if tc.wantExtra {
				want = append(want, ingest.ColumnName(2))
			}
			if !slices.Equal(header, want) {
				t.Fatalf("input columns %q, want %q", header, want)
			}
			for _, row := range rows[1:] {
				if tc.wantExtra && row[len(Header)+1] == "Широкий" && row[len(Header)+2] != "лишнее" {
					t.Errorf("the wide row's last field is %q", row[len(Header)+2])
				}
				if row[0] == "+79160000002" && row[len(Header)+1] != "Имя 2" {
					t.Errorf("a repeat's fields were written: %q", row)
				}
			}
		})
	}
}

// TestReadBatchesCorrupt: a spill of more or fewer records than there are
// counts is an error, not a table cut short or padded.
func TestReadBatchesCorrupt(t *testing.T) {
	for _, tc := range []struct {
		records, counts int
		want            error
		cut             int64 // bytes cut off the end of the spill
	}{{3, 3, nil, 0}, {4, 3, errCorrupt, 0}, {2, 3, errCorrupt, 0}, {0, 0, nil, 0}, {3, 3, errCorrupt, 1}, {3, 3, errCorrupt, 2}} {
		sp, err := newSpill()
		if err != nil {
			t.Fatal(err)
		}
		defer sp.remove()
		for i := range tc.records {
			if err := sp.write(record(nil).num(1).str(fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
		}
		sr, err := sp.reader()
		if err != nil {
			t.Fatal(err)
		}
		if tc.cut > 0 {
			size, _ := sp.f.Seek(0, io.SeekEnd)
			if err := sp.f.Truncate(size - tc.cut); err != nil {
				t.Fatal(err)
			}
			sp.f.Seek(0, io.SeekStart)
		}
		count := make([]uint32, tc.counts)
		for i := range count {
			count[i] = 1
		}
		free := make(chan *batch, 4)
		for range cap(free) {
			free <- &batch{ready: make(chan struct{}, 1)}
		}
		work, order := make(chan *batch, 4), make(chan *batch, 4)
		if err := readBatches(context.Background(), sr, count, free, work, order); err != tc.want {
			t.Errorf("%d records, %d counts: %v, want %v", tc.records, tc.counts, err, tc.want)
		}
	}
	// A record of nothing, or of no numbers, after a good one.
	for _, bad := range []record{{}, record(nil).num(0).str("x")} {
		sp, err := newSpill()
		if err != nil {
			t.Fatal(err)
		}
		defer sp.remove()
		if err := sp.write(record(nil).num(1).str("x")); err != nil {
			t.Fatal(err)
		}
		if err := sp.write(bad); err != nil {
			t.Fatal(err)
		}
		sr, err := sp.reader()
		if err != nil {
			t.Fatal(err)
		}
		free := make(chan *batch, 4)
		for range cap(free) {
			free <- &batch{ready: make(chan struct{}, 1)}
		}
		work, order := make(chan *batch, 4), make(chan *batch, 4)
		if err := readBatches(context.Background(), sr, []uint32{1, 1}, free, work, order); err != errCorrupt {
			t.Errorf("record %q: %v, want errCorrupt", bad, err)
		}
	}
}

// TestReadBatchesNumbersOfARow: a row's record holds all its numbers;
// each first sighting among them comes out once, in order, and head reads
// that number's fields, not another's of the row.
func TestReadBatchesNumbersOfARow(t *testing.T) {
	sp, err := newSpill()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.remove()
	r := rand.New(rand.NewPCG(9, 10))
	var want []string
	var count []uint32
	for line := range 5000 {
		k := 1 + r.IntN(4)
		rec := record(nil).num(k)
		for range k {
			e164, pl, ext := fmt.Sprint("+7916", 1_000_000+len(count)), len(count)%5, strings.Repeat("1", len(count)%3)
			rec = rec.str(e164).num(pl).str(ext)
			c := uint32(1 + r.IntN(3))
			if r.IntN(3) == 0 {
				c = 0 // a repeat
			}
			count = append(count, c)
			if c > 0 {
				want = append(want, fmt.Sprint(e164, " ", pl, " ", ext, " ", c))
			}
		}
		rec = rec.num(0).num(line).cells([]string{"Имя", strings.Repeat("x", r.IntN(100))})
		if err := sp.write(rec); err != nil {
			t.Fatal(err)
		}
	}
	sr, err := sp.reader()
	if err != nil {
		t.Fatal(err)
	}
	f := formatter{tables: make([]table, 1), places: make([][5]any, 5)}
	var got []string
	err = eachBatch(sr, count, func(b *batch) {
		for i, start := range b.starts {
			r := fields[string]{s: string(b.raw[start:b.ends[i]])}
			e164, pl, ext, _, _, ok := head(&f, &r, b.nums[i])
			if !ok {
				t.Fatalf("entry %d of a batch: head fails", i)
			}
			got = append(got, fmt.Sprint(e164, " ", pl, " ", ext, " ", b.counts[i]))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%d numbers read, want %d", len(got), len(want))
	}
	// A count of numbers past the record's bytes, or a number past the
	// count, does not read.
	one := record(nil).str("+79161234567").num(0).str("").num(0).num(1).cells([]string{"a"})
	for _, tc := range []struct {
		rec record
		num int
	}{{append(record(nil).num(1<<40), one...), 0}, {append(record(nil).num(1), one...), 1}, {append(record(nil).num(2), one...), 1}} {
		r := fields[string]{s: string(tc.rec)}
		if _, _, _, _, _, ok := head(&f, &r, tc.num); ok {
			t.Errorf("number %d of %q reads", tc.num, tc.rec)
		}
	}
}

// eachBatch runs readBatches over sr with three batches in circulation,
// hands each batch in order to each, and returns readBatches' error.
func eachBatch(sr *spillReader, count []uint32, each func(*batch)) error {
	free := make(chan *batch, 3)
	for range cap(free) {
		free <- &batch{ready: make(chan struct{}, 1)}
	}
	work, order := make(chan *batch, 3), make(chan *batch, 3)
	done := make(chan error, 1)
	go func() {
		defer close(order)
		done <- readBatches(context.Background(), sr, count, free, work, order)
	}()
	for b := range order {
		<-work
		each(b)
		free <- b
	}
	return <-done
}

// TestReadBatchesDamagedLength: a record whose length says more than the
// spill holds is damage, told at once, not after reading the rest of the
// spill into memory.
func TestReadBatchesDamagedLength(t *testing.T) {
	sp, err := newSpill()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.remove()
	if _, err := sp.w.Write(binary.AppendUvarint(nil, 1<<31-1)); err != nil {
		t.Fatal(err)
	}
	for i := range 100_000 {
		if err := sp.write(record(nil).num(1).str(fmt.Sprint("record ", i))); err != nil {
			t.Fatal(err)
		}
	}
	sr, err := sp.reader()
	if err != nil {
		t.Fatal(err)
	}
	count := make([]uint32, 100_001)
	free := make(chan *batch, 1)
	free <- &batch{ready: make(chan struct{}, 1)}
	work, order := make(chan *batch, 1), make(chan *batch, 1)
	if err := readBatches(context.Background(), sr, count, free, work, order); err != errCorrupt {
		t.Fatalf("readBatches = %v, want errCorrupt", err)
	}
	if sr.left < 1<<20 {
		t.Errorf("%d bytes left unread: the spill was read to its end", sr.left)
	}
}

// TestReadBatchesAcrossReads: records cut by the ends of the spill's reads,
// and records longer than a read, come out whole, each first sighting
// once and in order, with its count.
func TestReadBatchesAcrossReads(t *testing.T) {
	sp, err := newSpill()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.remove()
	r := rand.New(rand.NewPCG(5, 6))
	var want []string
	var count []uint32
	for i := range 3000 {
		size := r.IntN(300)
		if i%500 == 7 {
			size = batchBytes*2 + r.IntN(batchBytes) // longer than a read
		}
		text := strings.Repeat(string(rune('a'+i%26)), size) + fmt.Sprint(i)
		if err := sp.write(record(nil).num(1).str(text)); err != nil {
			t.Fatal(err)
		}
		c := uint32(r.IntN(3)) // 0: a repeat
		count = append(count, c)
		if c > 0 {
			want = append(want, text)
		}
	}
	sr, err := sp.reader()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var counts []uint32
	batches := 0
	err = eachBatch(sr, count, func(b *batch) {
		batches++
		for i, start := range b.starts {
			f := fields[string]{s: string(b.raw[start:b.ends[i]])}
			f.num() // one number
			got = append(got, f.str())
			counts = append(counts, b.counts[i])
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%d records read, want %d", len(got), len(want))
	}
	var wantCounts []uint32
	for _, c := range count {
		if c > 0 {
			wantCounts = append(wantCounts, c)
		}
	}
	if !slices.Equal(counts, wantCounts) {
		t.Error("counts differ")
	}
	if batches < 10 {
		t.Errorf("%d batches: the reads were not cut", batches)
	}
}

// TestWideRowsAcrossTables: the column a wide first sighting fills is laid
// out for its own table, here the second of three files, where the wide
// row is the table's first number, past the rows the reader looks at.
func TestWideRowsAcrossTables(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, body func(b *strings.Builder)) string {
		var b strings.Builder
		b.WriteString("Телефон;Имя\n")
		body(&b)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	files := []string{
		write("a.csv", func(b *strings.Builder) {
			for i := range 10 {
				fmt.Fprintf(b, "+7 916 100%04d;А %d\n", i, i)
			}
		}),
		write("b.csv", func(b *strings.Builder) {
			for i := range 4990 {
				fmt.Fprintf(b, "нет;Б %d\n", i)
			}
			b.WriteString("+7 916 2000000;Широкий;лишнее\n+7 916 2000001;Б\n")
		}),
		write("c.csv", func(b *strings.Builder) {
			for i := range 10 {
				fmt.Fprintf(b, "+7 916 300%04d;В %d\n", i, i)
			}
		}),
	}
	out, err := export.Create(filepath.Join(dir, "clean.csv"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Abort()
	opts := options()
	opts.Ingest.PhoneCols = []string{"Телефон"}
	if _, err := Files(context.Background(), files, out, nil, opts); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, filepath.Join(dir, "clean.csv"))
	if got, want := rows[0][len(Header):], []string{"Телефон", "Имя", ingest.ColumnName(2)}; !slices.Equal(got, want) {
		t.Fatalf("input columns %q, want %q", got, want)
	}
	found := false
	for _, row := range rows[1:] {
		extra := row[len(Header)+2]
		if row[0] == "+79162000000" {
			found = true
			if extra != "лишнее" || row[9] != files[1] {
				t.Errorf("the wide row: %q", row)
			}
		} else if extra != "" {
			t.Errorf("%s has %q past its header", row[0], extra)
		}
	}
	if !found || len(rows) != 1+22 {
		t.Errorf("%d rows, the wide one among them: %v", len(rows)-1, found)
	}
}

// TestReadBatchesCancelled: a cancel is heard in a long run of repeats,
// which fills no batch.
func TestReadBatchesCancelled(t *testing.T) {
	sp, err := newSpill()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.remove()
	count := make([]uint32, 20000)
	count[0] = 1 // the rest are repeats
	for i := range count {
		if err := sp.write(record(nil).num(1).str(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 { // which of a free batch and Done is taken first is random
		sr, err := sp.reader()
		if err != nil {
			t.Fatal(err)
		}
		free := make(chan *batch, 1)
		free <- &batch{ready: make(chan struct{}, 1)}
		work, order := make(chan *batch, 1), make(chan *batch, 1)
		if err := readBatches(ctx, sr, count, free, work, order); !errors.Is(err, context.Canceled) {
			t.Fatalf("readBatches = %v, want it cancelled", err)
		}
	}
}

// BenchmarkWriteUniques writes the cleaned table of a generated base of
// 100,000 rows, read once: the formatters' and the writer's share of a
// clean, which the whole command's timings drown in the machine's noise.
func BenchmarkWriteUniques(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "base.csv")
	f, err := os.Create(in)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := gen.Write(f, gen.Options{Rows: 100_000, Seed: 7}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	sum := Summary{Files: []string{in}, Rejects: map[string]int{}}
	opts := options()
	c := &cleaner{sum: &sum, opts: &opts, norms: make([]*phone.Normalizer, runtime.GOMAXPROCS(0))}
	for i := range c.norms {
		c.norms[i], _ = phone.NewNormalizer("RU")
	}
	if c.rows, err = newSpill(); err != nil {
		b.Fatal(err)
	}
	defer c.rows.remove()
	if c.rejects, err = newSpill(); err != nil {
		b.Fatal(err)
	}
	defer c.rejects.remove()
	if err := c.file(context.Background(), 0, in); err != nil {
		b.Fatal(err)
	}
	c.countOccurrences()
	c.layOut()
	b.ResetTimer()
	for b.Loop() {
		out, err := export.Create(filepath.Join(dir, "clean.csv"), nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.writeUniques(context.Background(), out); err != nil {
			b.Fatal(err)
		}
		out.Abort()
	}
}

// keyOf reads the key phone.Number.Key reads, which the database keeps.
func TestKeyOf(t *testing.T) {
	for _, s := range []string{"", "+", "+0", "+79161234567", "+375291234567", "+6212345678901234567",
		"+9999999999999999999", "+18446744073709551615", "+12345678901234567890", "+7916x", "++7916",
		"7916", "+ 7916", "+007"} {
		if got, want := keyOf([]byte(s)), (phone.Number{E164: s}).Key(); got != want {
			t.Errorf("keyOf(%q) = %d, Key says %d", s, got, want)
		}
	}
}
