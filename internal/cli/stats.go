package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/calllist"
	"github.com/callbase/callbase/internal/store"
)

type statsOptions struct {
	*globals
	base string
}

func newStatsCmd(g *globals) *cobra.Command {
	opts := &statsOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "stats [--base NAME]",
		Short: "Show bases, imports, numbers by type and status, and rejects by reason",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStats(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.base, "base", "", "only this base")
	return cmd
}

func runStats(ctx context.Context, o *statsOptions) error {
	st, err := store.OpenExisting(ctx, o.db)
	if err != nil {
		return fmt.Errorf("%w\nTry: callbase import FILE --base NAME, or --db PATH", err)
	}
	defer st.Close()
	s, err := st.Stats(ctx, o.base)
	if err != nil {
		return err
	}
	c, err := o.calling(ctx, st)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(o.stdout, struct {
			store.Stats
			Calling calling `json:"calling"`
		}{s, c})
	}
	if err := printStats(o.stdout, s); err != nil {
		return err
	}
	fmt.Fprintf(o.stdout, "callable  %d now (%s); by base %s\n", c.Callable, byCount(c.ByTemperature), byCount(c.ByBase))
	fmt.Fprintf(o.stdout, "resting   %d numbers in resting bases; leased %d on live lists\n", c.Resting, c.Leased)
	return nil
}

// calling is what stats tells of the call lists at --now.
type calling struct {
	Callable      int            `json:"callable"`       // numbers a list could carry now, each once
	ByBase        map[string]int `json:"by_base"`        // by the base a list would take it from
	ByTemperature map[string]int `json:"by_temperature"` // by temperature; due callbacks as "callback"
	Resting       int            `json:"resting"`        // distinct numbers of resting bases
	Leased        int            `json:"leased"`         // numbers on live lists
}

func (o *statsOptions) calling(ctx context.Context, st *store.Store) (calling, error) {
	c := calling{ByBase: map[string]int{}, ByTemperature: map[string]int{}}
	tx, err := st.Read(ctx)
	if err != nil {
		return c, err
	}
	defer tx.Rollback()
	r, _, err := (&exportOptions{tz: "Europe/Moscow", unknownZone: "exclude"}).request(o.now)
	if err != nil {
		return c, err
	}
	if err := calllist.Rules(ctx, tx, &r); err != nil {
		return c, err
	}
	bases, err := tx.BasesWithSizes(ctx)
	if err != nil {
		return c, err
	}
	bases = slices.DeleteFunc(bases, func(b store.BaseInfo) bool { return o.base != "" && b.Name != o.base })
	// Counted, not listed: a list of millions would read every number.
	n, err := calllist.Count(ctx, tx, bases, r)
	if err != nil {
		return c, err
	}
	c.Callable, c.ByTemperature = n.Callable, n.ByTemperature
	for _, b := range bases {
		if n.Best[b.ID] > 0 {
			c.ByBase[b.Name] = n.Best[b.ID]
		}
	}
	maps.DeleteFunc(c.ByTemperature, func(_ string, v int) bool { return v == 0 })
	var resting []int64
	for _, b := range bases {
		if b.State == "resting" && (o.base == "" || b.Name == o.base) {
			resting = append(resting, b.ID)
		}
	}
	// A number in two resting bases rests once.
	if c.Resting, err = tx.NumbersIn(ctx, resting); err != nil {
		return c, err
	}
	c.Leased, err = tx.LiveLeases(ctx, o.now)
	return c, err
}

func printStats(out io.Writer, s store.Stats) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "BASE\tSOURCE\tTEMPERATURE\tIMPORTS\tROWS\tNUMBERS\n")
	for _, b := range s.Bases {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%d\n", b.Name, dash(b.Source), b.Temperature, b.Imports, b.Rows, b.Numbers)
	}
	fmt.Fprintf(w, "\nIMPORTED AT\tBASE\tFILE\tROWS\tNUMBERS\tNEW\tKNOWN\tDUPLICATES\tREJECTS\n")
	for _, i := range s.Imports {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", i.At, i.Base, i.File, i.Rows, i.Numbers, i.New, i.Known, i.FileDuplicates, i.Rejects)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nnumbers   %d\n", s.Numbers)
	fmt.Fprintf(out, "by type   %s\n", counts(s.ByType))
	fmt.Fprintf(out, "by status %s\n", counts(s.ByStatus))
	fmt.Fprintf(out, "by zone   %s\n", topCounts(s.ByZone, 10))
	fmt.Fprintf(out, "by region %s\n", topCounts(s.ByRegion, 10))
	fmt.Fprintf(out, "rejects   %s\n", counts(s.Rejects))
	return nil
}

func counts(cs []store.Count) string { return topCounts(cs, len(cs)) }

func topCounts(cs []store.Count, n int) string {
	m := make(map[string]int, len(cs))
	for _, c := range cs {
		m[c.Key] = c.N
	}
	return top(m, n)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
