// Package clean is the one-shot hygiene of a purchased base: one row per
// unique valid number with the fields of the row it first stood in, the
// rejects, and a quality summary. It needs no database.
package clean

import (
	"context"
	"errors"
	"hash/maphash"
	"runtime"
	"slices"
	"sync"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/keysort"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/phone"
	"github.com/callbase/callbase/internal/scan"
)

// Options says how to clean.
type Options struct {
	Region  string
	Ingest  ingest.Options
	Locator *locate.Locator // where numbers ring; unallocated numbers are rejects
	// Known, when set, tells whether a database already holds a number.
	Known    func(key uint64) (bool, error)
	Progress func(done, total int64)
}

// Summary is the quality of the input.
type Summary struct {
	Files          []string       `json:"files"`
	Rows           int            `json:"rows"`
	TitleRows      int            `json:"title_rows"`     // rows above a header, left out
	SkippedSheets  []string       `json:"skipped_sheets"` // sheets with no base in them, and why
	RowsWithNumber int            `json:"rows_with_number"`
	ValidShare     float64        `json:"valid_share"` // rows with a valid number / rows
	Numbers        int            `json:"numbers"`
	Unique         int            `json:"unique"`
	Duplicates     int            `json:"duplicates"`
	Known          *int           `json:"known,omitempty"` // only with a database
	ByType         map[string]int `json:"by_type"`
	ByCountry      map[string]int `json:"by_country"`
	ByRegion       map[string]int `json:"by_region"` // "" for no known region
	ByZone         map[string]int `json:"by_zone"`
	Rejects        map[string]int `json:"rejects"`
}

// Header is the fixed part of the cleaned table; the first row's fields follow.
var Header = []string{"e164", "national", "type", "country", "operator", "region", "zones", "ext",
	"occurrences", "first_file", "first_sheet", "first_row"}

// Files cleans the files into out, and rejects into rej, which may be the
// same table for XLSX, where the rejects are a second sheet, or nil for
// none (they are counted all the same).
func Files(ctx context.Context, paths []string, out, rej *export.Table, opts Options) (Summary, error) {
	sum := Summary{Files: paths, SkippedSheets: []string{}, ByType: map[string]int{}, ByCountry: map[string]int{},
		ByRegion: map[string]int{}, ByZone: map[string]int{}, Rejects: map[string]int{}}
	c := &cleaner{sum: &sum, opts: &opts}
	// The normalizers that read the numbers format them afterwards: what
	// they learned of blocks of foreign numbers serves both.
	c.norms = make([]*phone.Normalizer, runtime.GOMAXPROCS(0))
	for i := range c.norms {
		var err error
		if c.norms[i], err = phone.NewNormalizer(opts.Region); err != nil {
			return sum, err
		}
	}
	var err error
	if c.rows, err = newSpill(); err != nil {
		return sum, err
	}
	defer c.rows.remove()
	if c.rejects, err = newSpill(); err != nil {
		return sum, err
	}
	defer c.rejects.remove()

	for i, path := range paths {
		if err := c.file(ctx, i, path); err != nil {
			return sum, err
		}
	}
	sum.Unique = c.countOccurrences()
	c.layOut()
	for i, pl := range c.places.list {
		n := c.places.uniques[i]
		sum.ByType[pl.typ.String()] += n
		sum.ByCountry[pl.country] += n
		sum.ByRegion[pl.region] += n
		sum.ByZone[pl.zones] += n
	}
	sum.Duplicates = sum.Numbers - sum.Unique
	if sum.Rows > 0 {
		sum.ValidShare = float64(sum.RowsWithNumber) / float64(sum.Rows)
	}
	if rej == nil || rej == out {
		if err := c.writeUniques(ctx, out); err != nil {
			return sum, err
		}
		return sum, c.writeRejects(ctx, rej)
	}
	return sum, c.writeBoth(ctx, out, rej)
}

// writeBoth writes the uniques and, alongside, the rejects to a file of
// their own, which it finishes: the rejects' writing and syncing, some
// 0.05 s for base1.csv, happen while the uniques are made. Either's error
// stops both.
func (c *cleaner) writeBoth(ctx context.Context, out, rej *export.Table) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var rejErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		if rejErr = c.writeRejects(ctx, rej); rejErr == nil {
			rejErr = rej.Finish()
		}
		if rejErr != nil {
			cancel()
		}
	}()
	err := c.writeUniques(ctx, out)
	if err != nil {
		cancel()
	}
	<-done
	if err == nil || rejErr != nil && errors.Is(err, context.Canceled) {
		err = rejErr // the cause, not the cancel that followed it
	}
	return err
}

type cleaner struct {
	sum   *Summary
	opts  *Options
	norms []*phone.Normalizer // one for each core
	// Each number found, in the order found, in parts by a hash of its
	// key; once the input is read, a sort of each part by key tells the
	// first of each number from its repeats.
	found    [1 << partBits][]occurrence
	nfound   int
	count    []uint32 // by occurrence: the number's occurrences at its first, 0 at the others
	places   places   // type, country and place of the numbers found
	rows     *spill   // each row with a number, in order: its numbers and cells (see Row)
	rejects  *spill
	record   record    // the row being written to rows
	rejected record    // the reject being written to rejects
	tables   []table   // every table read, in order
	wide     []wideRow // the occurrences in rows wider than their table's header
	// The output's input columns, known once the first sightings are:
	// the union of the headers, and the columns past a header that the
	// row of a first sighting fills; and where each table's go.
	columns columns
	layouts [][]int // by table: table column -> output field position

	// the file and table being read
	fileIdx   int
	fileFound int // numbers found before the file
	reader    *ingest.Reader
	table     *ingest.Table
}

// table is a table read: its file, sheet and header, and the first
// occurrence found in it.
type table struct {
	file   int
	sheet  string
	header []string
	first  uint32
}

// wideRow is an occurrence in a row of more cells than its header.
type wideRow struct{ seq, cells uint32 }

func (c *cleaner) file(ctx context.Context, idx int, path string) error {
	r, err := ingest.Open(path, c.opts.Ingest)
	if err != nil {
		return err
	}
	defer r.Close()
	c.fileIdx, c.reader, c.fileFound = idx, r, c.nfound
	skipped := func(err error) { c.sum.SkippedSheets = append(c.sum.SkippedSheets, err.Error()) }
	return scan.File(ctx, r, scan.Options{Region: c.opts.Region, Normalizers: c.norms, Locator: c.opts.Locator, Skipped: skipped}, c)
}

func (c *cleaner) Table(_ int, t *ingest.Table) error {
	c.table = t
	c.sum.TitleRows += len(t.Skipped)
	c.tables = append(c.tables, table{file: c.fileIdx, sheet: t.Sheet, header: t.Header, first: uint32(c.nfound)})
	return nil
}

func (c *cleaner) Row(row *scan.Row) error {
	s := c.sum
	s.Rows++
	if c.opts.Progress != nil && s.Rows%4096 == 0 {
		c.opts.Progress(c.reader.Progress())
	}
	// The row's record: how many numbers it holds, then e164, place id
	// and ext of each, then the table index, the line and the cells, kept
	// once for all the row's numbers.
	k := 0
	for i := range row.Numbers {
		if !row.Numbers[i].Place.Unallocated {
			k++
		}
	}
	c.record = c.record[:0].num(k)
	for i := range row.Numbers {
		n := &row.Numbers[i] // not a copy of its 144 bytes
		if n.Place.Unallocated {
			if err := c.reject(row.Line, scan.Reject{Col: n.Col, Text: n.Text}, callbase.Unallocated); err != nil {
				return err
			}
			continue
		}
		s.Numbers++
		pl := c.places.of(n)
		seq, key := uint32(c.nfound), n.Key
		part := &c.found[partOf(key)]
		*part = append(*part, occurrence{key: key, seq: seq, place: uint32(pl)})
		if c.nfound++; c.nfound-c.fileFound == presizeAt {
			c.presize(c.reader.Progress())
		}
		if len(row.Cells) > len(c.table.Header) {
			c.wide = append(c.wide, wideRow{seq, uint32(len(row.Cells))})
		}
		c.record = c.record.str(n.E164).num(pl).str(n.Ext)
	}
	if k > 0 {
		s.RowsWithNumber++
		c.record = c.record.num(len(c.tables) - 1).num(row.Line).cells(row.Cells)
		if err := c.rows.write(c.record); err != nil {
			return err
		}
	}
	for _, rej := range row.Rejects {
		if err := c.reject(row.Line, rej, rej.Reason.String()); err != nil {
			return err
		}
	}
	return nil
}

// occurrence is a number found: its key, its place in the order found
// and the index of its place.
type occurrence struct {
	key        uint64
	seq, place uint32
}

// partBits is how many bits of a key's hash choose its part of the
// numbers found. In parts, the sort needs the scratch space of one part
// only (a whole 5M-row base sorted at once took 100 MB more), and each
// part's sort stays within the cache.
const partBits = 6

func partOf(key uint64) uint64 { return key * 0x9e3779b97f4a7c15 >> (64 - partBits) }

// presizeAt is how many numbers of a file are found before the parts are
// given the room the whole file likely needs (see presize).
const presizeAt = 1 << 18

// presize grows each part, once a file, to its share of the numbers found
// so far and of those the rest of the file likely holds, told by how many
// the file's bytes read so far held, and a twentieth more. Grown by
// appends alone, the parts of a million numbers were copied some four
// times over, each copy garbage to collect: 0.1 s of CPU. A file that
// holds more grows on as before.
func (c *cleaner) presize(done, total int64) {
	if done <= 0 || total <= done {
		return
	}
	inFile := float64(c.nfound - c.fileFound)
	likely := float64(c.nfound) + inFile*float64(total-done)/float64(done)*1.05
	perPart := int(likely) / len(c.found)
	for i, part := range c.found {
		if perPart > cap(part) {
			c.found[i] = slices.Grow(part, perPart-len(part))
		}
	}
}

// countOccurrences sorts each part of the numbers found by key, the
// repeats of each after its first (the sort is stable, and a part holds
// every occurrence of its numbers), and sets the counts and the uniques
// of each place. It returns the count of unique numbers. A hash table of
// the numbers seen, looked up as each was found, missed the cache on
// nearly every lookup: 0.5 s of the main goroutine's CPU for a million,
// against 0.1 s for the sorts, which take a share of the parts on each
// core.
func (c *cleaner) countOccurrences() int {
	c.count = make([]uint32, c.nfound)
	// Each worker keeps scratch space as large as a part: a few are
	// enough for sorts that wait on memory more than on cores.
	workers := min(runtime.GOMAXPROCS(0), 4)
	uniques := make([][]int, workers) // by worker, the uniques of each place
	var wg sync.WaitGroup
	for w := range workers {
		uniques[w] = make([]int, len(c.places.uniques))
		wg.Go(func() {
			var scratch []occurrence
			for part := w; part < len(c.found); part += workers {
				found := c.found[part]
				c.found[part] = nil
				scratch = keysort.Sort(found, scratch, func(o *occurrence) uint64 { return o.key })
				for i := 0; i < len(found); {
					j := i + 1
					for j < len(found) && found[j].key == found[i].key {
						j++
					}
					c.count[found[i].seq] = uint32(j - i) // each occurrence is in one part
					uniques[w][found[i].place]++
					i = j
				}
			}
		})
	}
	wg.Wait()
	unique := 0
	for _, u := range uniques {
		for pl, n := range u {
			c.places.uniques[pl] += n
			unique += n
		}
	}
	return unique
}

// layOut makes the output's input columns and each table's layout in
// them, as the tables were read: a table's header, then the columns past
// it that the rows of its first sightings fill. A repeat's row adds none:
// its fields are not written.
func (c *cleaner) layOut() {
	c.layouts = make([][]int, len(c.tables))
	wide := c.wide
	for i, t := range c.tables {
		layout := c.columns.layout(t.header)
		cells := 0
		for len(wide) > 0 && (i+1 == len(c.tables) || wide[0].seq < c.tables[i+1].first) {
			if c.count[wide[0].seq] > 0 {
				cells = max(cells, int(wide[0].cells))
			}
			wide = wide[1:]
		}
		for len(layout) < cells {
			layout = append(layout, c.columns.add(ingest.ColumnName(len(layout))))
		}
		c.layouts[i] = layout
	}
}

func (c *cleaner) reject(line int, rej scan.Reject, reason string) error {
	c.sum.Rejects[reason]++
	// file index, sheet, line, column, text, reason
	c.rejected = c.rejected[:0].num(c.fileIdx).str(c.table.Sheet).num(line).str(rej.Column(c.table)).str(rej.Text).str(reason)
	return c.rejects.write(c.rejected)
}

// place is what the cleaned table says of a number besides itself. A base
// has a few thousand of them at most, so each unique number keeps an index
// into a table of them instead of the strings: a smaller spill, one map
// lookup instead of one per summary, and the output cells made once.
type place struct {
	typ                              phone.Type
	country, operator, region, zones string
}

type places struct {
	index   map[place]int
	list    []place
	uniques []int // unique numbers of each place
	// recent is a cache in front of index, by a hash of a place's region
	// and the lengths of its other strings: most places come from the
	// numbering plan, which keeps one string for each operator and
	// territory, and compare at once (same memory), where hashing all
	// five strings for the map took a quarter of the ordered goroutine's
	// time. By the lengths alone, a quarter of the lookups of base1.csv
	// missed. It holds an index into list plus one; 0 for none.
	recent [1 << slotBits]int32
	// byID is a cache in front of both, for the places the Locator gave
	// an ID: by the ID and the number's type, which are the whole place of
	// a Russian number, the index, with no strings to look at.
	byID [1 << slotBits]idSlot
}

// idSlot is an entry of places.byID: an ID and type, and the index.
type idSlot struct {
	key uint64 // ID<<8 | type; 0 for none
	i   int
}

const slotBits = 10

// of returns the index of the place of n.
func (ps *places) of(n *scan.Found) int {
	if n.Place.ID == 0 {
		return ps.id(place{n.Type, n.Country, n.Place.Operator, n.Place.Region, n.Place.ZoneList()})
	}
	key := uint64(n.Place.ID)<<8 | uint64(n.Type)
	slot := &ps.byID[(key*0x9e3779b97f4a7c15)>>(64-slotBits)]
	if slot.key != key {
		*slot = idSlot{key, ps.id(place{n.Type, n.Country, n.Place.Operator, n.Place.Region, n.Place.ZoneList()})}
	}
	return slot.i
}

// id returns the index of pl.
func (ps *places) id(pl place) int {
	slot := &ps.recent[pl.slot()]
	if i := int(*slot) - 1; i >= 0 && ps.list[i] == pl {
		return i
	}
	i, ok := ps.index[pl]
	if !ok {
		if ps.index == nil {
			ps.index = map[place]int{}
		}
		i = len(ps.list)
		ps.index[pl] = i
		ps.list = append(ps.list, pl)
		ps.uniques = append(ps.uniques, 0)
	}
	*slot = int32(i + 1)
	return i
}

// slot is pl's slot in places.recent: the region's hash (places of a
// length are many, as are names that differ in a few letters, such as
// "Ростовская область" and "Мурманская область") and the lengths of the
// other strings.
func (pl *place) slot() uint32 {
	h := maphash.String(slotSeed, pl.region) ^ maphash.String(slotSeed, pl.country) ^
		(uint64(pl.typ) | uint64(len(pl.operator))<<8 | uint64(len(pl.zones))<<16)
	return uint32((h * 0x9e3779b97f4a7c15) >> (64 - slotBits))
}

var slotSeed = maphash.MakeSeed()

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// columns is the union of the headers of every table read, so rows of
// sheets and files with different headers share one output table. A name
// repeated within a header (two "Телефон" columns) gets a place per repeat.
type columns struct {
	names []string
	index map[string][]int // name -> its output positions, in repeat order
}

func (cs *columns) layout(header []string) []int {
	if cs.index == nil {
		cs.index = map[string][]int{}
	}
	seen := map[string]int{}
	out := make([]int, len(header))
	for i, name := range header {
		k := seen[name]
		seen[name]++
		if k < len(cs.index[name]) {
			out[i] = cs.index[name][k]
			continue
		}
		out[i] = cs.add(name)
	}
	return out
}

// add gives name one more place and returns it.
func (cs *columns) add(name string) int {
	if cs.index == nil {
		cs.index = map[string][]int{}
	}
	cs.index[name] = append(cs.index[name], len(cs.names))
	cs.names = append(cs.names, name)
	return len(cs.names) - 1
}
