// Package export writes what callbase hands to people: cleaned bases, reject
// reports and call lists, as CSV or XLSX.
package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/spreadsheet"
	"github.com/callbase/callbase/internal/writeback"
)

// Format is the kind of file a Table writes.
type Format int

const (
	CSV Format = iota
	XLSX
)

// FormatOf picks the format from a file name's extension.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
		return CSV, nil
	case ".xlsx":
		return XLSX, nil
	}
	return 0, callbase.Usagef("%s: cannot tell the output format from the extension\nTry: a name ending in .csv or .xlsx", path)
}

// Table writes rows of cells to one file. A CSV table has one sheet; an
// XLSX table may have several. Strings are written as text (so phone cells
// stay text in XLSX and leading zeros survive), integers as numbers.
type Table struct {
	format     Format
	file       *os.File // the temporary file, renamed into place (or copied to out) by Close
	fw         *fileWriter
	path       string    // "-" for out
	out        io.Writer // where "-" goes
	buf        *bufio.Writer
	csv        *csv.Writer
	xlsx       *spreadsheet.Writer
	sheets     int
	record     []string
	finished   bool
	closed     bool
	wentOut    bool // see Out
	neutralize bool
}

// Create starts a table at path, in the format of its extension, or CSV on
// out when path is "-". The file is created readable by its owner only and
// appears under its name only once Close succeeds, so a failed command
// never leaves half a file behind; for "-" the table waits in a temporary
// file and reaches out only on Close.
func Create(path string, out io.Writer) (*Table, error) {
	format, dir := CSV, os.TempDir()
	if path != "-" {
		var err error
		if format, err = FormatOf(path); err != nil {
			return nil, err
		}
		dir = filepath.Dir(path)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	lock(f) // where there is no flock, nobody else touches it either
	fw := &fileWriter{f: f}
	t := &Table{format: format, file: f, fw: fw, path: path, out: out, buf: bufio.NewWriterSize(fw, 1<<16)}
	if format == CSV {
		t.csv = csv.NewWriter(t.buf)
	} else {
		t.xlsx = spreadsheet.NewWriter(t.buf)
	}
	return t, nil
}

// ExcelCSV makes a CSV table the kind Russian Excel opens as it is:
// ';'-separated UTF-8 with a byte-order mark. Call it before Sheet.
func (t *Table) ExcelCSV() error {
	if t.format != CSV {
		return nil
	}
	t.csv.Comma = ';'
	_, err := t.buf.WriteString("\uFEFF")
	return err
}

// NeutralizeFormulas makes the CSV table write string cells that a
// spreadsheet would run as a formula (starting with = + - @, a tab or a
// carriage return) with a leading apostrophe, which shows them as text.
// Cells of type Raw are left as they are. XLSX cells are written as text,
// which no spreadsheet runs.
func (t *Table) NeutralizeFormulas() { t.neutralize = true }

// Raw is a string cell written as it is, even by a table neutralizing
// formulas: for values callbase makes itself, such as "+79161234567".
type Raw string

// Neutralize returns s made safe from running as a formula.
func Neutralize(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Sheet starts a sheet with its header row. A CSV table takes one sheet
// only; its name is not written.
func (t *Table) Sheet(name string, header []string) error {
	t.sheets++
	if t.format == CSV {
		if t.sheets > 1 {
			return fmt.Errorf("a CSV file holds one table only")
		}
		return t.csv.Write(header)
	}
	return t.xlsx.AddSheet(name, header)
}

// Row writes one row. Cells may be strings or integers.
func (t *Table) Row(cells []any) error {
	if t.format == XLSX {
		for i, c := range cells {
			if r, ok := c.(Raw); ok {
				cells[i] = string(r)
			}
		}
		return t.xlsx.WriteRow(cells)
	}
	t.record = t.record[:0]
	for _, c := range cells {
		v := cellString(c)
		if _, ok := c.(string); ok && t.neutralize {
			v = Neutralize(v)
		}
		t.record = append(t.record, v)
	}
	return t.csv.Write(t.record)
}

func cellString(c any) string {
	switch v := c.(type) {
	case string:
		return v
	case Raw:
		return string(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case nil:
		return ""
	}
	return fmt.Sprint(c)
}

// Finish writes out and syncs everything buffered, so that only putting
// the file in place is left to Close. A command that also commits to the
// database finishes its files first, commits, then closes them: a full
// disk fails it before anything lands.
func (t *Table) Finish() error {
	if t.finished {
		return nil
	}
	var err error
	if t.format == XLSX {
		err = t.xlsx.Close()
	} else {
		t.csv.Flush()
		err = t.csv.Error()
	}
	if err == nil {
		err = t.buf.Flush()
	}
	if serr := t.fw.stop(); err == nil {
		err = serr
	}
	if err == nil {
		err = t.file.Sync()
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", t.path, err)
	}
	t.finished = true
	return nil
}

// Close finishes the file and puts it in place (or copies it to out).
// Out tells, when it fails, whether anything went out all the same.
func (t *Table) Close() error {
	err := t.Finish()
	if err == nil && t.path == "-" {
		if _, err = t.file.Seek(0, io.SeekStart); err == nil {
			var n int64
			n, err = io.Copy(t.out, t.file)
			t.wentOut = n > 0
		}
	}
	if err == nil && t.path != "-" && renameOpen {
		// Renamed while still open and locked: no other command drops
		// the file meanwhile.
		err = place(t.file.Name(), t.path)
		t.wentOut = err == nil
	}
	cerr := t.file.Close()
	if err == nil && t.path != "-" && !renameOpen {
		if err = cerr; err == nil {
			err = place(t.file.Name(), t.path)
			t.wentOut = err == nil
		}
	}
	t.closed = true
	if !t.wentOut || t.path == "-" {
		os.Remove(t.file.Name())
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", t.path, err)
	}
	return nil
}

// Abort drops the table unless Close succeeded: nothing appears under its
// name, and nothing reaches out.
func (t *Table) Abort() {
	if !t.closed {
		t.fw.stop()
		t.file.Close()
		os.Remove(t.file.Name())
	}
}

// fileWriter writes to the table's file and has it synced as it grows.
// Finish must fsync the whole file before it is put in place (a file
// reported written is whole); left to the end, that fsync waited 0.4 s for
// the ~280 MB of a cleaned base of 1M rows. Synced along the way, the disk
// works while the rows are made, and the last fsync finds little to do.
// The syncs run on a goroutine of their own: the writer must not wait.
type fileWriter struct {
	f       *os.File
	written int64         // bytes written to f
	synced  int64         // bytes written when the goroutine was last kicked
	kick    chan struct{} // a sync to run
	done    chan struct{} // closed when the goroutine is gone
	err     error         // the first sync's error; read once done is closed
}

// syncEvery is how many bytes are written between two syncs. 8 MB left the
// last fsync of a 1M-row clean at 0.02 s on a shared virtual disk.
const syncEvery = 8 << 20

func (w *fileWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	if w.written-w.synced >= syncEvery {
		if w.kick == nil {
			w.kick, w.done = make(chan struct{}, 1), make(chan struct{})
			go w.sync()
		}
		select {
		case w.kick <- struct{}{}:
			w.synced = w.written
		default: // still busy: the next sync covers these bytes too
		}
	}
	return n, err
}

func (w *fileWriter) sync() {
	defer close(w.done)
	for range w.kick {
		if err := syncFile(w.f); err != nil && w.err == nil {
			w.err = err
		}
	}
}

// syncFile is writeback.Sync; a test makes it fail.
var syncFile = writeback.Sync

// stop ends the goroutine, before the file is synced and closed.
// It returns the first error a sync met: the file's own fsync would not
// see it again (a write error is reported once per open file).
func (w *fileWriter) stop() error {
	if w.kick != nil {
		close(w.kick)
		<-w.done
		w.kick = nil
	}
	return w.err
}
