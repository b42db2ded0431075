package spreadsheet

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits against zip bombs. Parts larger than xlsxInMemory are unpacked to
// temporary files and streamed from there, so memory stays small whatever
// the size of a sheet.
const (
	xlsxUnzipLimit = 2 << 30  // total unpacked size of the workbook
	xlsxInMemory   = 16 << 20 // largest part kept in memory
)

type xlsxBook struct {
	f *excelize.File
}

func openXLSX(path string) (*Book, error) {
	f, err := excelize.OpenFile(path, excelize.Options{
		UnzipSizeLimit:    xlsxUnzipLimit,
		UnzipXMLSizeLimit: xlsxInMemory,
		// What Russian Excel shows for the built-in short date format.
		ShortDatePattern: "dd.mm.yyyy",
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, xlsxOpenError(path, err)
	}
	b := &Book{kind: XLSX, xlsx: &xlsxBook{f: f}}
	b.sheets = f.GetSheetList()
	if len(b.sheets) == 0 {
		f.Close()
		if zipContent(path) == "ods" {
			return nil, fmt.Errorf("%w: an OpenDocument spreadsheet (.ods)", ErrUnsupported)
		}
		return nil, fmt.Errorf("%w: a zip archive without an Excel workbook in it", ErrUnsupported)
	}
	return b, nil
}

func xlsxOpenError(path string, err error) error {
	switch zipContent(path) {
	case "ods":
		return fmt.Errorf("%w: an OpenDocument spreadsheet (.ods)", ErrUnsupported)
	case "other":
		return fmt.Errorf("%w: a zip archive without an Excel workbook in it", ErrUnsupported)
	}
	if strings.Contains(err.Error(), "unzip size exceeds") {
		return fmt.Errorf("%w: it unpacks to more than %d MB", ErrCorrupt, xlsxUnzipLimit>>20)
	}
	return fmt.Errorf("%w: %v", ErrCorrupt, err)
}

// zipContent tells what a zip archive holds: "xlsx", "ods", "other", or ""
// when it cannot be read as a zip at all.
func zipContent(path string) string {
	z, err := zip.OpenReader(path)
	if err != nil {
		return ""
	}
	defer z.Close()
	kind := "other"
	for _, f := range z.File {
		switch {
		case strings.EqualFold(f.Name, "xl/workbook.xml"), strings.EqualFold(f.Name, "[Content_Types].xml"):
			return "xlsx"
		case f.Name == "mimetype" && f.UncompressedSize64 < 100:
			r, err := f.Open()
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(io.LimitReader(r, 100))
			r.Close()
			if strings.Contains(string(b), "opendocument") {
				kind = "ods"
			}
		}
	}
	return kind
}

func (b *xlsxBook) close() error { return b.f.Close() }

// rows reads the values as the workbook formats them (dates, percentages).
// Where a formatted value may have lost digits of a long number ("7.92E+10",
// "79,161,234,567.00", a date), the row is taken raw from a second reading
// of the sheet, started when first needed. That reading runs in its own
// goroutine, ahead of the first: XML decoding is most of the cost, and done
// side by side it costs little more wall time than one reading. (Reading
// raw first cannot work: a custom format such as "+7 "(000) 000-00-00 adds
// to a long number what only the formatted value shows.)
func (b *xlsxBook) rows(sheet string) (*Rows, error) {
	formatted, err := b.f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	// excelize ends a sheet quietly when its XML breaks off, so a sheet
	// cut short would pass for a shorter one: its dimension, written at
	// the top, tells how far it should go.
	dim, _ := b.f.GetSheetDimension(sheet)
	lastRow := dimensionLastRow(dim)
	var raw *rawReader
	var scan scanState
	row, rawRow := 0, 0
	next := func() ([]string, bool, error) {
		if !formatted.Next() {
			if err := formatted.Error(); err != nil {
				return nil, false, fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
			if row < lastRow {
				return nil, false, fmt.Errorf("%w: the sheet breaks off after row %d of the %d its dimension %s announces", ErrCorrupt, row, lastRow, dim)
			}
			return nil, false, nil
		}
		row++
		f, err := formatted.Columns()
		if err != nil {
			return nil, false, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if !slices.ContainsFunc(f, maybeLossy) {
			return f, true, nil
		}
		if cells, ok := b.scanned(&scan, sheet, row, f); ok {
			return mergeCells(f, cells), true, nil
		}
		if raw == nil {
			if raw, err = b.startRaw(sheet); err != nil {
				return nil, false, err
			}
		}
		var r rawRowCells
		for rawRow < row {
			var ok bool
			if r, ok = <-raw.rows; !ok {
				break
			}
			rawRow++
		}
		if r.err != nil {
			return nil, false, fmt.Errorf("%w: %v", ErrCorrupt, r.err)
		}
		if rawRow != row {
			return f, true, nil
		}
		return mergeCells(f, r.cells), true, nil
	}
	closeAll := func() error {
		err := formatted.Close()
		if raw != nil {
			err = errors.Join(err, raw.close())
		}
		if scan.s != nil {
			scan.s.close()
		}
		return err
	}
	return &Rows{next: next, close: closeAll}, nil
}

// scanState is the sheet scan of one sheet's rows (rawscan.go), opened
// when first needed; off once it has failed to open.
type scanState struct {
	s   *sheetScan
	off bool
}

// scanned returns the raw values of row, whose formatted values are f, as
// excelize's raw reading would give them, from the sheet scan; false when
// the scan cannot tell them.
func (b *xlsxBook) scanned(sc *scanState, sheet string, row int, f []string) ([]string, bool) {
	if sc.s == nil && !sc.off {
		var err error
		if sc.s, err = openSheetScan(b.f.Path, sheet); err != nil {
			sc.off = true
		}
	}
	if sc.s == nil {
		return nil, false
	}
	r := sc.s.rowAt(row)
	if r == nil {
		return nil, false
	}
	var cells []string
	for _, c := range r.cells {
		var val string
		switch c.t {
		case "s", "inlineStr", "str":
			// Text, shown as stored unless its style's number format
			// changes it; raw or formatted, excelize gives the same.
			if c.t != "str" && !b.textAsStored(c.s) {
				return nil, false
			}
			if c.col <= len(f) {
				val = f[c.col-1]
			}
		case "b", "d":
			return nil, false
		default:
			// A number (or an error value): raw, excelize gives the <v>
			// text as it stands, whatever the style.
			if !c.vExact {
				return nil, false
			}
			val = c.v
		}
		if val != "" || c.formula { // as excelize keeps cells
			for len(cells) < c.col-1 {
				cells = append(cells, "")
			}
			cells = append(cells, val)
		}
	}
	return cells, true
}

// textAsStored reports whether excelize shows a text cell of style s as
// it stores it: no style, or a style of the General or Text ("@") number
// format and no custom format under that number. The styles were read
// when the formatted reading met its first styled cell.
func (b *xlsxBook) textAsStored(s int) bool {
	if s == 0 {
		return true
	}
	ss := b.f.Styles
	if ss == nil || ss.CellXfs == nil || s >= len(ss.CellXfs.Xf) {
		return false
	}
	id := 0
	if p := ss.CellXfs.Xf[s].NumFmtID; p != nil {
		id = *p
	}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf.NumFmtID == id {
				return false
			}
		}
	}
	return id == 0 || id == 49
}

// rawReader reads a sheet's raw values in a goroutine, row after row.
type rawReader struct {
	rows chan rawRowCells
	stop chan struct{}
	done chan struct{}
	it   *excelize.Rows
}

type rawRowCells struct {
	cells []string
	err   error
}

// rawAhead is how many rows the raw reading may run ahead.
const rawAhead = 512

func (b *xlsxBook) startRaw(sheet string) (*rawReader, error) {
	it, err := b.f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	r := &rawReader{rows: make(chan rawRowCells, rawAhead), stop: make(chan struct{}), done: make(chan struct{}), it: it}
	go func() {
		defer close(r.done)
		defer close(r.rows)
		for it.Next() {
			cells, err := it.Columns(excelize.Options{RawCellValue: true})
			select {
			case r.rows <- rawRowCells{cells, err}:
			case <-r.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return r, nil
}

func (r *rawReader) close() error {
	close(r.stop)
	<-r.done
	return r.it.Close()
}

// dimensionLastRow is the last row of a sheet dimension such as "A1:G9"
// (9), or 0 when there is none to trust.
func dimensionLastRow(dim string) int {
	_, end, _ := strings.Cut(dim, ":")
	if end == "" {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimLeft(end, "ABCDEFGHIJKLMNOPQRSTUVWXYZ$"))
	if err != nil {
		return 0
	}
	return n
}

// maybeLossy reports whether a formatted value could be a long number shown
// with other digits: exponent form ("7.92E+10"), or 9 digits or more in
// thousands ("79,161,234,567.00") or in a date gone wrong ("10-19-6737998").
// Values shaped like a date, a time or a phone written in groups
// ("15.11.2026", "8 916 123-45-67") are left alone: they cost a second
// reading of the row, which is only done when needed.
func maybeLossy(s string) bool {
	if len(s) < 7 {
		return false
	}
	// Called for every cell on the goroutine an XLSX import waits for:
	// the groups stay on the stack, and the string is not copied.
	var buf [16]int
	groups := buf[:0]
	digits, run, exp := 0, 0, false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
			run++
			continue
		case r == 'E' || r == 'e':
			exp = true
		case !strings.ContainsRune(" ,.-/:+'\u00a0\u202f", r):
			return false
		}
		if run > 0 {
			groups = append(groups, run)
		}
		run = 0
	}
	if run > 0 {
		groups = append(groups, run)
	}
	switch {
	case digits < 5 || len(groups) < 2:
		return false
	case exp:
		return true
	case digits < 9:
		return false
	case slices.Max(groups) > 4:
		return true
	}
	if strings.ContainsAny(s, "-/:") {
		return false // a phone in groups (7-919-444-4499), not thousands
	}
	if last := groups[len(groups)-1]; last != 3 {
		groups = groups[:len(groups)-1] // decimals
	}
	for _, g := range groups[1:] {
		if g != 3 {
			return false
		}
	}
	return len(groups) >= 3
}

// mergeCells picks, cell by cell, the formatted value unless the cell holds
// a whole number of 7 or more digits shown otherwise, which is taken raw
// (a text cell always shows what it stores, and stays text): formats such as
// "0.00", "# ##0", "0.00E+00" or a date would otherwise turn the phone
// 79161234567 into "79,161,234,567.00", "7.92E+10" or worse.
func mergeCells(formatted, raw []string) []string {
	n := max(len(formatted), len(raw))
	out := make([]string, n)
	for i := range n {
		var f, r string
		if i < len(formatted) {
			f = formatted[i]
		}
		if i < len(raw) {
			r = raw[i]
		}
		out[i] = f
		if r == f {
			continue // shown as stored: text such as "7.91612E+10" stays text
		}
		if digits, ok := longInteger(r); ok {
			out[i] = digits
		} else if f == "" {
			out[i] = r
		}
	}
	return out
}

// longInteger reports whether a raw numeric cell value is a whole number of
// at least 7 digits, and returns it written out in plain digits.
func longInteger(raw string) (string, bool) {
	if len(raw) < 7 {
		return "", false
	}
	if allDigits(raw) {
		return raw, true
	}
	if !strings.ContainsAny(raw, "eE") || strings.ContainsAny(raw, " ,") {
		return "", false
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v < 1e6 || v >= 1e15 || v != float64(int64(v)) {
		return "", false
	}
	return strconv.FormatInt(int64(v), 10), true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
