// Package ingest reads purchased calling bases: CSV files in the encodings
// Russian offices produce, XLSX and XLS workbooks. It finds the header row
// below any title rows and the columns that hold phone numbers, and streams
// the rows with bounded memory, whatever the size of the file.
package ingest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/phone"
	"github.com/callbase/callbase/internal/spreadsheet"
)

// Errors carried inside *callbase.InputError; test them with errors.Is.
var (
	// ErrNoRows: the file or sheet holds nothing but blank lines.
	ErrNoRows = errors.New("no rows")
	// ErrNoData: a header row and nothing below it.
	ErrNoData = errors.New("header but no data rows")
	// ErrNoPhoneColumn: no column was found to hold phone numbers, or a
	// --phone-col matched no column.
	ErrNoPhoneColumn = errors.New("no phone column")
	// ErrNotText: a file taken for CSV holds binary data.
	ErrNotText = errors.New("file does not look like text")
	// ErrTooLarge: a field, record or row wider than the limits.
	ErrTooLarge = errors.New("too large")
	// ErrUnsupported: a format that is not read (HTML, ODS, Excel 95, ...).
	ErrUnsupported = spreadsheet.ErrUnsupported
	// ErrEncrypted: a password-protected workbook.
	ErrEncrypted = spreadsheet.ErrEncrypted
)

// Limits that keep memory bounded on hostile or broken files.
const (
	MaxField   = 1 << 20  // bytes in one CSV field
	MaxRecord  = 16 << 20 // bytes in one CSV record
	MaxColumns = 10000    // fields in one CSV record

	titleRows   = 20       // rows searched for the header
	sampleRows  = 500      // data rows looked at to find phone columns
	sampleBytes = 32 << 20 // most bytes of cells kept for detection
)

// Options say how to read a file. The zero value detects everything.
type Options struct {
	Encoding  string   // "" or "auto" = detect; else utf-8, utf-16 (BOM decides LE/BE), utf-16le, utf-16be, cp1251/windows-1251, koi8-r, cp866
	Delimiter string   // "" or "auto" = sniff among ; , tab | ; else ";" "," "tab" or "\t" "|"
	Sheet     string   // XLSX/XLS: read only this sheet; "" = every sheet; ignored for CSV
	PhoneCols []string // each a header name (case-insensitive), a column letter (A, AB) or a 1-based index; empty = detect
	Region    string   // default region for content detection, "RU" if empty
}

// Reader reads the tables of one file: one for a CSV file, one per
// non-empty sheet of a workbook. It is not safe for concurrent use, except
// Progress, which may be called from any goroutine.
type Reader struct {
	path     string
	opts     Options
	norm     *phone.Normalizer
	format   string
	misnamed string // the extension claims a spreadsheet, the content is text

	csv     *csvSource
	csvDone bool

	book   *spreadsheet.Book
	sheets []string
	next   int
	seen   int // non-empty sheets met so far

	cur         *Table
	closed      bool
	done, total atomic.Int64
}

// Open opens the file at path. The format is told by content: a zip
// archive is read as XLSX, an OLE2 file as XLS, anything else as CSV text.
// Errors about the file are *callbase.InputError; a bad option is an error
// wrapping callbase.ErrUsage.
func Open(path string, opts Options) (*Reader, error) {
	enc, err := parseEncoding(opts.Encoding)
	if err != nil {
		return nil, err
	}
	delim, err := parseDelimiter(opts.Delimiter)
	if err != nil {
		return nil, err
	}
	region := opts.Region
	if region == "" {
		region = "RU"
	}
	norm, err := phone.NewNormalizer(region)
	if err != nil {
		return nil, callbase.Usagef("--region %q: %v", region, err)
	}
	r := &Reader{path: path, opts: opts, norm: norm}

	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named once, by InputError
		}
		return nil, &callbase.InputError{File: path, Err: err}
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &callbase.InputError{File: path, Err: err}
	}
	if fi.IsDir() {
		f.Close()
		return nil, &callbase.InputError{File: path, Err: errors.New("is a directory, not a file")}
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	if kind := spreadsheet.Sniff(head[:n]); kind != spreadsheet.Unknown {
		f.Close()
		if err := r.openBook(); err != nil {
			return nil, err
		}
		return r, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, &callbase.InputError{File: path, Err: err}
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".xlsx", ".xlsm", ".xls", ".ods":
		r.misnamed = ext
	}
	r.total.Store(fi.Size())
	r.csv, err = openCSV(path, f, enc, delim, &r.done)
	if err != nil {
		f.Close()
		return nil, r.explain(err)
	}
	r.format = r.csv.format()
	return r, nil
}

func (r *Reader) openBook() error {
	book, err := spreadsheet.Open(r.path)
	if err != nil {
		ie := &callbase.InputError{File: r.path, Err: err}
		switch {
		case errors.Is(err, spreadsheet.ErrEncrypted):
			ie.Hint = "Try: open it in Excel, remove the password (File > Info > Protect Workbook) and save it again"
		case errors.Is(err, spreadsheet.ErrUnsupported), errors.Is(err, spreadsheet.ErrCorrupt):
			ie.Hint = "Try: open it in Excel or LibreOffice and save it as XLSX"
		}
		return ie
	}
	r.book = book
	r.format = book.Kind().String()
	r.sheets = book.Sheets()
	if r.opts.Sheet != "" {
		for _, s := range r.sheets {
			if s == r.opts.Sheet {
				r.sheets = []string{s}
				return nil
			}
		}
		for _, s := range r.sheets { // forgive case and spaces
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(r.opts.Sheet)) {
				r.sheets = []string{s}
				return nil
			}
		}
		book.Close()
		quoted := make([]string, len(r.sheets))
		for i, s := range r.sheets {
			quoted[i] = fmt.Sprintf("%q", s)
		}
		return &callbase.InputError{File: r.path,
			Err:  fmt.Errorf("no sheet %q; the workbook has %s", r.opts.Sheet, strings.Join(quoted, ", ")),
			Hint: fmt.Sprintf("Try: --sheet %q", r.sheets[0])}
	}
	return nil
}

// explain adds a note to an error about a text file named as a workbook.
func (r *Reader) explain(err error) error {
	var ie *callbase.InputError
	if r.misnamed != "" && errors.As(err, &ie) {
		note := fmt.Sprintf("Note: the file is named %s but holds text, so it was read as CSV", r.misnamed)
		if ie.Hint == "" {
			ie.Hint = note
		} else {
			ie.Hint += "\n" + note
		}
	}
	return err
}

// Close releases the file. Tables of the file cannot be read after it.
func (r *Reader) Close() error {
	r.closed = true
	if r.cur != nil {
		r.cur.src.close()
		r.cur = nil
	}
	if r.csv != nil {
		return r.csv.close()
	}
	if r.book != nil {
		b := r.book
		r.book, r.sheets = nil, nil
		return b.Close()
	}
	return nil
}

// Format describes how the file is read: "csv windows-1251 ';'", "csv
// utf-16le tab", "xlsx", "xls".
func (r *Reader) Format() string { return r.format }

// Progress reports how far reading has got, for a progress bar: bytes of
// the file for CSV; rows read for XLSX/XLS, with total 0 (unknown). Safe to
// call from another goroutine.
func (r *Reader) Progress() (done, total int64) { return r.done.Load(), r.total.Load() }

// NextTable returns the next table of the file, io.EOF after the last. A
// CSV file is one table; a workbook gives one table per non-empty sheet
// (empty sheets are skipped). Calling NextTable ends the table before it.
// An error about one sheet (no phone column, say) is returned as a
// *callbase.InputError naming the sheet; NextTable may then be called again
// to go on with the next sheet.
func (r *Reader) NextTable() (*Table, error) {
	if r.closed {
		return nil, errors.New("ingest: NextTable after Close")
	}
	if r.cur != nil {
		r.cur.src.close()
		r.cur = nil
	}
	if r.csv != nil {
		if r.csvDone {
			return nil, io.EOF
		}
		r.csvDone = true
		t, err := r.table(r.csv, "")
		if errors.Is(err, errEmpty) {
			return nil, &callbase.InputError{File: r.path, Err: emptyError(r.csv.size)}
		}
		if err != nil {
			return nil, r.explain(err)
		}
		r.cur = t
		return t, nil
	}
	for r.next < len(r.sheets) {
		name := r.sheets[r.next]
		r.next++
		rows, err := r.book.Rows(name)
		if err != nil {
			return nil, &callbase.InputError{File: r.path, Sheet: name, Err: err,
				Hint: "Try: open it in Excel or LibreOffice and save it as XLSX"}
		}
		src := &sheetSource{file: r.path, sheet: name, rows: rows, done: &r.done}
		t, err := r.table(src, name)
		if errors.Is(err, errEmpty) {
			src.close()
			continue
		}
		r.seen++
		if err != nil {
			src.close()
			return nil, err
		}
		r.cur = t
		return t, nil
	}
	if r.seen == 0 {
		r.seen = -1 // say it once
		ie := &callbase.InputError{File: r.path, Err: fmt.Errorf("%w in any sheet", ErrNoRows)}
		if r.opts.Sheet != "" {
			ie = &callbase.InputError{File: r.path, Sheet: r.opts.Sheet, Err: ErrNoRows}
		}
		return nil, ie
	}
	return nil, io.EOF
}

func emptyError(size int64) error {
	if size == 0 {
		return fmt.Errorf("%w: the file is empty", ErrNoRows)
	}
	return fmt.Errorf("%w: the file holds only blank lines", ErrNoRows)
}

// Table is one table of a file: the rows of a CSV file or of one sheet.
type Table struct {
	File      string   // path as given
	Sheet     string   // "" for CSV
	Header    []string // column names; "A", "B", ... when the file has no header row, and for unnamed columns
	HeaderRow int      // 1-based row/line of the header, 0 when none
	PhoneCols []int    // 0-based indexes of phone columns, ascending
	// Skipped holds the non-blank rows above the header (titles such as
	// "Выгрузка клиентов за ноябрь 2026"): not data, kept for reports.
	Skipped []Row

	src source
	buf []Row // data rows read ahead during detection
	err error // sticky: io.EOF or the error that ended the table
}

// Row is one data row.
type Row struct {
	// Line is the 1-based line of a CSV file where the record starts, or the
	// row number in the sheet.
	Line int
	// Cells is the row's own slice (appending to it copies). It holds at
	// least len(Header) cells (short rows are padded with ""); cells beyond
	// the header are kept when not empty, so nothing in the file is lost.
	// The cells of a CSV file share memory with the rows read near them: a
	// cell kept long after its row is kept as a clone (strings.Clone), or
	// it keeps them.
	Cells []string
}

// Next returns the next data row, io.EOF at the end of the table. Blank
// rows are skipped. Errors are *callbase.InputError naming file, sheet and
// row; after an error, Next keeps returning it.
func (t *Table) Next() (Row, error) {
	if t.err != nil {
		return Row{}, t.err
	}
	for {
		var row Row
		if len(t.buf) > 0 {
			row = t.buf[0]
			t.buf[0] = Row{}
			t.buf = t.buf[1:]
		} else {
			var err error
			if row, err = t.src.next(); err != nil {
				t.err = t.nameColumn(err)
				return Row{}, t.err
			}
		}
		if blank(row.Cells) {
			continue
		}
		row.Cells = fit(row.Cells, len(t.Header))
		return row, nil
	}
}

// nameColumn puts the header's name for the column letter a reader put in
// an error, so the message says `column "Телефон"`, not `column "C"`.
func (t *Table) nameColumn(err error) error {
	var ie *callbase.InputError
	if !errors.As(err, &ie) || ie.Column == "" {
		return err
	}
	for i, name := range t.Header {
		if ColumnName(i) == ie.Column && name != "" {
			ie.Column = name
			break
		}
	}
	return err
}

// fit pads cells to n and drops empty cells beyond n.
func fit(cells []string, n int) []string {
	if len(cells) < n {
		out := make([]string, n)
		copy(out, cells)
		return out
	}
	end := len(cells)
	for end > n && cells[end-1] == "" {
		end--
	}
	return cells[:end:end]
}

func blank(cells []string) bool {
	for _, c := range cells {
		if !isBlank(c) {
			return false
		}
	}
	return true
}

// ColumnName returns the spreadsheet letter for a 0-based index: 0 -> "A",
// 27 -> "AB".
func ColumnName(i int) string { return spreadsheet.ColumnName(i) }

// columnIndex reads a column letter ("A", "ab"): 0-based index, or -1.
func columnIndex(s string) int {
	if s == "" || len(s) > 3 {
		return -1
	}
	n := 0
	for _, c := range strings.ToUpper(s) {
		if c < 'A' || c > 'Z' {
			return -1
		}
		n = n*26 + int(c-'A'+1)
	}
	return n - 1
}

// source yields the raw rows of one table.
type source interface {
	next() (Row, error) // io.EOF at the end; other errors are *callbase.InputError
	close() error
}

type sheetSource struct {
	file, sheet string
	rows        *spreadsheet.Rows
	done        *atomic.Int64
}

func (s *sheetSource) next() (Row, error) {
	if !s.rows.Next() {
		if err := s.rows.Err(); err != nil {
			return Row{}, &callbase.InputError{File: s.file, Sheet: s.sheet, Row: s.rows.Row() + 1, Err: err,
				Hint: "Try: open it in Excel or LibreOffice and save it as XLSX"}
		}
		return Row{}, io.EOF
	}
	s.done.Add(1)
	return Row{Line: s.rows.Row(), Cells: s.rows.Cells()}, nil
}

func (s *sheetSource) close() error { return s.rows.Close() }
