package spreadsheet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// Limits of the XLSX format.
const (
	MaxRows      = excelize.TotalRows      // rows per sheet, the header included
	MaxCellChars = excelize.TotalCellChars // UTF-16 units in one cell
	maxSheetName = excelize.MaxSheetNameLength
)

// Writer streams an XLSX workbook to w; string values are written as text
// cells (never converted to numbers), int/int64/float64 as numbers. Rows go
// through temporary files, so memory stays small for any number of rows.
type Writer struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	names  map[string]bool // lower-cased sheet names in use
	bold   int
	row    int
	width  int
	err    error
	closed bool
}

// NewWriter returns a Writer that writes the workbook to w on Close.
func NewWriter(w io.Writer) *Writer {
	return &Writer{out: w, f: excelize.NewFile(), names: map[string]bool{}}
}

// AddSheet starts a new sheet; the rows written next go to it. The first
// sheet added is the first sheet of the file. The header, when not empty,
// is written as a bold first row that stays in view when scrolling. A name
// Excel would refuse is made acceptable: characters : \ / ? * [ ] become _,
// it is cut to 31 characters, and a repeated name gets " (2)", " (3)", ....
func (w *Writer) AddSheet(name string, header []string) error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := w.flush(); err != nil {
		return w.fail(err)
	}
	name = w.sheetName(name)
	if len(w.names) == 0 {
		if err := w.f.SetSheetName(w.f.GetSheetName(0), name); err != nil {
			return w.fail(err)
		}
	} else if _, err := w.f.NewSheet(name); err != nil {
		return w.fail(err)
	}
	w.names[strings.ToLower(name)] = true
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return w.fail(err)
	}
	w.sw, w.row, w.width = sw, 0, len(header)
	if len(header) == 0 {
		return nil
	}
	if len(header) > excelize.MaxColumns {
		return w.fail(fmt.Errorf("sheet %q: %d columns, XLSX holds at most %d", name, len(header), excelize.MaxColumns))
	}
	if w.bold == 0 {
		if w.bold, err = w.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
			return w.fail(err)
		}
	}
	for i, h := range header {
		width := float64(min(max(len([]rune(h))+4, 12), 50))
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return w.fail(err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return w.fail(err)
	}
	cells := make([]any, len(header))
	for i, h := range header {
		if err := checkText(h); err != nil {
			return w.fail(fmt.Errorf("sheet %q: header %d: %w", name, i+1, err))
		}
		cells[i] = excelize.Cell{StyleID: w.bold, Value: h}
	}
	return w.setRow(cells)
}

// WriteRow writes one row to the current sheet. Cells may be string, int,
// int64, float64 (also the other sized integers, float32, bool, time.Time)
// or nil for an empty cell.
func (w *Writer) WriteRow(cells []any) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.sw == nil {
		return w.fail(errors.New("spreadsheet: WriteRow before AddSheet"))
	}
	if len(cells) > excelize.MaxColumns {
		return w.fail(fmt.Errorf("row %d: %d cells, XLSX holds at most %d columns", w.row+1, len(cells), excelize.MaxColumns))
	}
	for i, c := range cells {
		var err error
		switch v := c.(type) {
		case string:
			err = checkText(v)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				err = fmt.Errorf("%v is not a number a spreadsheet can hold", v)
			}
		case float32:
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				err = fmt.Errorf("%v is not a number a spreadsheet can hold", v)
			}
		case nil, int, int64, int32, int16, int8, uint, uint64, uint32, uint16, uint8, bool, time.Time:
		default:
			err = fmt.Errorf("unsupported cell type %T", c)
		}
		if err != nil {
			return w.fail(fmt.Errorf("row %d, column %s: %w", w.row+1, ColumnName(i), err))
		}
	}
	return w.setRow(cells)
}

func (w *Writer) setRow(cells []any) error {
	if w.row >= MaxRows {
		return w.fail(fmt.Errorf("more than %d rows: an XLSX sheet holds no more", MaxRows))
	}
	w.row++
	ref, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return w.fail(err)
	}
	if err := w.sw.SetRow(ref, cells); err != nil {
		return w.fail(err)
	}
	return nil
}

// Close finishes the workbook and writes it to the underlying writer. It
// does not close that writer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	defer w.f.Close() // removes the temporary files
	if w.err != nil {
		return w.err
	}
	if err := w.flush(); err != nil {
		w.err = err
		return err
	}
	if _, err := w.f.WriteTo(w.out); err != nil {
		w.err = err
		return err
	}
	return nil
}

func (w *Writer) usable() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("spreadsheet: writer is closed")
	}
	return nil
}

func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return err
}

func (w *Writer) flush() error {
	if w.sw == nil {
		return nil
	}
	sw := w.sw
	w.sw = nil
	return sw.Flush()
}

func (w *Writer) sheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) || r < ' ' {
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(name, "' ")
	if name == "" {
		name = "Sheet"
	}
	base := cutUTF16(name, maxSheetName)
	name = base
	for i := 2; w.names[strings.ToLower(name)]; i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		name = cutUTF16(base, maxSheetName-len(suffix)) + suffix
	}
	return name
}

func cutUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}

func checkText(s string) error {
	if len(s) <= MaxCellChars {
		return nil
	}
	units := 0
	for _, r := range s {
		units += utf16.RuneLen(r)
	}
	if units > MaxCellChars {
		return fmt.Errorf("text of %d characters, an XLSX cell holds at most %d", units, MaxCellChars)
	}
	return nil
}

// ColumnName returns the spreadsheet letter of a 0-based column index.
func ColumnName(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}
