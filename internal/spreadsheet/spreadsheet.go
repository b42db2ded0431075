// Package spreadsheet reads XLSX and XLS workbooks row by row and writes XLSX
// workbooks as a stream. It is the only package that imports excelize and the
// OLE2 container reader; everything above it sees sheets of string cells.
package spreadsheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// Kind is a spreadsheet file format, judged by content.
type Kind int

// The formats Sniff tells apart.
const (
	Unknown Kind = iota
	XLSX         // Office Open XML workbook: a zip archive
	XLS          // Excel 97-2003 workbook: an OLE2 compound file
)

func (k Kind) String() string {
	switch k {
	case XLSX:
		return "xlsx"
	case XLS:
		return "xls"
	}
	return "unknown"
}

var (
	zipMagic  = []byte("PK\x03\x04")
	zipEmpty  = []byte("PK\x05\x06")
	ole2Magic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Sniff tells the format from the first bytes of a file (8 are enough).
func Sniff(head []byte) Kind {
	switch {
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, zipEmpty):
		return XLSX
	case bytes.HasPrefix(head, ole2Magic):
		return XLS
	}
	return Unknown
}

// Errors that say why a workbook cannot be read; they come wrapped with
// details, test them with errors.Is.
var (
	// ErrUnsupported marks a file in a format this package does not read
	// (OpenDocument, Excel 5.0/95, an OLE2 file that is no workbook, ...).
	ErrUnsupported = errors.New("unsupported spreadsheet format")
	// ErrEncrypted marks a password-protected workbook.
	ErrEncrypted = errors.New("the workbook is password-protected")
	// ErrCorrupt marks a workbook that is damaged or truncated.
	ErrCorrupt = errors.New("the workbook is damaged or truncated")
)

// Book is an open workbook. It is not safe for concurrent use.
type Book struct {
	kind   Kind
	sheets []string
	xlsx   *xlsxBook
	xls    *xlsBook
}

// Open opens the workbook at path, choosing the reader by content.
func Open(path string) (*Book, error) {
	head := make([]byte, 8)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	switch Sniff(head[:n]) {
	case XLSX:
		return openXLSX(path)
	case XLS:
		return openXLS(path)
	}
	return nil, fmt.Errorf("%w: neither an XLSX (zip) nor an XLS (OLE2) file", ErrUnsupported)
}

// Kind returns the format of the workbook.
func (b *Book) Kind() Kind { return b.kind }

// Sheets returns the names of the worksheets in workbook order (chart sheets
// and macro sheets are left out; hidden worksheets are kept).
func (b *Book) Sheets() []string { return append([]string(nil), b.sheets...) }

// Rows returns an iterator over the rows of one worksheet.
func (b *Book) Rows(sheet string) (*Rows, error) {
	found := false
	for _, s := range b.sheets {
		if s == sheet {
			found = true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("no sheet %q", sheet)
	}
	if b.kind == XLSX {
		return b.xlsx.rows(sheet)
	}
	return b.xls.rows(sheet)
}

// Close releases the workbook and its temporary files.
func (b *Book) Close() error {
	if b.xlsx != nil {
		return b.xlsx.close()
	}
	return nil
}

// Rows iterates over the rows of one sheet, including empty rows between
// filled ones (they come with no cells), so Row() is always the row number a
// spreadsheet application shows.
type Rows struct {
	next  func() (cells []string, ok bool, err error)
	close func() error
	row   int
	cells []string
	err   error
	done  bool
}

// Next advances to the next row; false at the end of the sheet or on error.
func (r *Rows) Next() (ok bool) {
	if r.done {
		return false
	}
	defer func() {
		if p := recover(); p != nil { // a malformed file must not crash the program
			r.err, r.done, ok = fmt.Errorf("%w (internal error: %v)", ErrCorrupt, p), true, false
		}
	}()
	cells, ok, err := r.next()
	if err != nil {
		r.err, r.done = err, true
		return false
	}
	if !ok {
		r.done = true
		return false
	}
	r.row++
	r.cells = trimTrailing(cells)
	return true
}

// Row returns the 1-based row number of the current row.
func (r *Rows) Row() int { return r.row }

// Cells returns the cells of the current row: a fresh slice, trailing empty
// cells cut off. Numbers keep every digit: a phone stored as the number
// 79161234567 comes back as "79161234567".
func (r *Rows) Cells() []string { return r.cells }

// Err returns the error that stopped the iteration, if any.
func (r *Rows) Err() error { return r.err }

// Close releases the iterator.
func (r *Rows) Close() error {
	r.done = true
	if r.close != nil {
		c := r.close
		r.close = nil
		return c()
	}
	return nil
}

func trimTrailing(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return cells[:n]
}
