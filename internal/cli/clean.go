package cli

import (
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/clean"
	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/store"
)

type cleanOptions struct {
	*globals
	files   []string
	out     string
	rejects string
	useDB   bool
	ingest  ingest.Options
}

func newCleanCmd(g *globals) *cobra.Command {
	opts := &cleanOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "clean FILE... -o OUT.csv|OUT.xlsx",
		Short: "Clean a purchased base in one shot: unique valid numbers, rejects and a quality summary",
		Long: `Clean writes one row per unique valid number: E.164, a readable national form,
type, country, extension, how many times it occurred and where it first stood,
then the fields of that first row. Rejected cells go to a second sheet of an
XLSX output, or to OUT.rejects.csv next to a CSV output. No database is needed;
with --db (or $CALLBASE_DB) numbers the database already knows are flagged.`,
		Example: `  callbase clean testdata/sample/base.csv -o clean.xlsx
  callbase clean vendor.csv -o - --rejects rejects.csv > clean.csv`,
		Args: usageArgs(1, "at least one FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			opts.useDB = cmd.Flags().Changed("db") || opts.getenv("CALLBASE_DB") != ""
			if err := opts.check(); err != nil {
				return err
			}
			return runClean(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.out, "output", "o", "", "the cleaned base: a .csv or .xlsx file, or - for CSV on stdout (required)")
	f.StringVar(&opts.rejects, "rejects", "", "where rejected cells go (default: a sheet of an XLSX output, or OUT.rejects.csv)")
	addIngestFlags(cmd, &opts.ingest)
	return cmd
}

func (o *cleanOptions) check() error {
	if o.out == "" {
		return callbase.Usagef("clean needs -o OUT.csv or -o OUT.xlsx")
	}
	if o.out == "-" && o.json {
		return callbase.Usagef("-o - and --json both write to stdout\nTry: -o clean.csv --json")
	}
	if o.out != "-" {
		if _, err := export.FormatOf(o.out); err != nil {
			return err
		}
	}
	if o.rejects == "" && o.out != "-" && !strings.EqualFold(filepath.Ext(o.out), ".xlsx") {
		o.rejects = strings.TrimSuffix(o.out, filepath.Ext(o.out)) + ".rejects.csv"
	}
	if o.rejects == "-" && (o.out == "-" || o.json) {
		return callbase.Usagef("--rejects - would share stdout with other output")
	}
	return nil
}

func runClean(ctx context.Context, o *cleanOptions) error {
	o.ingest.Region = o.region
	opts := clean.Options{Region: o.region, Ingest: o.ingest}
	var st *store.Store
	if o.useDB {
		var err error
		if st, err = store.OpenExisting(ctx, o.db); err != nil {
			return err
		}
		defer st.Close()
		lookup, err := st.Lookup(ctx)
		if err != nil {
			return err
		}
		defer lookup.Close()
		opts.Known = func(key uint64) (bool, error) { return lookup.Has(ctx, key) }
	}
	var err error
	if opts.Locator, err = locator(ctx, st); err != nil {
		return err
	}
	out, err := export.Create(o.out, o.stdout)
	if err != nil {
		return err
	}
	defer out.Abort()
	var rej *export.Table // none with -o - and no --rejects
	if o.out != "-" {
		rej = out // an XLSX output keeps its rejects on a second sheet
	}
	if o.rejects != "" {
		if rej, err = export.Create(o.rejects, o.stdout); err != nil {
			return err
		}
		defer rej.Abort()
	}
	// clean keeps little (the numbers found, the normalizers' caches: a
	// few tens of MB for a million rows) while hundreds of MB of rows
	// stream through it: at the default pace the collector ran some forty
	// times over base1.csv. Twice the room cost 15 MB more RSS and saved
	// 0.37 s of CPU (0.19 s of wall); the import gained nothing by it.
	// A GOGC the user set is left alone.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	var finish func()
	opts.Progress, finish = o.progress("clean")
	sum, err := clean.Files(ctx, o.files, out, rej, opts)
	finish()
	if err != nil {
		return err
	}
	// Both files are written out before either is put in place.
	tables := []*export.Table{out}
	if rej != nil && rej != out {
		tables = append(tables, rej)
	}
	for _, t := range tables {
		if err := t.Finish(); err != nil {
			return err
		}
	}
	for _, t := range tables {
		if err := t.Close(); err != nil {
			return err
		}
	}
	if o.json {
		return writeJSON(o.stdout, sum)
	}
	o.printClean(sum)
	return nil
}

func (o *cleanOptions) printClean(s clean.Summary) {
	o.summaryf("%s: %d rows, %d with a valid number (%s)\n", strings.Join(s.Files, ", "), s.Rows, s.RowsWithNumber, percent(s.RowsWithNumber, s.Rows))
	o.summaryf("  numbers    %d found, %d unique, %d duplicates\n", s.Numbers, s.Unique, s.Duplicates)
	if s.Known != nil {
		o.summaryf("  known      %d already in the database\n", *s.Known)
	}
	o.summaryf("  types      %s\n", byCount(s.ByType))
	o.summaryf("  countries  %s\n", byCount(s.ByCountry))
	o.summaryf("  zones      %s\n", top(s.ByZone, 5))
	o.summaryf("  regions    %s\n", top(s.ByRegion, 5))
	o.summaryf("  rejects    %s\n", byReason(s.Rejects))
	o.printSkips(s.TitleRows, s.SkippedSheets)
	where := o.out
	if o.rejects != "" {
		where += ", rejects in " + o.rejects
	}
	if o.out != "-" {
		o.summaryf("  written    %s\n", where)
	}
}
