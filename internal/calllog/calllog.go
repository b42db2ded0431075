// Package calllog imports dialer and CRM call logs: each row's number,
// time, outcome, agent, duration, callback time and comment, found by
// header in Russian or English, stored as calls that move the numbers'
// status (package lifecycle).
package calllog

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/lifecycle"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/outcome"
	"github.com/callbase/callbase/internal/scan"
	"github.com/callbase/callbase/internal/store"
	"github.com/callbase/callbase/internal/when"
)

// Options tell how to read call logs.
type Options struct {
	Ingest  ingest.Options
	Region  string
	Zone    *time.Location // for times written without a zone
	Locator *locate.Locator
	Rules   lifecycle.Rules
	Rejects *export.Table // rows not imported, with the reason; nil for none
	Warn    func(msg string)
}

// Summary is what importing one log did.
type Summary struct {
	File       string         `json:"file"`
	Rows       int            `json:"rows"`
	Added      int            `json:"added"`       // calls recorded
	Known      int            `json:"known"`       // calls recorded before: the log was imported already
	Rejects    map[string]int `json:"rejects"`     // rows not imported, by reason
	NewNumbers int            `json:"new_numbers"` // numbers the database did not know
}

// columns are the indexes of a log's columns; -1 when absent.
type columns struct {
	time, outcome, agent, duration, callback, comment int
}

// headers are the column names each column is found by, normalized by key.
var headers = map[string][]string{
	"time": {"время", "дата", "дата и время", "дата звонка", "время звонка", "дата время", "начало", "начало звонка",
		"time", "date", "datetime", "date time", "call time", "call date", "started", "start", "start time", "timestamp"},
	"outcome": {"результат", "исход", "статус", "статус звонка", "результат звонка", "итог",
		"outcome", "result", "status", "disposition", "call result", "call status"},
	"agent": {"оператор", "менеджер", "агент", "сотрудник", "ответственный", "agent", "operator", "user", "manager", "employee"},
	"duration": {"длительность", "продолжительность", "длительность разговора", "время разговора",
		"duration", "talk time", "billsec", "call duration"},
	"callback": {"перезвонить", "время перезвона", "дата перезвона", "перезвон", "перезвонить в",
		"callback", "call back", "callback at", "callback time", "recall at"},
	"comment": {"комментарий", "примечание", "заметка", "комментарии", "comment", "comments", "note", "notes"},
}

func find(header []string) columns {
	c := columns{-1, -1, -1, -1, -1, -1}
	for i, h := range header {
		k := key(h)
		for name, words := range headers {
			for _, w := range words {
				if k != key(w) {
					continue
				}
				p := map[string]*int{"time": &c.time, "outcome": &c.outcome, "agent": &c.agent,
					"duration": &c.duration, "callback": &c.callback, "comment": &c.comment}[name]
				if *p < 0 {
					*p = i
				}
			}
		}
	}
	return c
}

func key(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("ё", "е", "_", " ", ".", " ", ":", " ").Replace(s)), " "))
	return s
}

// Import reads the call log at path and records its calls in tx.
func Import(ctx context.Context, tx *store.Tx, path string, opts Options) (Summary, error) {
	sum := Summary{File: path, Rejects: map[string]int{}}
	r, err := ingest.Open(path, opts.Ingest)
	if err != nil {
		return sum, err
	}
	defer r.Close()
	h := &handler{ctx: ctx, tx: tx, opts: &opts, sum: &sum, source: filepath.Base(path)}
	err = scan.File(ctx, r, scan.Options{Region: opts.Region, Locator: opts.Locator}, h)
	return sum, err
}

type handler struct {
	ctx    context.Context
	tx     *store.Tx
	opts   *Options
	sum    *Summary
	source string
	table  *ingest.Table
	cols   columns
}

func (h *handler) Table(idx int, t *ingest.Table) error {
	h.table, h.cols = t, find(t.Header)
	for _, need := range []struct {
		col        int
		name, head string
	}{{h.cols.time, "time", "Время or time"}, {h.cols.outcome, "outcome", "Результат or outcome"}} {
		if need.col < 0 {
			return &callbase.InputError{File: t.File, Sheet: t.Sheet, Row: t.HeaderRow,
				Err:  fmt.Errorf("no %s column among %s", need.name, strings.Join(t.Header, ", ")),
				Hint: "Try: head the column " + need.head}
		}
	}
	return nil
}

func (h *handler) Row(row *scan.Row) error {
	h.sum.Rows++
	cell := func(i int) string {
		if i < 0 || i >= len(row.Cells) {
			return ""
		}
		return strings.TrimSpace(row.Cells[i])
	}
	reject := func(col int, reason string, err error) error {
		h.sum.Rejects[reason]++
		column := ""
		if col >= 0 && col < len(h.table.Header) {
			column = h.table.Header[col]
		}
		if h.opts.Warn != nil && h.sum.Rejects[reason] <= 5 {
			h.opts.Warn((&callbase.InputError{File: h.table.File, Sheet: h.table.Sheet, Row: row.Line, Column: column, Err: err}).Error())
		}
		if h.opts.Rejects == nil {
			return nil
		}
		text := ""
		if col >= 0 && col < len(row.Cells) {
			text = row.Cells[col]
		}
		return h.opts.Rejects.WriteReject(export.Reject{File: h.table.File, Sheet: h.table.Sheet, Row: row.Line,
			Column: column, Text: text, Reason: reason})
	}
	if len(row.Numbers) == 0 {
		col, reason := -1, "no_number"
		if len(row.Rejects) > 0 {
			col, reason = row.Rejects[0].Col, row.Rejects[0].Reason.String()
		}
		return reject(col, reason, errors.New("no valid phone number"))
	}
	o, err := outcome.Parse(cell(h.cols.outcome))
	if err != nil {
		return reject(h.cols.outcome, "unknown_outcome", err)
	}
	at, err := when.Parse(cell(h.cols.time), h.opts.Zone)
	if err != nil {
		return reject(h.cols.time, "bad_time", err)
	}
	c := store.Call{At: at, Outcome: string(o), Agent: cell(h.cols.agent), Note: cell(h.cols.comment), Source: h.source}
	if s := cell(h.cols.callback); s != "" {
		if c.CallbackAt, err = when.Parse(s, h.opts.Zone); err != nil {
			return reject(h.cols.callback, "bad_callback_time", err)
		}
	}
	if s := cell(h.cols.duration); s != "" {
		if c.Duration, err = ParseDuration(s); err != nil {
			return reject(h.cols.duration, "bad_duration", err)
		}
	}
	n := row.Numbers[0]
	num := store.Number{Key: n.Key(), Type: n.Type.String(), Country: n.Country, Place: store.Place{
		Operator: n.Place.Operator, Region: n.Place.Region, Zones: n.Place.ZoneList(), Unallocated: n.Place.Unallocated}}
	_, known, err := h.tx.State(h.ctx, num.Key)
	if err != nil {
		return err
	}
	added, err := lifecycle.Record(h.ctx, h.tx, num, c, h.opts.Rules)
	if err != nil {
		return err
	}
	if !known {
		h.sum.NewNumbers++
	}
	if added {
		h.sum.Added++
	} else {
		h.sum.Known++
	}
	return nil
}

// ParseDuration reads a call's length: seconds ("95"), m:ss ("1:35") or
// h:mm:ss ("0:01:35").
func ParseDuration(s string) (int, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) > 3 {
		return 0, fmt.Errorf("duration %q: want seconds, m:ss or h:mm:ss", s)
	}
	total := 0
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || (i > 0 && n >= 60) || len(p) > 9 {
			return 0, fmt.Errorf("duration %q: want seconds, m:ss or h:mm:ss", s)
		}
		total = total*60 + n
	}
	if total > 24*3600 {
		return 0, fmt.Errorf("duration %q: longer than a day", s)
	}
	return total, nil
}
