package clean

import (
	"context"
	"encoding/binary"
	"io"
	"slices"
	"strconv"
	"sync"

	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/phone"
)

// Rows of the cleaned table go through a pipeline: one goroutine reads
// batches of records back from the spill, formatters turn them into cells
// (the readable form of foreign numbers costs tens of µs), and the caller
// writes the batches in order. A fixed set of batches circulates, so memory
// stays bounded whatever the size of the input.
//
// A batch is the records one read of the spill brings, about batchBytes:
// some 250 rows of a base. The records of first sightings are picked out
// where they stand; repeats are left in between.
const batchBytes = 1 << 15

type batch struct {
	raw    []byte   // the records read
	counts []uint32 // the occurrences of each row's number
	starts []int    // where each row's record starts in raw
	ends   []int    // and ends
	nums   []int    // which of its record's numbers each row's is
	cells  []any    // the rows, width cells each (XLSX)
	csv    []byte   // the rows encoded (CSV); without in_database when there is a Known to ask
	splits []int    // with a Known to ask (CSV): where each row's in_database goes in csv, and where the row ends
	keys   []uint64 // the number of each row, with a Known to ask
	err    error
	ready  chan struct{} // a formatter is done with the batch
}

// uniquesHeader is the header of the cleaned table.
func (c *cleaner) uniquesHeader() []string {
	header := slices.Clone(Header)
	if c.opts.Known != nil {
		header = append(header, "in_database")
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
	return header
}

func (c *cleaner) writeUniques(ctx context.Context, out *export.Table) error {
	header := c.uniquesHeader()
	if c.opts.Known != nil {
		c.sum.Known = new(int)
	}
	if err := out.Sheet("numbers", header); err != nil {
		return err
	}
	sr, err := c.rows.reader()
	if err != nil {
		return err
	}
	// The writer is the slow end: a few formatters keep it busy.
	norms := c.norms[:min(len(c.norms), 4)]
	workers := len(norms)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := make(chan *batch, 2*workers+2)
	for range cap(free) {
		free <- &batch{ready: make(chan struct{}, 1)}
	}
	work := make(chan *batch, cap(free))
	order := make(chan *batch, cap(free))
	var (
		wg      sync.WaitGroup
		readErr error
	)
	wg.Go(func() {
		defer close(order)
		defer close(work)
		readErr = readBatches(ctx, sr, c.count, free, work, order)
	})
	f := formatter{known: c.opts.Known != nil, files: c.sum.Files, tables: c.tables, layouts: c.layouts}
	f.enc, f.encode = out.CSVRows()
	f.encode = f.encode && encodeRows
	f.places = make([][5]any, len(c.places.list))
	f.placesCSV = make([]string, len(c.places.list))
	for i, pl := range c.places.list {
		f.places[i] = [5]any{pl.typ.String(), pl.country, pl.operator, pl.region, pl.zones}
		var b []byte
		for _, s := range []string{pl.typ.String(), pl.country, pl.operator, pl.region, pl.zones} {
			b = f.enc.String(b, s)
		}
		f.placesCSV[i] = string(b)
	}
	f.fileSheet = make([]string, len(c.tables))
	for i, t := range c.tables {
		f.fileSheet[i] = string(f.enc.String(f.enc.String(nil, c.sum.Files[t.file]), t.sheet))
	}
	f.inOrder = make([]bool, len(c.layouts))
	for t, layout := range c.layouts {
		f.inOrder[t] = true
		for i, at := range layout {
			f.inOrder[t] = f.inOrder[t] && at == i
		}
	}
	f.blank = make([]any, len(c.columns.names))
	for i := range f.blank {
		f.blank[i] = ""
	}
	for _, norm := range norms {
		wg.Go(func() {
			f := f
			f.norm = norm
			for b := range work {
				b.err = f.format(b)
				b.ready <- struct{}{}
			}
		})
	}
	err = c.writeBatches(ctx, out, len(header), f.encode, free, order)
	cancel()
	wg.Wait()
	if err == nil {
		err = readErr
	}
	return err
}

// readBatches fills batches with the numbers of the records of sr that
// are seen for the first time, in order, with their counts; count has one
// for each number of each record (see cleaner.Row), 0 for a repeat.
func readBatches(ctx context.Context, sr *spillReader, count []uint32, free <-chan *batch, work, order chan<- *batch) error {
	seq := 0
	var cut []byte // the start of a record the last read cut short
	var b *batch
	for {
		if b == nil {
			select {
			case b = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		b.starts, b.ends, b.counts, b.nums = b.starts[:0], b.ends[:0], b.counts[:0], b.nums[:0]
		raw, err := sr.read(append(b.raw[:0], cut...), batchBytes)
		if err != nil && err != io.EOF {
			return err
		}
		pos := 0
		for {
			n, k := binary.Uvarint(raw[pos:])
			if k < 0 || n > 1<<31 {
				return errCorrupt
			}
			if k == 0 {
				break // cut short: read on
			}
			if short := pos + k + int(n) - len(raw); short > 0 {
				if pos > 0 {
					break // the next batch starts with it
				}
				// A record longer than a read is read whole at once.
				if raw, err = sr.readFull(raw, short); err != nil {
					return err
				}
			}
			// The record starts with how many numbers it holds.
			nums, l := binary.Uvarint(raw[pos+k : pos+k+int(n)])
			if l <= 0 || nums == 0 || nums > uint64(len(count)-seq) {
				return errCorrupt
			}
			for j, c := range count[seq : seq+int(nums)] {
				if c > 0 {
					b.starts = append(b.starts, pos+k)
					b.ends = append(b.ends, pos+k+int(n))
					b.counts = append(b.counts, c)
					b.nums = append(b.nums, j)
				}
			}
			seq += int(nums)
			pos += k + int(n)
		}
		cut = append(cut[:0], raw[pos:]...)
		b.raw = raw
		if err == io.EOF && (len(cut) > 0 || seq != len(count)) {
			return errCorrupt
		}
		if len(b.ends) > 0 {
			work <- b // never blocks: the channels hold every batch there is
			order <- b
			b = nil
		}
		if err == io.EOF {
			return nil
		}
	}
}

// writeBatches writes the formatted batches in order, and returns each to
// free once written.
// encodeRows lets a test write a CSV table through Table.Row, as XLSX is,
// to hold the encoded rows to it.
var encodeRows = true

func (c *cleaner) writeBatches(ctx context.Context, out *export.Table, width int, encoded bool, free chan<- *batch, order <-chan *batch) error {
	enc, _ := out.CSVRows()
	var rows []byte // the rows of a batch with their in_database
	for b := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case <-b.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
		if b.err != nil {
			return b.err
		}
		if encoded {
			if c.opts.Known != nil {
				rows = rows[:0]
				start := 0
				for i := range len(b.ends) {
					known, err := c.opts.Known(b.keys[i])
					if err != nil {
						return err
					}
					if known {
						*c.sum.Known++
					}
					split, end := b.splits[2*i], b.splits[2*i+1]
					rows = append(rows, b.csv[start:split]...)
					rows = enc.String(rows, yesNo(known))
					rows = enc.End(append(rows, b.csv[split:end]...))
					start = end
				}
				b.csv, rows = rows, b.csv // each keeps a buffer
			}
			if err := out.Encoded(b.csv); err != nil {
				return err
			}
			free <- b
			continue
		}
		for i := range len(b.ends) {
			row := b.cells[i*width : (i+1)*width]
			if c.opts.Known != nil {
				known, err := c.opts.Known(b.keys[i])
				if err != nil {
					return err
				}
				row[len(Header)] = yesNo(known)
				if known {
					*c.sum.Known++
				}
			}
			if err := out.Row(row); err != nil {
				return err
			}
		}
		free <- b
	}
	return ctx.Err()
}

// formatter turns records of the rows spill into rows of cells. Each
// goroutine has its own: a Normalizer is not safe for concurrent use.
type formatter struct {
	norm  *phone.Normalizer
	known bool // leave a cell for in_database
	files []string
	// the tables read, and where the columns of each go in the output
	tables  []table
	layouts [][]int
	// type, country, operator, region and zones of each place, put in
	// interfaces once: Table.Row takes its cells as interfaces.
	places [][5]any
	blank  []any // the input fields, all empty
	boxes  [2]box

	// A CSV table's rows are encoded here rather than by the one
	// goroutine that writes.
	encode    bool
	enc       export.CSVRows
	placesCSV []string // the five cells of each place, encoded
	fileSheet []string // by table: its file and sheet cells, encoded
	fields    [][]byte // the input fields of the row being encoded
	inOrder   []bool   // by table: its columns are the output's first, in order
	lens      []int    // scratch for the lengths of a row's cells
}

// box keeps the last string put in an interface, so the columns that
// repeat (file, sheet) are not allocated again row after row.
type box struct {
	s string
	v any
}

func (b *box) of(s string) any {
	if b.v == nil || b.s != s {
		b.s, b.v = s, s
	}
	return b.v
}

func (f *formatter) format(b *batch) error {
	if f.encode {
		return f.encodeCSV(b)
	}
	raw := string(b.raw) // one copy for the batch; the cells share it
	b.cells, b.keys = b.cells[:0], b.keys[:0]
	for i, start := range b.starts {
		r := fields[string]{s: raw[start:b.ends[i]]}
		e164, pl, ext, tbl, line, ok := head(f, &r, b.nums[i])
		if !ok {
			return errCorrupt
		}
		t, layout := &f.tables[tbl], f.layouts[tbl]
		p := &f.places[pl]
		var extCell any = ""
		if ext != "" {
			extCell = ext
		}
		b.cells = append(b.cells, e164, f.norm.Readable(e164), p[0], p[1], p[2], p[3], p[4], extCell,
			int(b.counts[i]), f.boxes[0].of(f.files[t.file]), f.boxes[1].of(t.sheet), line)
		if f.known {
			key, _ := strconv.ParseUint(e164[1:], 10, 64)
			b.keys = append(b.keys, key)
			b.cells = append(b.cells, nil)
		}
		row := len(b.cells)
		b.cells = append(b.cells, f.blank...)
		lens, run := r.cells(f.lens[:0])
		f.lens = lens
		if r.bad || len(lens) > len(layout) {
			return errCorrupt
		}
		for col, n := range lens {
			if n > 0 {
				b.cells[row+layout[col]] = run[:n]
			}
			run = run[n:]
		}
	}
	return nil
}

// head reads the fields of a rows record that come before the input
// fields: e164, place id and ext of its number num, then table index and
// line. The row's cells follow (see record.cells).
func head[T string | []byte](f *formatter, r *fields[T], num int) (e164 T, pl int, ext T, tbl, line int, ok bool) {
	nums := r.num()
	if nums > r.left()/3 { // each number takes 3 bytes at least
		r.fail()
	}
	for j := 0; j < nums && !r.bad; j++ {
		e, p, x := r.str(), r.num(), r.str()
		if j == num {
			e164, pl, ext = e, p, x
		}
	}
	tbl, line = r.num(), r.num()
	ok = !r.bad && num < nums && tbl < len(f.tables) && len(e164) >= 2 && pl < len(f.places)
	return
}

// encodeCSV is format for a CSV table: the same cells as format's,
// encoded straight from the batch's bytes, which outlive no row.
func (f *formatter) encodeCSV(b *batch) error {
	b.csv, b.splits, b.keys = b.csv[:0], b.splits[:0], b.keys[:0]
	if f.fields == nil {
		f.fields = make([][]byte, len(f.blank))
	}
	for i, start := range b.starts {
		r := fields[[]byte]{s: b.raw[start:b.ends[i]]}
		e164, pl, ext, tbl, line, ok := head(f, &r, b.nums[i])
		if !ok {
			return errCorrupt
		}
		layout := f.layouts[tbl]
		out := f.enc.Bytes(b.csv, e164)
		out = f.enc.Appended(f.norm.AppendReadableBytes(out, e164), len(out))
		out = append(out, f.placesCSV[pl]...)
		out = f.enc.Bytes(out, ext)
		out = f.enc.Int(out, int(b.counts[i]))
		out = append(out, f.fileSheet[tbl]...)
		out = f.enc.Int(out, line)
		if f.known {
			b.keys = append(b.keys, keyOf(e164))
			b.splits = append(b.splits, len(out))
		}
		lens, run := r.cells(f.lens[:0])
		f.lens = lens
		if r.bad || len(lens) > len(layout) {
			return errCorrupt
		}
		if f.inOrder[tbl] && !f.enc.SpecialBytes(run) {
			// Most rows: cells in the output's order, none holding what
			// CSV quotes, which one look at all of them tells.
			for _, n := range lens {
				out = f.enc.CheckedBytes(out, run[:n])
				run = run[n:]
			}
			for range len(f.fields) - len(lens) {
				out = f.enc.String(out, "")
			}
		} else {
			clear(f.fields)
			for col, n := range lens {
				f.fields[layout[col]] = run[:n]
				run = run[n:]
			}
			for _, field := range f.fields {
				out = f.enc.Bytes(out, field)
			}
		}
		if f.known {
			b.splits = append(b.splits, len(out)) // the writer ends the row
		} else {
			out = f.enc.End(out)
		}
		b.csv = out
	}
	return nil
}

// keyOf is phone.Number.Key of the E.164 number e164, held in bytes:
// the key the database keeps, worked out without a string for the numbers
// of up to 19 digits that every valid one is.
func keyOf(e164 []byte) uint64 {
	if len(e164) < 2 || len(e164) > 20 || e164[0] != '+' {
		return phone.Number{E164: string(e164)}.Key()
	}
	var k uint64
	for _, c := range e164[1:] {
		if c < '0' || c > '9' {
			return 0
		}
		k = k*10 + uint64(c-'0')
	}
	return k
}

func (c *cleaner) writeRejects(ctx context.Context, rej *export.Table) error {
	if rej == nil {
		return nil
	}
	if err := rej.Sheet("rejects", export.RejectsHeader); err != nil {
		return err
	}
	sr, err := c.rejects.reader()
	if err != nil {
		return err
	}
	// A CSV table gets its rows encoded here, a batch at a time, as the
	// uniques are.
	enc, encode := rej.CSVRows()
	encode = encode && encodeRows
	var buf, rows []byte
	for n := 0; ; n++ {
		if buf, err = sr.next(buf[:0]); err == io.EOF {
			if encode {
				return rej.Encoded(rows)
			}
			return nil
		} else if err != nil {
			return err
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// file index, sheet, line, column, text, reason
		r := fields[string]{s: string(buf)}
		fileIdx, sheet, line, column, text, reason := r.num(), r.str(), r.num(), r.str(), r.str(), r.str()
		if r.bad || fileIdx >= len(c.sum.Files) {
			return errCorrupt
		}
		if encode {
			// export.RejectsHeader's columns
			rows = enc.String(enc.String(rows, c.sum.Files[fileIdx]), sheet)
			rows = enc.String(enc.String(enc.String(enc.Int(rows, line), column), text), reason)
			if rows = enc.End(rows); len(rows) >= batchBytes {
				if err := rej.Encoded(rows); err != nil {
					return err
				}
				rows = rows[:0]
			}
			continue
		}
		err := rej.WriteReject(export.Reject{File: c.sum.Files[fileIdx], Sheet: sheet, Row: line, Column: column, Text: text, Reason: reason})
		if err != nil {
			return err
		}
	}
}
