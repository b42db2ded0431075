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

	"github.com/callbase/callbase/internal/lifecycle"
	"github.com/callbase/callbase/internal/numlist"
	"github.com/callbase/callbase/internal/outcome"
	"github.com/callbase/callbase/internal/store"
	"github.com/callbase/callbase/internal/when"
)

// Options tell how to read call logs.
type Options struct {
	numlist.Options                // Columns are set by Import
	Zone            *time.Location // for times written without a zone
	Rules           lifecycle.Rules
}

// Summary is what importing one log did.
type Summary struct {
	numlist.Summary
	Added      int `json:"added"`       // calls recorded
	Known      int `json:"known"`       // calls recorded before: the log was imported already
	NewNumbers int `json:"new_numbers"` // numbers the database did not know
}

// Columns are the columns of a call log, by the headers real exports use.
var Columns = []numlist.Column{
	{Role: "time", Required: true, Names: []string{"время", "дата", "дата и время", "дата звонка", "время звонка",
		"дата время", "начало", "начало звонка", "time", "date", "datetime", "date time", "call time", "call date",
		"started", "start", "start time", "timestamp"}},
	{Role: "outcome", Required: true, Names: []string{"результат", "исход", "статус", "статус звонка", "результат звонка",
		"итог", "outcome", "result", "status", "disposition", "call result", "call status"}},
	{Role: "agent", Names: []string{"оператор", "менеджер", "агент", "сотрудник", "ответственный", "agent", "operator",
		"user", "manager", "employee"}},
	{Role: "duration", Names: []string{"длительность", "продолжительность", "длительность разговора", "время разговора",
		"duration", "talk time", "billsec", "call duration"}},
	{Role: "callback", Names: []string{"перезвонить", "время перезвона", "дата перезвона", "перезвон", "перезвонить в",
		"callback", "call back", "callback at", "callback time", "recall at"}},
	{Role: "comment", Names: []string{"комментарий", "примечание", "заметка", "комментарии", "comment", "comments", "note", "notes"}},
}

// Import reads the call log at path and records its calls in tx.
func Import(ctx context.Context, tx *store.Tx, path string, opts Options) (Summary, error) {
	var sum Summary
	source := filepath.Base(path)
	lo := opts.Options
	lo.Columns = Columns
	s, err := numlist.Each(ctx, path, lo, func(row *numlist.Row) error {
		o, err := outcome.Parse(row.Cell("outcome"))
		if err != nil {
			return row.Reject("outcome", "unknown_outcome", err)
		}
		at, err := when.Parse(row.Cell("time"), opts.Zone)
		if err != nil {
			return row.Reject("time", "bad_time", err)
		}
		c := store.Call{At: at, Outcome: string(o), Agent: row.Cell("agent"), Note: row.Cell("comment"), Source: source}
		if s := row.Cell("callback"); s != "" {
			if c.CallbackAt, err = when.Parse(s, opts.Zone); err != nil {
				return row.Reject("callback", "bad_callback_time", err)
			}
		}
		if s := row.Cell("duration"); s != "" {
			if c.Duration, err = ParseDuration(s); err != nil {
				return row.Reject("duration", "bad_duration", err)
			}
		}
		_, known, err := tx.State(ctx, row.Number.Key)
		if err != nil {
			return err
		}
		added, err := lifecycle.Record(ctx, tx, row.Number, c, opts.Rules)
		if errors.Is(err, store.ErrForgotten) {
			return row.Reject("", "forgotten", err) // nothing of the call is stored
		}
		if err != nil {
			return err
		}
		if !known {
			sum.NewNumbers++
		}
		if added {
			sum.Added++
		} else {
			sum.Known++
		}
		return nil
	})
	sum.Summary = s
	return sum, err
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
