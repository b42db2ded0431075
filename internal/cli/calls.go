package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/calllist"
	"github.com/callbase/callbase/internal/calllog"
	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/lifecycle"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/numlist"
	"github.com/callbase/callbase/internal/outcome"
	"github.com/callbase/callbase/internal/store"
	"github.com/callbase/callbase/internal/when"
)

func newCallsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "calls",
		Short: "Record call results: from dialer and CRM logs, or one by one",
	}
	cmd.AddCommand(newCallsImportCmd(g), newCallsAddCmd(g))
	return cmd
}

// zoneFlag reads --tz.
func zoneFlag(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		return nil, callbase.Usagef("--tz %q: not a time zone\nTry: --tz Europe/Moscow or --tz Asia/Novosibirsk", name)
	}
	return loc, nil
}

func newCallsImportCmd(g *globals) *cobra.Command {
	var (
		in      ingest.Options
		tz      string
		rejects string
	)
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "Import dialer or CRM call logs (CSV, XLSX)",
		Long: `calls import reads each row's number, time and outcome, and the agent, duration,
callback time and comment where the log has them, found by header in Russian or
English (Телефон, Время, Результат, Оператор, Длительность, Перезвонить,
Комментарий; number, time, outcome, agent, duration, callback, comment).
Outcome words are read as real exports write them: Недозвон, Занято, Не
существует, Отказ, Перезвонить, Продажа, Неверный номер, Не звонить,
Автоответчик, no answer, busy, ... A row with a word callbase does not know, a
time it cannot read or no valid number is left out and told with its file, row
and column; the other rows load. Importing the same log again adds nothing.
Every call moves its number's status (see callbase history).`,
		Example: `  callbase calls import dialer-2026-11-27.csv
  callbase calls import crm.xlsx --tz Asia/Novosibirsk --rejects calls-rejects.csv`,
		Args: usageArgs(1, "at least one FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			zone, err := zoneFlag(tz)
			if err != nil {
				return err
			}
			if rejects == "-" && g.json {
				return callbase.Usagef("--rejects - and --json both write to stdout\nTry: --rejects rejects.csv")
			}
			return runCallsImport(cmd.Context(), g, args, in, zone, rejects)
		},
	}
	addIngestFlags(cmd, &in)
	cmd.Flags().StringVar(&tz, "tz", "Europe/Moscow", "time zone of times written without one")
	cmd.Flags().StringVar(&rejects, "rejects", "", "write the rows left out, with file, row, column and reason, to this CSV/XLSX file")
	return cmd
}

func runCallsImport(ctx context.Context, g *globals, files []string, in ingest.Options, zone *time.Location, rejects string) error {
	rej, err := g.rejectsTable(rejects)
	if err != nil {
		return err
	}
	if rej != nil {
		defer rej.Abort()
	}
	sums := []calllog.Summary{}
	var rested []string
	err = g.inTx(ctx, func(tx *store.Tx, loc *locate.Locator) error {
		in.Region = g.region
		opts := calllog.Options{Options: numlist.Options{Ingest: in, Region: g.region, Locator: loc, Rejects: rej,
			Warn: func(msg string) { g.warnf("%s\n", msg) }}, Zone: zone}
		var err error
		if opts.Rules, err = lifecycle.LoadRules(ctx, tx); err != nil {
			return err
		}
		for _, f := range files {
			s, err := calllog.Import(ctx, tx, f, opts)
			if err != nil {
				return err
			}
			sums = append(sums, s)
		}
		if rested, err = calllist.RestWorkedThrough(ctx, tx, g.now, g.actor()); err != nil {
			return err
		}
		if rej != nil {
			return rej.Finish()
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range rested {
		g.summaryf("base %q is worked through: it rests now\n", b)
	}
	if rej != nil {
		if err := rej.Close(); err != nil {
			return err
		}
	}
	if g.json {
		return writeJSON(g.stdout, sums)
	}
	for _, s := range sums {
		g.summaryf("%s: %d rows, %d calls recorded, %d recorded before, %d new numbers\n", s.File, s.Rows, s.Added, s.Known, s.NewNumbers)
		if len(s.Rejects) > 0 {
			g.summaryf("  left out  %s\n", byCount(s.Rejects))
		}
	}
	return nil
}

func newCallsAddCmd(g *globals) *cobra.Command {
	var (
		word, agent, at, callback, note, tz string
		duration                            int
	)
	cmd := &cobra.Command{
		Use:   "add NUMBER --outcome O",
		Short: "Record one call",
		Example: `  callbase calls add "+7 916 123-45-67" --outcome callback --callback "2026-11-28 16:00" --agent ivanova
  callbase calls add 89161234567 --outcome "Не дозвонились" --at "2026-11-27 10:15"`,
		Args: usageArgs(1, "a NUMBER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return callbase.Usagef("calls add takes one NUMBER, not %d\nTry: quote a number written with spaces", len(args))
			}
			o, err := outcome.Parse(word)
			if err != nil {
				return callbase.Usagef("--outcome: %v", err)
			}
			zone, err := zoneFlag(tz)
			if err != nil {
				return err
			}
			c := store.Call{At: g.now, Outcome: string(o), Agent: agent, Note: note, Duration: duration, Source: "calls add"}
			if at != "" {
				if c.At, err = when.Parse(at, zone); err != nil {
					return callbase.Usagef("--at: %v", err)
				}
			}
			if callback != "" {
				if c.CallbackAt, err = when.Parse(callback, zone); err != nil {
					return callbase.Usagef("--callback: %v", err)
				}
			}
			if !c.CallbackAt.IsZero() && o != outcome.Callback {
				return callbase.Usagef("--callback goes with --outcome callback, not %s", o)
			}
			if duration < 0 {
				return callbase.Usagef("--duration %d: a call cannot last less than nothing", duration)
			}
			return runCallsAdd(cmd.Context(), g, args[0], c)
		},
	}
	f := cmd.Flags()
	f.StringVar(&word, "outcome", "", "the result: "+strings.Join(outcomeNames(), ", ")+", or a Russian word for one (required)")
	f.StringVar(&agent, "agent", "", "who called")
	f.StringVar(&at, "at", "", "when (default --now)")
	f.StringVar(&callback, "callback", "", "the callback time promised, with --outcome callback")
	f.StringVar(&note, "note", "", "a comment")
	f.IntVar(&duration, "duration", 0, "length of the call in seconds")
	f.StringVar(&tz, "tz", "Europe/Moscow", "time zone of --at and --callback when they carry none")
	return cmd
}

func outcomeNames() []string {
	s := make([]string, len(outcome.All))
	for i, o := range outcome.All {
		s[i] = string(o)
	}
	return s
}

func runCallsAdd(ctx context.Context, g *globals, arg string, c store.Call) error {
	var (
		added  bool
		rested []string
	)
	err := g.inTx(ctx, func(tx *store.Tx, loc *locate.Locator) error {
		n, err := g.numberArg(arg, loc)
		if err != nil {
			return err
		}
		if c.Agent == "" {
			c.Agent = g.actor()
		}
		rules, err := lifecycle.LoadRules(ctx, tx)
		if err != nil {
			return err
		}
		added, err = lifecycle.Record(ctx, tx, n, c, rules)
		if errors.Is(err, store.ErrForgotten) {
			return fmt.Errorf("not recorded: the number was %w, and is never callable", err)
		}
		if err != nil {
			return err
		}
		rested, err = calllist.RestWorkedThrough(ctx, tx, g.now, g.actor())
		return err
	})
	if err != nil {
		return err
	}
	for _, b := range rested {
		g.summaryf("base %q is worked through: it rests now\n", b)
	}
	if g.json {
		return writeJSON(g.stdout, map[string]any{"added": added, "rested": rested})
	}
	if added {
		g.summaryf("recorded: %s at %s\n", c.Outcome, c.At.Format(time.RFC3339))
	} else {
		g.summaryf("already recorded: %s at %s; nothing changed\n", c.Outcome, c.At.Format(time.RFC3339))
	}
	return nil
}
