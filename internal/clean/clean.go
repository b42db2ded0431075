// Package clean is the one-shot hygiene of a purchased base: one row per
// unique valid number with the fields of the row it first stood in, the
// rejects, and a quality summary. It needs no database.
package clean

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/ingest"
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
	c := &cleaner{sum: &sum, opts: &opts, count: map[uint64]uint32{}}
	var err error
	if c.uniques, err = newSpill(); err != nil {
		return sum, err
	}
	defer c.uniques.remove()
	if c.rejects, err = newSpill(); err != nil {
		return sum, err
	}
	defer c.rejects.remove()

	for i, path := range paths {
		if err := c.file(ctx, i, path); err != nil {
			return sum, err
		}
	}
	sum.Unique = len(c.count)
	sum.Duplicates = sum.Numbers - sum.Unique
	if sum.Rows > 0 {
		sum.ValidShare = float64(sum.RowsWithNumber) / float64(sum.Rows)
	}
	if err := c.writeUniques(ctx, out); err != nil {
		return sum, err
	}
	return sum, c.writeRejects(ctx, rej)
}

type cleaner struct {
	sum     *Summary
	opts    *Options
	count   map[uint64]uint32 // occurrences of each unique number
	uniques *spill            // the first row of each unique number, in order
	rejects *spill
	columns columns
	record  []string

	// the file and table being read
	fileIdx int
	path    string
	reader  *ingest.Reader
	table   *ingest.Table
	layout  []int // table column -> output field position
}

func (c *cleaner) file(ctx context.Context, idx int, path string) error {
	r, err := ingest.Open(path, c.opts.Ingest)
	if err != nil {
		return err
	}
	defer r.Close()
	c.fileIdx, c.path, c.reader = idx, path, r
	skipped := func(err error) { c.sum.SkippedSheets = append(c.sum.SkippedSheets, err.Error()) }
	return scan.File(ctx, r, scan.Options{Region: c.opts.Region, Locator: c.opts.Locator, Skipped: skipped}, c)
}

func (c *cleaner) Table(_ int, t *ingest.Table) error {
	c.table = t
	c.sum.TitleRows += len(t.Skipped)
	c.layout = c.columns.layout(t.Header)
	return nil
}

func (c *cleaner) Row(row *scan.Row) error {
	s := c.sum
	s.Rows++
	if c.opts.Progress != nil && s.Rows%4096 == 0 {
		c.opts.Progress(c.reader.Progress())
	}
	valid := false
	for _, n := range row.Numbers {
		if n.Place.Unallocated {
			if err := c.reject(row.Line, scan.Reject{Col: n.Col, Text: n.Text}, callbase.Unallocated); err != nil {
				return err
			}
			continue
		}
		valid = true
		s.Numbers++
		key := n.Key()
		if c.count[key] > 0 {
			c.count[key]++
			continue
		}
		c.count[key] = 1
		s.ByType[n.Type.String()]++
		s.ByCountry[n.Country]++
		s.ByRegion[n.Place.Region]++
		s.ByZone[n.Place.ZoneList()]++
		// e164, type, country, operator, region, zones, ext, file index,
		// sheet, line, then pairs of output position and field
		rec := append(c.record[:0], n.E164, n.Type.String(), n.Country, n.Place.Operator, n.Place.Region,
			n.Place.ZoneList(), n.Ext, strconv.Itoa(c.fileIdx), c.table.Sheet, strconv.Itoa(row.Line))
		for len(c.layout) < len(row.Cells) { // a row wider than the header
			c.layout = append(c.layout, c.columns.add(ingest.ColumnName(len(c.layout))))
		}
		for col, cell := range row.Cells {
			rec = append(rec, strconv.Itoa(c.layout[col]), cell)
		}
		c.record = rec
		if err := c.uniques.write(rec); err != nil {
			return err
		}
	}
	if valid {
		s.RowsWithNumber++
	}
	for _, rej := range row.Rejects {
		if err := c.reject(row.Line, rej, rej.Reason.String()); err != nil {
			return err
		}
	}
	return nil
}

func (c *cleaner) reject(line int, rej scan.Reject, reason string) error {
	c.sum.Rejects[reason]++
	return c.rejects.write([]string{c.path, c.table.Sheet, strconv.Itoa(line), rej.Column(c.table), rej.Text, reason})
}

func (c *cleaner) writeUniques(ctx context.Context, out *export.Table) error {
	header := slices.Clone(Header)
	if c.opts.Known != nil {
		header = append(header, "in_database")
		c.sum.Known = new(int)
	}
	// An input column named like one of ours (a cleaned file cleaned
	// again) is told apart rather than repeated.
	ours := slices.Clone(header)
	for _, name := range c.columns.names {
		if slices.Contains(ours, name) {
			name += " (input)"
		}
		header = append(header, name)
	}
	if err := out.Sheet("numbers", header); err != nil {
		return err
	}
	norm, err := phone.NewNormalizer(c.opts.Region)
	if err != nil {
		return err
	}
	cells := make([]any, 0, len(header))
	fields := make([]string, len(c.columns.names))
	return c.uniques.each(ctx, func(rec []string) error {
		e164 := rec[0]
		key, _ := strconv.ParseUint(e164[1:], 10, 64)
		fileIdx, _ := strconv.Atoi(rec[7])
		line, _ := strconv.Atoi(rec[9])
		cells = append(cells[:0], e164, norm.Readable(e164), rec[1], rec[2], rec[3], rec[4], rec[5], rec[6],
			int(c.count[key]), c.sum.Files[fileIdx], rec[8], line)
		if c.opts.Known != nil {
			known, err := c.opts.Known(key)
			if err != nil {
				return err
			}
			cells = append(cells, yesNo(known))
			if known {
				*c.sum.Known++
			}
		}
		clear(fields)
		for i := 10; i+1 < len(rec); i += 2 {
			pos, _ := strconv.Atoi(rec[i])
			fields[pos] = rec[i+1]
		}
		for _, f := range fields {
			cells = append(cells, f)
		}
		return out.Row(cells)
	})
}

func (c *cleaner) writeRejects(ctx context.Context, rej *export.Table) error {
	if rej == nil {
		return nil
	}
	if err := rej.Sheet("rejects", export.RejectsHeader); err != nil {
		return err
	}
	return c.rejects.each(ctx, func(rec []string) error {
		row, _ := strconv.Atoi(rec[2])
		return rej.WriteReject(export.Reject{File: rec[0], Sheet: rec[1], Row: row, Column: rec[3], Text: rec[4], Reason: rec[5]})
	})
}

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

// spill is a temporary file that keeps what the output needs until the
// whole input is read, so memory does not grow with the input. Records are
// length-prefixed strings: unlike CSV, every byte comes back as it went in.
type spill struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
}

func newSpill() (*spill, error) {
	f, err := os.CreateTemp("", "callbase-clean-*") // created 0600
	if err != nil {
		return nil, err
	}
	// Unlinked at once: the data has no name, and a killed run leaves none
	// of it behind (where the system allows removing an open file).
	os.Remove(f.Name())
	return &spill{f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

func (s *spill) write(rec []string) error {
	s.buf = binary.AppendUvarint(s.buf[:0], uint64(len(rec)))
	for _, f := range rec {
		s.buf = binary.AppendUvarint(s.buf, uint64(len(f)))
		s.buf = append(s.buf, f...)
	}
	_, err := s.w.Write(s.buf)
	return err
}

// each reads the records back in the order they were written.
func (s *spill) each(ctx context.Context, fn func([]string) error) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(s.f, 1<<16)
	var (
		rec []string
		buf []byte
	)
	for {
		n, err := binary.ReadUvarint(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		rec = rec[:0]
		for i := uint64(0); i < n && err == nil; i++ {
			var size uint64
			if size, err = binary.ReadUvarint(r); err != nil {
				break
			}
			buf = slices.Grow(buf[:0], int(size))[:size]
			if _, err = io.ReadFull(r, buf); err == nil {
				rec = append(rec, string(buf))
			}
		}
		if err != nil {
			return fmt.Errorf("read back temporary file: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

func (s *spill) remove() {
	s.f.Close()
	os.Remove(s.f.Name()) // gone already, except on systems that refuse
}
