// Package importer takes files into the database: every row kept with its
// fields, every number linked to its rows and bases, all files of one call
// in one transaction.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/scan"
	"github.com/callbase/callbase/internal/store"
)

// Options says how to import.
type Options struct {
	Base        string
	Source      string
	Temperature string
	Region      string
	Ingest      ingest.Options
	Locator     *locate.Locator // where numbers ring; nil: by the database's plan, read in the transaction
	At          time.Time
	DryRun      bool          // do everything, then roll back
	Rejects     *export.Table // when set, every rejected cell is written here
	Progress    func(done, total int64)
	// Ready, when set, runs just before the commit; its error rolls the
	// import back. Output files are finished there.
	Ready func() error
}

// Summary is the honest account of one file's import.
type Summary struct {
	File            string         `json:"file"`
	Base            string         `json:"base"`
	Format          string         `json:"format"`
	AlreadyImported bool           `json:"already_imported"`
	DryRun          bool           `json:"dry_run"`
	Rows            int            `json:"rows"`
	TitleRows       int            `json:"title_rows"`     // rows above a header, not imported
	SkippedSheets   []string       `json:"skipped_sheets"` // sheets with no base in them, and why
	RowsWithNumber  int            `json:"rows_with_number"`
	Numbers         int            `json:"numbers"`
	Unique          int            `json:"unique"`
	New             int            `json:"new"`
	Known           int            `json:"known"`
	FileDuplicates  int            `json:"file_duplicates"`
	Suppressed      int            `json:"suppressed"`  // numbers in rows of forgotten people: not stored
	Unallocated     int            `json:"unallocated"` // unique numbers never issued: stored dead
	Rejects         map[string]int `json:"rejects"`
	ByRegion        map[string]int `json:"by_region"` // unique numbers by region ("" unknown)
	ByZone          map[string]int `json:"by_zone"`   // unique numbers by zones
}

// Files imports the files into opts.Base in one transaction: all of them
// land, or none. A file already imported into the base is skipped.
func Files(ctx context.Context, st *store.Store, paths []string, opts Options) ([]Summary, error) {
	tx, err := st.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if opts.Locator == nil {
		// Read inside the transaction: a numbering plan loaded meanwhile
		// cannot leave these numbers placed by the one it replaced.
		data, _, ok, err := tx.Plan(ctx)
		if err != nil {
			return nil, err
		}
		if opts.Locator, err = locate.Stored(data, ok); err != nil {
			return nil, err
		}
	}
	sums := []Summary{}
	for _, path := range paths {
		sum, err := file(ctx, tx, path, opts)
		if err != nil {
			return sums, err
		}
		sums = append(sums, sum)
	}
	if opts.Ready != nil {
		if err := opts.Ready(); err != nil {
			return sums, err
		}
	}
	if opts.DryRun {
		return sums, tx.Rollback()
	}
	return sums, tx.Commit()
}

func file(ctx context.Context, tx *store.Tx, path string, opts Options) (Summary, error) {
	sum := Summary{File: path, Base: opts.Base, DryRun: opts.DryRun, SkippedSheets: []string{},
		Rejects: map[string]int{}, ByRegion: map[string]int{}, ByZone: map[string]int{}}
	hash, err := fileHash(path)
	if err != nil {
		return sum, err
	}
	if done, err := tx.Imported(ctx, opts.Base, hash); err != nil || done {
		sum.AlreadyImported = done
		return sum, err
	}
	r, err := ingest.Open(path, opts.Ingest)
	if err != nil {
		return sum, err
	}
	defer r.Close()
	sum.Format = r.Format()

	im, err := tx.StartImport(ctx, store.ImportInfo{
		Base: opts.Base, Source: opts.Source, Temperature: opts.Temperature,
		File: filepath.Base(path), SHA256: hash, Format: sum.Format, At: opts.At,
	})
	if err != nil {
		return sum, err
	}
	defer im.Close()
	suppress, err := tx.Suppressor(ctx)
	if err != nil {
		return sum, err
	}
	w := &writer{ctx: ctx, im: im, sum: &sum, opts: &opts, reader: r, suppress: suppress}
	skipped := func(err error) { sum.SkippedSheets = append(sum.SkippedSheets, err.Error()) }
	if err := scan.File(ctx, r, scan.Options{Region: opts.Region, Locator: opts.Locator, Skipped: skipped}, w); err != nil {
		return sum, err
	}
	counts, err := im.Finish(ctx, store.ImportCounts{
		Rows: sum.Rows, Numbers: sum.Numbers, Suppressed: sum.Suppressed, Rejects: sum.Rejects,
	})
	sum.Unique, sum.FileDuplicates, sum.Unallocated = counts.Unique, counts.FileDuplicates, counts.Unallocated
	sum.New, sum.Known = counts.New, counts.Known
	if err == nil {
		sum.ByRegion, sum.ByZone = counts.ByRegion, counts.ByZone
	}
	return sum, err
}

// writer is the scan.Handler that stores rows as they come.
type writer struct {
	ctx    context.Context
	im     *store.Import
	sum    *Summary
	opts   *Options
	reader *ingest.Reader
	table  *ingest.Table
	tblIdx int
	keys   []uint64 // of the row's numbers

	suppress *store.Suppressor // numbers forgotten at their owners' request
}

func (w *writer) Table(idx int, t *ingest.Table) error {
	w.table, w.tblIdx = t, idx
	w.sum.TitleRows += len(t.Skipped)
	return w.im.AddTable(w.ctx, idx, t.Sheet, t.Header, t.PhoneCols)
}

func (w *writer) Row(row *scan.Row) error {
	s := w.sum
	s.Rows++
	if w.opts.Progress != nil && s.Rows%4096 == 0 {
		w.opts.Progress(w.reader.Progress())
	}
	// A row holding a forgotten number is a forgotten person's: it is not
	// stored at all, and its numbers are counted as suppressed.
	w.keys = w.keys[:0]
	for _, n := range row.Numbers {
		key := n.Key
		if w.suppress.Suppressed(key) {
			s.Suppressed += len(row.Numbers)
			return nil
		}
		w.keys = append(w.keys, key)
	}
	rowID, err := w.im.AddRow(w.ctx, w.tblIdx, row.Line, row.Cells)
	if err != nil {
		return err
	}
	if len(row.Numbers) > 0 {
		s.RowsWithNumber++
	}
	for i, n := range row.Numbers {
		s.Numbers++
		key := w.keys[i]
		place := store.Place{Operator: n.Place.Operator, Region: n.Place.Region,
			Zones: n.Place.ZoneList(), Unallocated: n.Place.Unallocated}
		// The store tells a number's first occurrence in the file from
		// the others, and counts the unique ones.
		if err := w.im.AddNumber(w.ctx, rowID, n.Col, store.Number{
			Key: key, Ext: n.Ext, Type: n.Type.String(), Country: n.Country, Place: place,
		}); err != nil {
			return err
		}
	}
	for _, rej := range row.Rejects {
		s.Rejects[rej.Reason.String()]++
		if w.opts.Rejects != nil {
			if err := w.opts.Rejects.WriteReject(export.Reject{File: w.sum.File, Sheet: w.table.Sheet, Row: row.Line,
				Column: rej.Column(w.table), Text: rej.Text, Reason: rej.Reason.String()}); err != nil {
				return err
			}
		}
	}
	return nil
}

// fileHash is the SHA-256 of the file's bytes: the same content imported
// twice into a base is recognised whatever the file is called.
func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named once, by InputError
		}
		return "", &callbase.InputError{File: path, Err: err}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return "", &callbase.InputError{File: path, Err: errors.New("is a directory, not a file")}
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", &callbase.InputError{File: path, Err: err}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
