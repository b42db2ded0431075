package cli

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/calllist"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/settings"
	"github.com/callbase/callbase/internal/store"
)

func newBaseCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "base",
		Short: "Bases and their rest cycle: list, show, rest",
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "Every base with its state, cycle, size, callable numbers now and when its rest ends",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBaseList(cmd.Context(), g, "")
		},
	}
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "One base with its state, cycle, size, callable numbers now and rest",
		Args:  usageArgs(1, "a base NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBaseList(cmd.Context(), g, args[0])
		},
	}
	var days int
	rest := &cobra.Command{
		Use:   "rest NAME [--days N]",
		Short: "Put a base to rest: nothing is exported from it until release, except due callbacks",
		Args:  usageArgs(1, "a base NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBaseRest(cmd.Context(), g, args[0], days, cmd.Flags().Changed("days"))
		},
	}
	rest.Flags().IntVar(&days, "days", 0, "days of rest (default: setting rest.days, 30; never under rest.min_days)")
	cmd.AddCommand(list, show, rest)
	return cmd
}

type baseJSON struct {
	Name           string `json:"name"`
	Source         string `json:"source"`
	Temperature    string `json:"temperature"`
	State          string `json:"state"`
	Cycle          int    `json:"cycle"`
	CycleStartedAt string `json:"cycle_started_at"`
	RestUntil      string `json:"rest_until,omitempty"`
	Numbers        int    `json:"numbers"`
	Callable       *int   `json:"callable,omitempty"` // base list and show: callable from it at --now
}

func toBaseJSON(b store.BaseInfo) baseJSON {
	return baseJSON{Name: b.Name, Source: b.Source, Temperature: b.Temperature, State: b.State, Cycle: b.Cycle,
		CycleStartedAt: optTime(b.CycleStartedAt), RestUntil: optTime(b.RestUntil), Numbers: b.Numbers}
}

func runBaseList(ctx context.Context, g *globals, name string) error {
	st, err := store.OpenExisting(ctx, g.db)
	if err != nil {
		return err
	}
	defer st.Close()
	tx, err := st.Read(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	all, err := tx.BasesWithSizes(ctx)
	if err != nil {
		return err
	}
	all = slices.DeleteFunc(all, func(b store.BaseInfo) bool { return name != "" && b.Name != name })
	// Callable as export would judge it at --now, by the rules of stats.
	r, _, err := (&exportOptions{tz: "Europe/Moscow", unknownZone: "exclude"}).request(g.now)
	if err != nil {
		return err
	}
	if err := calllist.Rules(ctx, tx, &r); err != nil {
		return err
	}
	counts, err := calllist.Count(ctx, tx, all, r)
	if err != nil {
		return err
	}
	out := []baseJSON{}
	for _, b := range all {
		j := toBaseJSON(b)
		n := counts.ByBase[b.ID]
		j.Callable = &n
		out = append(out, j)
	}
	if name != "" && len(out) == 0 {
		return callbase.Usagef("no base %q\nTry: callbase base list", name)
	}
	if g.json {
		if name != "" {
			return writeJSON(g.stdout, out[0])
		}
		return writeJSON(g.stdout, out)
	}
	for _, b := range out {
		state := b.State
		if b.State == "resting" {
			state += " until " + b.RestUntil
		}
		fmt.Fprintf(g.stdout, "%-20s %-32s cycle %d since %s, %d numbers, %d callable, %s\n", b.Name, state, b.Cycle, b.CycleStartedAt,
			b.Numbers, *b.Callable, b.Temperature)
	}
	return nil
}

// restDays reads rest.days, or checks the days asked against rest.min_days.
func restDays(ctx context.Context, tx *store.Tx, days int, asked bool) (int, error) {
	get := func(name string) (string, bool, error) { return tx.Setting(ctx, name) }
	if !asked {
		return settings.Get("rest.days", get)
	}
	least, err := settings.Get("rest.min_days", get)
	if err != nil {
		return 0, err
	}
	if days < least {
		return 0, callbase.Usagef("--days %d: a base rests at least %d days (setting rest.min_days)", days, least)
	}
	return days, nil
}

func runBaseRest(ctx context.Context, g *globals, name string, days int, asked bool) error {
	var until time.Time
	err := g.inTx(ctx, func(tx *store.Tx, _ *locate.Locator) error {
		all, err := tx.Bases(ctx)
		if err != nil {
			return err
		}
		for _, b := range all {
			if b.Name != name {
				continue
			}
			if b.State == "archived" {
				return callbase.Usagef("base %q is archived", name)
			}
			d, err := restDays(ctx, tx, days, asked)
			if err != nil {
				return err
			}
			until = g.now.Add(time.Duration(d) * 24 * time.Hour)
			if b.State == "resting" && !b.RestUntil.Before(until) {
				until = b.RestUntil // asked again: nothing to change
				return nil
			}
			return tx.Rest(ctx, b.ID, until, g.now, fmt.Sprintf("put to rest for %d days by hand", d), g.actor())
		}
		return callbase.Usagef("no base %q\nTry: callbase base list", name)
	})
	if err != nil {
		return err
	}
	g.summaryf("base %q rests until %s\n", name, optTime(until))
	return nil
}

func newReleaseCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "release",
		Short: "For cron: end every rest that is over as of --now; the bases start their next cycle",
		Long: `release ends every rest over as of --now: the base becomes active and starts its
next cycle (attempts count afresh; history is kept). It prints what it
released; nothing to release is fine (exit 0). Running it again, or two at
once, releases nothing twice.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var released []store.BaseInfo
			err := g.inTx(ctx, func(tx *store.Tx, _ *locate.Locator) error {
				var err error
				released, err = tx.Release(ctx, g.now, g.actor())
				return err
			})
			if err != nil {
				return err
			}
			out := []baseJSON{}
			for _, b := range released {
				out = append(out, toBaseJSON(b))
			}
			if g.json {
				return writeJSON(g.stdout, out)
			}
			for _, b := range out {
				fmt.Fprintf(g.stdout, "released %s: cycle %d from %s\n", b.Name, b.Cycle, b.CycleStartedAt)
			}
			if len(out) == 0 {
				g.summaryf("no rest is over as of %s\n", optTime(g.now))
			}
			return nil
		},
	}
}
