package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/numplan"
	"github.com/callbase/callbase/internal/phone"
	"github.com/callbase/callbase/internal/store"
)

// locator places numbers by the plan of st, or by the embedded plan when
// st is nil or has none loaded.
func locator(ctx context.Context, st *store.Store) (*locate.Locator, error) {
	if st == nil {
		return locate.New(numplan.Embedded()), nil
	}
	data, _, ok, err := st.Plan(ctx)
	if err != nil {
		return nil, err
	}
	return locate.Stored(data, ok)
}

func newNumplanCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "numplan",
		Short: "The Russian numbering plan: which plan is in use, and loading a newer one",
		Long: `The numbering plan tells each Russian number's operator, region and time zone,
and which numbers were never issued (those are dead as unallocated). A plan of
` + numplan.EmbeddedDate + ` is built in; load newer registry files (DEF-9xx, ABC-3xx, ABC-4xx,
ABC-8xx from the ministry's open-data site) with numplan load.`,
	}
	cmd.AddCommand(newNumplanLoadCmd(g), newNumplanInfoCmd(g))
	return cmd
}

type numplanLoadOptions struct {
	*globals
	files []string
	date  string
}

func newNumplanLoadCmd(g *globals) *cobra.Command {
	opts := &numplanLoadOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "load FILE...",
		Short: "Load registry files as the database's plan and derive every number's place again",
		Long: `Load reads registry files in any published layout (6, 7 or 8 columns, UTF-8 or
Windows-1251). The kinds of numbers the files hold (DEF mobiles, ABC landlines)
replace those of the plan in use; the others are kept. Operator, region, zones
and unallocated status of every known number are derived again, in the same
transaction. A malformed file is refused with file:line and the plan stays.`,
		Example: `  callbase numplan load DEF-9xx.csv ABC-3xx.csv ABC-4xx.csv ABC-8xx.csv --date 2026-12`,
		Args:    usageArgs(1, "at least one registry FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			return runNumplanLoad(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.date, "date", "", "date of the registry files, e.g. 2026-12 (default: the day of --now)")
	return cmd
}

// numplanLoadResult is what numplan load reports.
type numplanLoadResult struct {
	Plan      numplan.Info    `json:"plan"`
	Rederived store.Rederived `json:"rederived"`
}

func runNumplanLoad(ctx context.Context, o *numplanLoadOptions) error {
	var files []*numplan.File
	var names []string
	for _, path := range o.files {
		f, err := parsePlanFile(path)
		if err != nil {
			return err
		}
		files = append(files, f)
		names = append(names, filepath.Base(path))
	}
	date := o.date
	if date == "" {
		date = o.now.Format("2006-01-02")
	}
	loaded, err := numplan.New(date, files...)
	if err != nil {
		return inputError(err)
	}
	st, err := store.Open(ctx, o.db)
	if err != nil {
		return err
	}
	defer st.Close()
	tx, err := st.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	data, _, ok, err := tx.Plan(ctx)
	if err != nil {
		return err
	}
	current, err := locate.Stored(data, ok)
	if err != nil {
		return err
	}
	plan := current.Plan().Replace(loaded)
	if data, err = plan.MarshalBinary(); err != nil {
		return err
	}
	info := plan.Info()
	if err := tx.SavePlan(ctx, data, info.Source, info.Date, o.now); err != nil {
		return err
	}
	res := numplanLoadResult{Plan: info}
	ev := store.Event{At: o.now, Cause: "numplan load " + strings.Join(o.files, " "), Actor: o.actor()}
	if res.Rederived, err = tx.Rederive(ctx, placer(locate.New(plan)), ev); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if o.json {
		return writeJSON(o.stdout, res)
	}
	o.summaryf("loaded %s: %d DEF and %d ABC ranges\n", strings.Join(names, ", "), info.DEF, info.ABC)
	o.summaryf("  numbers    %d looked at, %d changed, %d now unallocated, %d issued again\n",
		res.Rederived.Numbers, res.Rederived.Changed, res.Rederived.Unallocated, res.Rederived.Revived)
	return nil
}

func parsePlanFile(path string) (*numplan.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputError(err)
	}
	defer f.Close()
	pf, err := numplan.Parse(path, f)
	if err != nil {
		return nil, inputError(err)
	}
	return pf, nil
}

// inputError marks registry and open errors as unreadable input (exit 2),
// keeping the file:line message numplan gives.
func inputError(err error) error {
	var pe *numplan.ParseError
	var fe *os.PathError
	if errors.As(err, &pe) || errors.As(err, &fe) {
		return callbase.Input(err)
	}
	return err
}

// placer adapts a Locator to the store's re-derivation.
func placer(l *locate.Locator) func(key uint64, country string) store.Place {
	return func(key uint64, country string) store.Place {
		p := l.Place(phoneNumber(key, country))
		return store.Place{Operator: p.Operator, Region: p.Region, Zones: p.ZoneList(), Unallocated: p.Unallocated}
	}
}

func newNumplanInfoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "info",
		Short: "Tell which numbering plan is in use, its date and range counts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNumplanInfo(cmd.Context(), g)
		},
	}
}

// numplanInfo is what numplan info reports.
type numplanInfo struct {
	numplan.Info
	LoadedAt string `json:"loaded_at,omitempty"`
}

func runNumplanInfo(ctx context.Context, g *globals) error {
	var st *store.Store
	if _, err := os.Stat(g.db); err == nil {
		if st, err = store.OpenExisting(ctx, g.db); err != nil {
			return err
		}
		defer st.Close()
	}
	l, err := locator(ctx, st)
	if err != nil {
		return err
	}
	out := numplanInfo{Info: l.Plan().Info()}
	if st != nil {
		_, pi, _, err := st.Plan(ctx)
		if err != nil {
			return err
		}
		out.LoadedAt = pi.LoadedAt
	}
	if g.json {
		return writeJSON(g.stdout, out)
	}
	fmt.Fprintf(g.stdout, "plan         %s\n", out.Source)
	fmt.Fprintf(g.stdout, "date         %s\n", out.Date)
	if out.LoadedAt != "" {
		fmt.Fprintf(g.stdout, "loaded at    %s\n", out.LoadedAt)
	}
	fmt.Fprintf(g.stdout, "DEF ranges   %d\nABC ranges   %d\noperators    %d\nterritories  %d\n",
		out.DEF, out.ABC, out.Operators, out.Territories)
	return nil
}

func phoneNumber(key uint64, country string) phone.Number {
	return phone.Number{E164: "+" + strconv.FormatUint(key, 10), Country: country}
}
