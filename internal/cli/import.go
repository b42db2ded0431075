package cli

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/importer"
	"github.com/callbase/callbase/internal/ingest"
	"github.com/callbase/callbase/internal/store"
)

type importOptions struct {
	*globals
	files       []string
	base        string
	source      string
	temperature string
	ingest      ingest.Options
	rejects     string
	dryRun      bool
}

func newImportCmd(g *globals) *cobra.Command {
	opts := &importOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "import FILE... --base NAME",
		Short: "Import CSV or XLSX bases into a base of the database",
		Long: `Import reads every row of each file, keeps it with its original fields, and links
every number found in its phone columns to the row and the base. Numbers are
deduplicated by E.164 within the file, across files and across bases. The
files land in one transaction: all of them or none. A file already imported
into the base (same content) changes nothing.`,
		Example: `  callbase import vendor-a.xlsx --base vendor-a --source vendor-a
  callbase import leads.csv --base web --phone-col "Телефон" --rejects rejects.csv`,
		Args: usageArgs(1, "at least one FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			if err := opts.check(); err != nil {
				return err
			}
			return runImport(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.base, "base", "", "the base to import into (required)")
	f.StringVar(&opts.source, "source", "", "where the base came from (a vendor, a web form)")
	f.StringVar(&opts.temperature, "temperature", "", "temperature of a new base: cold, warm or hot (default cold)")
	addIngestFlags(cmd, &opts.ingest)
	f.StringVar(&opts.rejects, "rejects", "", "write every rejected cell with its file, sheet, row, column and reason to this CSV/XLSX file")
	f.BoolVar(&opts.dryRun, "dry-run", false, "report what the import would do without writing")
	return cmd
}

// addIngestFlags binds the flags that say how to read input files.
func addIngestFlags(cmd *cobra.Command, o *ingest.Options) {
	f := cmd.Flags()
	f.StringArrayVar(&o.PhoneCols, "phone-col", nil, "phone column by header name, letter (C) or 1-based index; repeatable (default: found by header and content)")
	f.StringVar(&o.Sheet, "sheet", "", "read only this sheet of a workbook (default: every sheet)")
	f.StringVar(&o.Encoding, "encoding", "auto", "text encoding of CSV files: auto, utf-8, utf-16, cp1251, koi8-r")
	f.StringVar(&o.Delimiter, "delimiter", "auto", "CSV delimiter: auto, ';', ',', tab or '|'")
}

func (o *importOptions) check() error {
	if strings.TrimSpace(o.base) == "" {
		return callbase.Usagef("import needs --base NAME\nTry: callbase import %s --base vendor-a", strings.Join(o.files, " "))
	}
	if o.rejects == "-" && o.json {
		return callbase.Usagef("--rejects - and --json both write to stdout\nTry: --rejects rejects.csv")
	}
	switch o.temperature {
	case "", "cold", "warm", "hot":
	default:
		return callbase.Usagef("--temperature %q: must be cold, warm or hot", o.temperature)
	}
	return nil
}

func runImport(ctx context.Context, o *importOptions) error {
	db := o.db
	if _, err := os.Stat(db); o.dryRun && errors.Is(err, fs.ErrNotExist) {
		// A dry run writes nothing, not even a new database: it runs
		// against an empty one of its own.
		dir, err := os.MkdirTemp("", "callbase-dry-run-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		db = filepath.Join(dir, "callbase.db")
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	o.ingest.Region = o.region
	opts := importer.Options{
		Base: o.base, Source: o.source, Temperature: o.temperature, Region: o.region,
		Ingest: o.ingest, At: o.now, DryRun: o.dryRun,
	}
	if o.rejects != "" {
		if opts.Rejects, err = export.Create(o.rejects, o.stdout); err != nil {
			return err
		}
		defer opts.Rejects.Abort()
		if err := opts.Rejects.Sheet("rejects", export.RejectsHeader); err != nil {
			return err
		}
		opts.Ready = opts.Rejects.Finish
	}
	var finish func()
	opts.Progress, finish = o.progress("import")
	sums, err := importer.Files(ctx, st, o.files, opts)
	finish()
	if err != nil {
		return err
	}
	if opts.Rejects != nil {
		if err := opts.Rejects.Close(); err != nil {
			return err
		}
	}
	if o.json {
		return writeJSON(o.stdout, sums)
	}
	for _, s := range sums {
		o.printImport(s)
	}
	return nil
}

func (o *importOptions) printImport(s importer.Summary) {
	if s.AlreadyImported {
		o.summaryf("%s: already imported into base %q; nothing changed\n", s.File, s.Base)
		return
	}
	verb := "imported into"
	if s.DryRun {
		verb = "would be imported into (dry run)"
	}
	o.summaryf("%s: %s base %q (%s)\n", s.File, verb, s.Base, s.Format)
	o.summaryf("  rows       %d, %d with a number (%s)\n", s.Rows, s.RowsWithNumber, percent(s.RowsWithNumber, s.Rows))
	o.summaryf("  numbers    %d found: %d unique, %d new, %d already known, %d duplicates within the file\n",
		s.Numbers, s.Unique, s.New, s.Known, s.FileDuplicates)
	o.summaryf("  rejects    %s\n", byReason(s.Rejects))
	o.printSkips(s.TitleRows, s.SkippedSheets)
	if s.Suppressed > 0 {
		o.summaryf("  suppressed %d numbers in rows of people who asked to be forgotten: not stored\n", s.Suppressed)
	}
	if s.Unallocated > 0 {
		o.summaryf("  dead       %d unallocated (never issued), kept as dead\n", s.Unallocated)
	}
	o.summaryf("  zones      %s\n", top(s.ByZone, 5))
	o.summaryf("  regions    %s\n", top(s.ByRegion, 5))
}
