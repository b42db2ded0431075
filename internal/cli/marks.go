package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/lifecycle"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/numlist"
	"github.com/callbase/callbase/internal/store"
	"github.com/callbase/callbase/internal/when"
)

// inTx runs fn in one write transaction on the existing database, with
// the locator of the numbering plan stored in it, and commits when fn
// succeeds. A database that is not there is an error, not a new empty
// one: a mistyped --db must not make cron's release or export succeed at
// nothing.
func (g *globals) inTx(ctx context.Context, fn func(tx *store.Tx, loc *locate.Locator) error) error {
	return g.inTxOpen(ctx, store.OpenExisting, fn)
}

// inNewOrOldTx is inTx creating the database when there is none, for the
// commands that can come first: opt-out and consent lists.
func (g *globals) inNewOrOldTx(ctx context.Context, fn func(tx *store.Tx, loc *locate.Locator) error) error {
	return g.inTxOpen(ctx, store.Open, fn)
}

func (g *globals) inTxOpen(ctx context.Context, open func(context.Context, string) (*store.Store, error),
	fn func(tx *store.Tx, loc *locate.Locator) error) error {
	st, err := open(ctx, g.db)
	if err != nil {
		return err
	}
	defer st.Close()
	tx, err := st.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	loc, err := storedLocator(ctx, tx)
	if err != nil {
		return err
	}
	if err := fn(tx, loc); err != nil {
		return err
	}
	return tx.Commit()
}

// numberArgs reads every NUMBER argument before anything is written, so
// one bad argument changes nothing.
func (g *globals) numberArgs(args []string, loc *locate.Locator) ([]store.Number, error) {
	out := make([]store.Number, 0, len(args))
	for i, a := range args {
		n, err := g.numberArg(a, loc)
		if err != nil {
			if len(args) > 1 {
				err = callbase.Usagef("NUMBER %d of %d: %v", i+1, len(args), err)
			}
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// marked reports what a command that marks numbers did.
type marked struct {
	Numbers   int `json:"numbers"`
	Changed   int `json:"changed"`
	Forgotten int `json:"forgotten"` // left alone: forgotten at their owners' request
}

func (g *globals) reportMarked(m marked, what string) error {
	if g.json {
		return writeJSON(g.stdout, m)
	}
	g.summaryf("%d numbers: %d %s, %d were already\n", m.Numbers, m.Changed, what, m.Numbers-m.Changed-m.Forgotten)
	if m.Forgotten > 0 {
		g.summaryf("  %d left alone: forgotten at their owners' request, never callable\n", m.Forgotten)
	}
	return nil
}

// markArgs applies mark to every NUMBER argument in one transaction;
// create lets it make the database when there is none.
func (g *globals) markArgs(ctx context.Context, args []string, what string, create bool,
	mark func(tx *store.Tx, n store.Number, ch lifecycle.Change) (bool, error)) error {
	var m marked
	in := g.inTx
	if create {
		in = g.inNewOrOldTx
	}
	err := in(ctx, func(tx *store.Tx, loc *locate.Locator) error {
		nums, err := g.numberArgs(args, loc)
		if err != nil {
			return err
		}
		ch := lifecycle.Change{At: g.now, Cause: "callbase " + what, Actor: g.actor()}
		for _, n := range nums {
			changed, err := mark(tx, n, ch)
			m.Numbers++
			switch {
			case errors.Is(err, store.ErrForgotten):
				m.Forgotten++
			case err != nil:
				return err
			case changed:
				m.Changed++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return g.reportMarked(m, what)
}

// listFlags are the flags of the commands that import lists of numbers.
type listFlags struct {
	in      ingest.Options
	tz      string
	rejects string
}

func (f *listFlags) add(cmd *cobra.Command) {
	addIngestFlags(cmd, &f.in)
	cmd.Flags().StringVar(&f.tz, "tz", "Europe/Moscow", "time zone of times written without one")
	cmd.Flags().StringVar(&f.rejects, "rejects", "", "write the rows left out, with file, row, column and reason, to this CSV/XLSX file")
}

// importList reads each file with columns, calling fn for every number of
// every usable row inside one transaction, and reports the rows read and
// left out. A forgotten number is left alone and counted.
func (g *globals) importList(ctx context.Context, files []string, f *listFlags, columns []numlist.Column, what string, create bool,
	fn func(tx *store.Tx, zone *time.Location, file string, row *numlist.Row, n store.Number) (changed bool, err error)) error {
	zone, err := zoneFlag(f.tz)
	if err != nil {
		return err
	}
	if f.rejects == "-" && g.json {
		return callbase.Usagef("--rejects - and --json both write to stdout\nTry: --rejects rejects.csv")
	}
	type summary struct {
		numlist.Summary
		Changed   int `json:"changed"`
		Forgotten int `json:"forgotten"`
	}
	sums := []summary{}
	rejects, err := g.rejectsTable(f.rejects)
	if err != nil {
		return err
	}
	if rejects != nil {
		defer rejects.Abort()
	}
	in := g.inTx
	if create {
		in = g.inNewOrOldTx
	}
	err = in(ctx, func(tx *store.Tx, loc *locate.Locator) error {
		f.in.Region = g.region
		opts := numlist.Options{Ingest: f.in, Region: g.region, Locator: loc, Columns: columns, Rejects: rejects,
			Warn: func(msg string) { g.warnf("%s\n", msg) }}
		for _, file := range files {
			var changed, forgotten int
			s, err := numlist.Each(ctx, file, opts, func(row *numlist.Row) error {
				for _, n := range row.Numbers {
					if row.Rejected() {
						break
					}
					c, err := fn(tx, zone, file, row, n)
					switch {
					case errors.Is(err, store.ErrForgotten):
						forgotten++
					case err != nil:
						return err
					case c:
						changed++
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			sums = append(sums, summary{s, changed, forgotten})
		}
		if rejects != nil {
			return rejects.Finish()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if rejects != nil {
		if err := rejects.Close(); err != nil {
			return err
		}
	}
	if g.json {
		return writeJSON(g.stdout, sums)
	}
	for _, s := range sums {
		g.summaryf("%s: %d rows, %d numbers %s\n", s.File, s.Rows, s.Changed, what)
		if s.Forgotten > 0 {
			g.summaryf("  %d left alone: forgotten at their owners' request, never callable\n", s.Forgotten)
		}
		if len(s.Rejects) > 0 {
			g.summaryf("  left out  %s\n", byCount(s.Rejects))
		}
	}
	return nil
}

// rowTime reads the row's time column, or returns now when it is empty.
func rowTime(row *numlist.Row, role string, zone *time.Location, now time.Time) (time.Time, bool, error) {
	s := row.Cell(role)
	if s == "" {
		return now, true, nil
	}
	t, err := when.Parse(s, zone)
	if err != nil {
		return t, false, row.Reject(role, "bad_time", err)
	}
	return t, true, nil
}

// cause names a row of a file, for events.
func cause(command, file string, line int) string {
	return fmt.Sprintf("%s %s:%d", command, filepath.Base(file), line)
}

var dateColumn = numlist.Column{Role: "time", Names: []string{"дата", "время", "дата и время", "date", "time", "at", "datetime"}}

func newOptoutCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "optout",
		Short: "Numbers never to be called again (do-not-call)",
	}
	add := &cobra.Command{
		Use:   "add NUMBER...",
		Short: "Opt numbers out for good; numbers not imported yet are recognised when a base brings them",
		Args:  usageArgs(1, "at least one NUMBER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.markArgs(cmd.Context(), args, "opted out", true, func(tx *store.Tx, n store.Number, ch lifecycle.Change) (bool, error) {
				return lifecycle.OptOut(cmd.Context(), tx, n, ch)
			})
		},
	}
	var lf listFlags
	imp := &cobra.Command{
		Use:   "import FILE...",
		Short: "Opt out every number of a list (CSV, XLSX); a date column, when there is one, says since when",
		Args:  usageArgs(1, "at least one FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return g.importList(ctx, args, &lf, []numlist.Column{dateColumn}, "opted out", true,
				func(tx *store.Tx, zone *time.Location, file string, row *numlist.Row, n store.Number) (bool, error) {
					at, ok, err := rowTime(row, "time", zone, g.now)
					if !ok {
						return false, err
					}
					return lifecycle.OptOut(ctx, tx, n, lifecycle.Change{At: at, Cause: cause("optout import", file, row.Line), Actor: g.actor()})
				})
		},
	}
	lf.add(imp)
	cmd.AddCommand(add, imp)
	return cmd
}

func newDeadCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dead",
		Short: "Numbers that do not work: mark, unmark, or import a validation service's results",
	}
	var reason string
	mark := &cobra.Command{
		Use:   "mark NUMBER... --reason R",
		Short: "Mark numbers dead",
		Args:  usageArgs(1, "at least one NUMBER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := strings.TrimSpace(reason)
			if r == "" {
				return callbase.Usagef("dead mark needs --reason\nTry: callbase dead mark NUMBER... --reason \"не существует\"")
			}
			return g.markArgs(cmd.Context(), args, "marked dead", false, func(tx *store.Tx, n store.Number, ch lifecycle.Change) (bool, error) {
				return lifecycle.MarkDead(cmd.Context(), tx, n, r, ch)
			})
		},
	}
	mark.Flags().StringVar(&reason, "reason", "", "why the numbers are dead (required)")
	var why string
	unmark := &cobra.Command{
		Use:   "unmark NUMBER... --reason R",
		Short: "Bring dead numbers back, saying why (kept in their history)",
		Args:  usageArgs(1, "at least one NUMBER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := strings.TrimSpace(why)
			if w == "" {
				return callbase.Usagef("dead unmark needs --reason\nTry: callbase dead unmark NUMBER... --reason \"answered on 27.11\"")
			}
			return g.markArgs(cmd.Context(), args, "brought back", false, func(tx *store.Tx, n store.Number, ch lifecycle.Change) (bool, error) {
				return lifecycle.Unmark(cmd.Context(), tx, n, w, ch)
			})
		},
	}
	unmark.Flags().StringVar(&why, "reason", "", "why the numbers work after all (required)")
	var lf listFlags
	imp := &cobra.Command{
		Use:   "import FILE...",
		Short: "Import a validation (HLR) service's results: a number and a status per row",
		Long: `dead import reads a number and a status per row. Statuses saying the number does
not exist or is disconnected (не существует, недоступен навсегда, invalid, not
exists, dead, disconnected, blocked, ...) mark it dead with that status as the
reason; statuses saying it works (активен, ok, valid, active, ...) change nothing.
A status callbase does not know leaves the row out, told with file and row.`,
		Args: usageArgs(1, "at least one FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			columns := []numlist.Column{dateColumn, {Role: "status", Required: true,
				Names: []string{"статус", "status", "результат", "result", "state", "hlr", "hlr status", "состояние"}}}
			return g.importList(ctx, args, &lf, columns, "marked dead", false,
				func(tx *store.Tx, zone *time.Location, file string, row *numlist.Row, n store.Number) (bool, error) {
					dead, known := validationStatus(row.Cell("status"))
					if !known {
						return false, row.Reject("status", "unknown_status", fmt.Errorf("status %q: want a word such as invalid, not exists, active or ok", row.Cell("status")))
					}
					if !dead {
						return false, nil
					}
					at, ok, err := rowTime(row, "time", zone, g.now)
					if !ok {
						return false, err
					}
					return lifecycle.MarkDead(ctx, tx, n, "validation: "+strings.ToLower(row.Cell("status")),
						lifecycle.Change{At: at, Cause: cause("dead import", file, row.Line), Actor: g.actor()})
				})
		},
	}
	lf.add(imp)
	cmd.AddCommand(mark, unmark, imp)
	return cmd
}

// validationStatus reads a validation service's verdict on a number.
func validationStatus(s string) (dead, known bool) {
	k := strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ", "ё", "е").Replace(s)), " "))
	switch k {
	case "dead", "invalid", "not exists", "not exist", "does not exist", "nonexistent", "unknown subscriber", "disconnected",
		"blocked", "inactive", "not in service", "unallocated", "не существует", "несуществующий", "недействительный",
		"неактивен", "неактивный", "отключен", "заблокирован", "не обслуживается", "мертвый", "недоступен навсегда":
		return true, true
	case "ok", "valid", "active", "alive", "exists", "available", "delivered", "absent", "roaming",
		"активен", "активный", "существует", "доступен", "в сети", "действующий", "абонент недоступен":
		return false, true
	}
	return false, false
}

// rejectsTable starts the --rejects file at path, or returns nil for "".
// Abort it unless it is closed.
func (g *globals) rejectsTable(path string) (*export.Table, error) {
	if path == "" {
		return nil, nil
	}
	t, err := export.Create(path, g.stdout)
	if err != nil {
		return nil, err
	}
	if err := t.Sheet("rejects", export.RejectsHeader); err != nil {
		t.Abort()
		return nil, err
	}
	return t, nil
}
