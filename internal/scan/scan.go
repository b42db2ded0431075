// Package scan reads an input file and normalizes its phone cells on every
// core, handing the rows back in file order.
package scan

import (
	"cmp"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/phone"
)

// Row is one data row of a table with what its phone cells came to.
type Row struct {
	Table   int // index of the table in the file, from 0
	Line    int
	Cells   []string
	Numbers []Found  // valid numbers, in cell order
	Rejects []Reject // pieces of phone cells that are not numbers
}

// Found is a valid number, the column it stood in and where it rings.
type Found struct {
	phone.Number
	Key   uint64 // the number's key (phone.Number.Key), worked out once
	Col   int
	Text  string // the piece of the cell it was read from
	Place locate.Place
}

// Options say how to scan.
type Options struct {
	Region  string // default region of numbers without a country code
	Workers int    // normalizing goroutines; all cores when 0
	// Normalizers, when given, are used by the workers, one each, instead
	// of new ones: what they learned of prefixes and blocks is kept for the
	// caller's next use. Workers beyond them get new ones.
	Normalizers []*phone.Normalizer
	Locator     *locate.Locator // places every number found; nil leaves Place empty
	// Skipped hears of each sheet of a workbook left out for having no
	// phone column or no data; nil fails on it instead. A workbook with
	// no usable sheet fails all the same.
	Skipped func(err error)
}

// Reject is a piece of a phone cell that is not a number, and why.
type Reject struct {
	Col    int
	Text   string
	Reason phone.Reason
}

// Column is the header of the reject's column in t.
func (r Reject) Column(t *ingest.Table) string {
	if r.Col >= 0 && r.Col < len(t.Header) {
		return t.Header[r.Col]
	}
	return ""
}

// Handler receives the tables and rows of a file, in order, on the
// goroutine that called File. A Row and its slices are File's again once
// Row returns: a handler keeps copies of what it needs, not the Row, and
// clones (strings.Clone) of the strings it keeps long (see ingest.Row).
type Handler interface {
	Table(idx int, t *ingest.Table) error
	Row(r *Row) error
}

const batchSize = 512

type batch struct {
	seq   int
	table int
	start *ingest.Table // set on the first batch of a table
	cols  []int         // the table's phone columns
	rows  []Row
	mem   *memory // where rows is from, and the arena of its numbers
}

// memory is what a batch's rows take, used again by a later batch once
// the rows are handled: a million rows made 270 MB of garbage otherwise.
type memory struct {
	rows []Row
	ar   arena
}

// memories is a free list of memory; get makes one when it is empty, put
// drops one when it is full.
type memories chan *memory

func (m memories) get() *memory {
	select {
	case mem := <-m:
		return mem
	default:
		return &memory{rows: make([]Row, 0, batchSize)}
	}
}

func (m memories) put(mem *memory) {
	// Cleared, so that rows waiting here keep no cells alive.
	clear(mem.rows)
	clear(mem.ar.found)
	clear(mem.ar.rejects)
	mem.rows, mem.ar.found, mem.ar.rejects = mem.rows[:0], mem.ar.found[:0], mem.ar.rejects[:0]
	select {
	case m <- mem:
	default:
	}
}

// File reads every table of r and hands them to h. Normalizing runs on
// several goroutines while h sees the rows in file order.
func File(parent context.Context, r *ingest.Reader, opts Options, h Handler) error {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(parent)

	raw := make(chan batch, workers*2)
	done := make(chan batch, workers*2)
	// Every batch in flight: in both channels, with the workers, held
	// back in pending, and one being read and one being handled.
	free := make(memories, 4*workers+2)
	var readErr error
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer close(raw)
		readErr = read(ctx, r, raw, opts.Skipped, free)
	}()

	var wg sync.WaitGroup
	normErr := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var norm *phone.Normalizer
			if w < len(opts.Normalizers) {
				norm = opts.Normalizers[w]
			} else {
				var err error
				if norm, err = phone.NewNormalizer(opts.Region); err != nil {
					normErr <- err
					cancel()
					return
				}
			}
			var buf []phone.Result
			for b := range raw {
				// The Numbers and Rejects of a batch's rows share two
				// arrays instead of two small ones a row.
				ar := &b.mem.ar
				if cap(ar.found) == 0 {
					ar.found = make([]Found, 0, len(b.rows)+len(b.rows)/4)
				}
				for i := range b.rows {
					buf = normalizeRow(norm, &b.rows[i], b.cols, buf[:0], ar)
					if opts.Locator != nil {
						for j := range b.rows[i].Numbers {
							f := &b.rows[i].Numbers[j]
							f.Place = opts.Locator.PlaceKey(f.Number, f.Key)
						}
					}
				}
				select {
				case done <- b:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	// Batches finish out of order; hold them back until their turn.
	pending := map[int]batch{}
	next := 0
	var err error
	for b := range done {
		if err != nil {
			continue // drain so the workers can exit
		}
		pending[b.seq] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err = deliver(h, b); err != nil {
				cancel()
				break
			}
			b.mem.rows = b.rows // grown, maybe
			free.put(b.mem)
		}
	}
	// The reader must have stopped touching r before File returns.
	cancel()
	<-readDone
	select {
	case e := <-normErr:
		return e
	default:
	}
	if err != nil {
		return err
	}
	if readErr != nil && !errors.Is(readErr, context.Canceled) {
		return readErr
	}
	return parent.Err()
}

func deliver(h Handler, b batch) error {
	if b.start != nil {
		if err := h.Table(b.table, b.start); err != nil {
			return err
		}
	}
	for i := range b.rows {
		if err := h.Row(&b.rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// read cuts the file into batches of rows, numbered in file order.
func read(ctx context.Context, r *ingest.Reader, out chan<- batch, skipped func(error), free memories) error {
	seq := 0
	var firstSkip error
	send := func(b batch) bool {
		b.seq = seq
		seq++
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for tableIdx := 0; ; tableIdx++ {
		t, err := r.NextTable()
		if errors.Is(err, io.EOF) {
			if tableIdx == 0 && firstSkip != nil {
				return firstSkip // no sheet was usable
			}
			return nil
		}
		if skipped != nil && unusableSheet(err) {
			firstSkip = cmp.Or(firstSkip, err)
			skipped(err)
			tableIdx--
			continue
		}
		if err != nil {
			return err
		}
		mem := free.get()
		b := batch{table: tableIdx, start: t, cols: t.PhoneCols, rows: mem.rows, mem: mem}
		for {
			row, err := t.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			b.rows = append(b.rows, Row{Table: tableIdx, Line: row.Line, Cells: row.Cells})
			if len(b.rows) == batchSize {
				if !send(b) {
					return ctx.Err()
				}
				mem := free.get()
				b = batch{table: tableIdx, cols: t.PhoneCols, rows: mem.rows, mem: mem}
			}
		}
		if (len(b.rows) > 0 || b.start != nil) && !send(b) {
			return ctx.Err()
		}
	}
}

// unusableSheet tells a sheet of a workbook that holds no base: no phone
// column, or a header and nothing under it.
func unusableSheet(err error) bool {
	var ie *callbase.InputError
	return errors.As(err, &ie) && ie.Sheet != "" &&
		(errors.Is(err, ingest.ErrNoPhoneColumn) || errors.Is(err, ingest.ErrNoData))
}

// arena holds the Numbers and Rejects of the rows of one batch. A row's
// slices are capped at their length, so appending to one row's slice never
// writes over the next row's; when an array is full, a new one is begun
// and the rows before keep the old.
type arena struct {
	found   []Found
	rejects []Reject
}

// normalizeRow fills row's Numbers and Rejects from its phone cells, in
// ar. An empty cell is a reject only when the row has nothing else to
// show, so a row with one filled phone column of two is not counted as a
// reject.
func normalizeRow(norm *phone.Normalizer, row *Row, phoneCols []int, buf []phone.Result, ar *arena) []phone.Result {
	foundAt, rejectsAt := len(ar.found), len(ar.rejects)
	firstEmpty := -1
	for _, col := range phoneCols {
		if col >= len(row.Cells) {
			continue
		}
		buf = norm.AppendCell(buf[:0], row.Cells[col])
		for _, res := range buf {
			switch res.Reason {
			case phone.OK:
				ar.found = append(ar.found, Found{Number: res.Number, Key: res.Number.Key(), Col: col, Text: res.Text})
			case phone.Empty:
				if firstEmpty < 0 {
					firstEmpty = col
				}
			default:
				ar.rejects = append(ar.rejects, Reject{Col: col, Text: res.Text, Reason: res.Reason})
			}
		}
	}
	if len(ar.found) == foundAt && len(ar.rejects) == rejectsAt {
		if firstEmpty < 0 && len(phoneCols) > 0 {
			firstEmpty = phoneCols[0] // the row is shorter than its phone columns
		}
		ar.rejects = append(ar.rejects, Reject{Col: firstEmpty, Reason: phone.Empty})
	}
	if n := len(ar.found); n > foundAt {
		row.Numbers = ar.found[foundAt:n:n]
	}
	if n := len(ar.rejects); n > rejectsAt {
		row.Rejects = ar.rejects[rejectsAt:n:n]
	}
	return buf
}
