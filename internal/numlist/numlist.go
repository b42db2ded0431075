// Package numlist reads files that list numbers with facts about them
// (call logs, opt-out lists, a validation service's results, consent
// records): each row's number, and the other columns found by header in
// Russian or English. A row that cannot be used is left out and told with
// file, row and column; the rest of the file is still read.
package numlist

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/scan"
	"github.com/callbase/callbase/internal/store"
)

// Column is a column the reader looks for by its header.
type Column struct {
	Role     string   // what the caller calls it: "time", "outcome", ...
	Names    []string // headers it goes by, in any case
	Required bool     // a file without it is refused
}

// Options tell how to read a list.
type Options struct {
	Ingest  ingest.Options
	Region  string
	Locator *locate.Locator
	Columns []Column
	Rejects *export.Table    // rows left out, with the reason; nil for none
	Warn    func(msg string) // told the first few rows left out for each reason
}

// Summary counts the rows of one file.
type Summary struct {
	File    string         `json:"file"`
	Rows    int            `json:"rows"`
	Rejects map[string]int `json:"rejects"` // rows left out, by reason
}

// Row is one usable row: its valid numbers and its cells by role.
type Row struct {
	Line     int
	Number   store.Number   // the first of Numbers
	Numbers  []store.Number // every valid number of the row's phone columns, in order
	cells    map[string]string
	reject   func(role, reason string, err error) error
	rejected bool
}

// Cell returns the trimmed cell of the column with this role ("" when the
// file has no such column).
func (r *Row) Cell(role string) string { return r.cells[role] }

// Reject leaves the row out for reason, blaming the column with role. A
// row is left out once, however often Reject is called.
func (r *Row) Reject(role, reason string, err error) error {
	if r.rejected {
		return nil
	}
	r.rejected = true
	return r.reject(role, reason, err)
}

// Rejected reports whether the row was left out.
func (r *Row) Rejected() bool { return r.rejected }

// warnEach is how many rows left out are told for each reason.
const warnEach = 5

// Each calls fn for each row of the file with a valid number. fn may
// Reject the row; any error it returns stops the reading.
func Each(ctx context.Context, path string, opts Options, fn func(*Row) error) (Summary, error) {
	sum := Summary{File: path, Rejects: map[string]int{}}
	r, err := ingest.Open(path, opts.Ingest)
	if err != nil {
		return sum, err
	}
	defer r.Close()
	h := &handler{opts: &opts, sum: &sum, fn: fn}
	return sum, scan.File(ctx, r, scan.Options{Region: opts.Region, Locator: opts.Locator}, h)
}

type handler struct {
	opts  *Options
	sum   *Summary
	fn    func(*Row) error
	table *ingest.Table
	cols  map[string]int // role -> column index
}

func (h *handler) Table(idx int, t *ingest.Table) error {
	h.table, h.cols = t, map[string]int{}
	for i, name := range t.Header {
		k := key(name)
		for _, c := range h.opts.Columns {
			if _, found := h.cols[c.Role]; found {
				continue
			}
			for _, n := range c.Names {
				if k == key(n) {
					h.cols[c.Role] = i
					break
				}
			}
		}
	}
	for _, c := range h.opts.Columns {
		if _, found := h.cols[c.Role]; c.Required && !found {
			return &callbase.InputError{File: t.File, Sheet: t.Sheet, Row: t.HeaderRow,
				Err:  fmt.Errorf("no %s column among %s", c.Role, strings.Join(t.Header, ", ")),
				Hint: fmt.Sprintf("Try: head the column %s", strings.Join(c.Names[:min(2, len(c.Names))], " or "))}
		}
	}
	return nil
}

func (h *handler) Row(sr *scan.Row) error {
	h.sum.Rows++
	reject := func(col int, reason string, err error) error {
		h.sum.Rejects[reason]++
		column, text := "", ""
		if col >= 0 && col < len(h.table.Header) {
			column = h.table.Header[col]
		}
		if col >= 0 && col < len(sr.Cells) {
			text = sr.Cells[col]
		}
		if h.opts.Warn != nil && h.sum.Rejects[reason] <= warnEach {
			// Told without err, which may quote the cell: only a cell
			// that reads as a label, not as a name or a number, is shown.
			told := fmt.Errorf("%s %s", strings.ReplaceAll(reason, "_", " "), shown(text))
			h.opts.Warn((&callbase.InputError{File: h.table.File, Sheet: h.table.Sheet, Row: sr.Line, Column: column, Err: told}).Error())
		}
		if h.opts.Rejects == nil {
			return nil
		}
		return h.opts.Rejects.WriteReject(export.Reject{File: h.table.File, Sheet: h.table.Sheet, Row: sr.Line,
			Column: column, Text: text, Reason: reason})
	}
	if len(sr.Numbers) == 0 {
		col, reason := -1, "no_number"
		if len(sr.Rejects) > 0 {
			col, reason = sr.Rejects[0].Col, sr.Rejects[0].Reason.String()
		}
		return reject(col, reason, errors.New("no valid phone number"))
	}
	row := &Row{Line: sr.Line, cells: map[string]string{}}
	for _, n := range sr.Numbers {
		row.Numbers = append(row.Numbers, store.Number{Key: n.Key, Type: n.Type.String(), Country: n.Country, Place: store.Place{
			Operator: n.Place.Operator, Region: n.Place.Region, Zones: n.Place.ZoneList(), Unallocated: n.Place.Unallocated}})
	}
	row.Number = row.Numbers[0]
	for role, i := range h.cols {
		if i < len(sr.Cells) {
			row.cells[role] = strings.TrimSpace(sr.Cells[i])
		}
	}
	row.reject = func(role, reason string, err error) error {
		col, ok := h.cols[role]
		if !ok {
			col = -1
		}
		return reject(col, reason, err)
	}
	return h.fn(row)
}

// key lowercases a header, folds ё into е and ignores punctuation and
// spacing.
func key(s string) string {
	s = strings.NewReplacer("ё", "е", "Ё", "е", "_", " ", ".", " ", ":", " ", "-", " ").Replace(s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// dateShape is a date, with a time or not: 31.02.2026, 2026-11-27 14:05;
// not a number written in groups, such as 9161-23-4567.
var dateShape = regexp.MustCompile(`^(\d{1,2}[./]\d{1,2}[./](\d{2}|\d{4})|\d{4}-\d{1,2}-\d{1,2})([ T]\d{1,2}:\d{2}(:\d{2})?)?$`)

// shown quotes a rejected cell for a warning only when it is a date
// ("31.02.2026 09:20") or holds no letter and fewer than 7 digits of any
// script (a duration "1:75", a stub "12-34"). A cell with letters may be a
// person's name, whatever column it sits in and however much it looks like
// a label ("Захарова" in the outcome column); 7 digits, however spaced or
// written, may be a number. Such cells are only counted and measured;
// --rejects files, which are data, carry them whole.
func shown(text string) string {
	t := strings.TrimSpace(text)
	switch {
	case t == "":
		return "(empty)"
	case dateShape.MatchString(t) || noNameNorNumber(t):
		return strconv.Quote(t)
	}
	return fmt.Sprintf("(%d characters, not shown; see --rejects)", utf8.RuneCountInString(t))
}

func noNameNorNumber(t string) bool {
	if utf8.RuneCountInString(t) > 32 {
		return false
	}
	digits := 0
	for _, r := range t {
		switch {
		case unicode.IsLetter(r):
			return false
		case unicode.IsDigit(r):
			digits++
		}
	}
	return digits < 7
}
