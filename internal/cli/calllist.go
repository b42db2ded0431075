package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/calllist"
	"github.com/callbase/callbase/internal/export"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/phone"
	"github.com/callbase/callbase/internal/policy"
	"github.com/callbase/callbase/internal/store"
)

type exportOptions struct {
	out, window, unknownZone, requireConsent, lease, tz, agents string
	temperatures                                                []string
	filter                                                      calllist.Filter
	excelCSV, dryRun                                            bool
}

func newExportCmd(g *globals) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export -o FILE",
		Short: "Write today's call list, dealt among agents, and hold its numbers for it",
		Long: `export writes the numbers callable at --now (see callbase why) as CSV or XLSX (by the
extension; - for CSV on stdout): due callbacks first (even from a resting base),
then hot, warm and cold numbers; within each, fewer attempts this cycle first,
then the longest since the last attempt, then import order. The same inputs give
the same list. Exported numbers are leased: no other list carries them until a
call result arrives or the lease ends (default: the end of the day in --tz).`,
		Example: `  callbase export -o today.xlsx --agents ivanova,petrov,sidorova --per-agent 150 --window 09:00-21:00
  callbase export -o - --base vendor-a --temperature warm,hot --limit 100 --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExport(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "the list: a .csv or .xlsx file, or - for CSV on stdout (required)")
	f.StringArrayVar(&o.filter.Bases, "base", nil, "only this base; repeatable (default: every base)")
	f.StringVar(&o.filter.Source, "source", "", "only bases of this source")
	f.StringSliceVar(&o.temperatures, "temperature", nil, "only these temperatures: cold, warm, hot, customer")
	f.StringVar(&o.filter.Type, "type", "", "only mobile or fixed numbers")
	f.StringVar(&o.filter.Region, "region-name", "", "only numbers whose region's name holds this (e.g. Москва)")
	f.IntVar(&o.filter.Limit, "limit", 0, "at most this many numbers")
	f.StringVar(&o.agents, "agents", "", "deal the list round-robin among these agents, comma-separated")
	f.IntVar(&o.filter.PerAgent, "per-agent", 0, "with --agents: at most this many numbers each")
	f.StringVar(&o.window, "window", "", "only numbers whose local time at --now lies in HH:MM-HH:MM")
	f.StringVar(&o.unknownZone, "unknown-zone", "exclude", "with --window, numbers of unknown zone: exclude or include")
	f.StringVar(&o.requireConsent, "require-consent", "", "only numbers with this consent in force: ads")
	f.StringVar(&o.lease, "lease", "", "hold the numbers this long, e.g. 8h or 2d (default: until the end of the day in --tz)")
	f.StringVar(&o.tz, "tz", "Europe/Moscow", "the zone whose day ends leases and bounds due callbacks")
	f.BoolVar(&o.excelCSV, "excel-csv", false, "CSV as Russian Excel opens it: ';'-separated UTF-8 with BOM")
	f.BoolVar(&o.dryRun, "dry-run", false, "count what the list would hold; write and lease nothing")
	return cmd
}

// request turns the flags into the rules' request.
func (o *exportOptions) request(now time.Time) (policy.Request, time.Time, error) {
	zone, err := zoneFlag(o.tz)
	if err != nil {
		return policy.Request{}, time.Time{}, err
	}
	local := now.In(zone)
	endOfDay := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, zone)
	r := policy.Request{Now: now, DueBy: endOfDay, RequireConsent: o.requireConsent}
	switch o.requireConsent {
	case "", "ads", "pd":
	default:
		return r, endOfDay, callbase.Usagef("--require-consent %q: want ads (advertising calls) or pd (personal data)", o.requireConsent)
	}
	if o.window != "" {
		if r.Window, err = policy.ParseWindow(o.window); err != nil {
			return r, endOfDay, callbase.Usagef("--window: %v", err)
		}
	}
	switch o.unknownZone {
	case "exclude":
	case "include":
		r.UnknownZone = true
	default:
		return r, endOfDay, callbase.Usagef("--unknown-zone %q: want exclude or include", o.unknownZone)
	}
	until := endOfDay
	if o.lease != "" {
		d, err := leaseDuration(o.lease)
		if err != nil {
			return r, until, err
		}
		until = now.Add(d)
	}
	return r, until, nil
}

// leaseDuration reads 8h, 90m or 2d.
func leaseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 && n <= 366 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, callbase.Usagef("--lease %q: want a duration such as 8h, 90m or 2d", s)
}

func (o *exportOptions) check() error {
	if o.out == "" && !o.dryRun {
		return callbase.Usagef("export needs -o FILE\nTry: callbase export -o today.xlsx, or -o - for CSV on stdout")
	}
	if o.out != "" && o.out != "-" {
		if _, err := export.FormatOf(o.out); err != nil {
			return err
		}
	}
	for _, t := range o.temperatures {
		switch t {
		case "cold", "warm", "hot", "customer":
		default:
			return callbase.Usagef("--temperature %q: want cold, warm, hot or customer", t)
		}
	}
	o.filter.Temperature = o.temperatures
	switch o.filter.Type {
	case "", "mobile", "fixed":
	default:
		return callbase.Usagef("--type %q: want mobile or fixed", o.filter.Type)
	}
	if o.agents != "" {
		for _, a := range strings.Split(o.agents, ",") {
			if a = strings.TrimSpace(a); a != "" {
				if slices.Contains(o.filter.Agents, a) {
					return callbase.Usagef("--agents names %q twice", a)
				}
				o.filter.Agents = append(o.filter.Agents, a)
			}
		}
	}
	if o.out != "" && o.out != "-" {
		if fi, err := os.Stat(o.out); err == nil && fi.IsDir() {
			return callbase.Usagef("-o %s is a directory\nTry: -o %s", o.out, filepath.Join(o.out, "calls.xlsx"))
		}
	}
	if o.filter.PerAgent < 0 || o.filter.Limit < 0 {
		return callbase.Usagef("--limit and --per-agent cannot be negative")
	}
	if o.filter.PerAgent > 0 && len(o.filter.Agents) == 0 {
		return callbase.Usagef("--per-agent goes with --agents")
	}
	return nil
}

// exportSummary is what export reports.
type exportSummary struct {
	File    string         `json:"file"`
	Numbers int            `json:"numbers"`
	DryRun  bool           `json:"dry_run"`
	ByAgent map[string]int `json:"by_agent"`
	ByClass map[string]int `json:"by_class"` // callback, hot, warm, cold
	Until   string         `json:"lease_until,omitempty"`
}

var classNames = []string{"callback", "hot", "warm", "cold"}

func runExport(ctx context.Context, g *globals, o *exportOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	r, until, err := o.request(g.now)
	if err != nil {
		return err
	}
	filters := o.requestJSON()
	// A list holds its numbers' facts and rows in memory, a few hundred
	// bytes each, nearly all live until it is written: at the default pace
	// the collector ran some six times over a list of 100,000 as the heap
	// doubled, marking it again each time (0.3-0.5 s of CPU of big.db's
	// export). A bounded list allocates little more than it keeps, so
	// collecting less often costs little memory; an unbounded one keeps
	// the default pace.
	if o.filter.Limit > 0 || (o.filter.PerAgent > 0 && len(o.filter.Agents) > 0) {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	var (
		table *export.Table
		path  string // the list's absolute path; "" for stdout
	)
	if !o.dryRun {
		if o.out != "-" {
			if path, err = filepath.Abs(o.out); err != nil {
				return err
			}
		}
		if err := undoInterrupted(ctx, g, o.out); err != nil {
			return err
		}
		if table, err = export.Create(o.out, g.stdout); err != nil {
			return err
		}
		defer table.Abort()
	}
	sum := exportSummary{File: o.out, DryRun: o.dryRun, ByAgent: map[string]int{}, ByClass: map[string]int{}}
	if !o.dryRun {
		sum.Until = optTime(until)
	}
	var exportID int64
	err = g.inTx(ctx, func(tx *store.Tx, _ *locate.Locator) error {
		if err := calllist.Rules(ctx, tx, &r); err != nil {
			return err
		}
		list, err := calllist.Build(ctx, tx, o.filter, r)
		if err != nil {
			return err
		}
		sum.Numbers = len(list)
		for _, e := range list {
			sum.ByClass[classNames[e.Class]]++
			if e.Agent != "" {
				sum.ByAgent[e.Agent]++
			}
		}
		if o.dryRun {
			return errDryRun
		}
		// The file is written on the other cores while the database work
		// goes on: the writer formats the rows while the leases are
		// written.
		rowsRead := make(chan listRows, 1)
		written := make(chan error, 1)
		go func() { written <- writeList(g, table, list, rowsRead, o.excelCSV) }()
		cands := make([]*store.Candidate, len(list))
		for i, e := range list {
			cands[i] = e.Candidate
		}
		var lr listRows
		lr.rows, lr.err = tx.ListRows(ctx, cands)
		rowsRead <- lr
		if lr.err != nil {
			<-written
			return lr.err
		}
		leases := make([]store.Lease, len(list))
		for i, e := range list {
			leases[i] = store.Lease{Key: e.Candidate.Key, Base: e.Base.ID, Agent: e.Agent}
		}
		exportID, err = tx.RecordExport(ctx, g.now, until, filepath.Base(o.out), g.actor(), filters, leases)
		if werr := <-written; err == nil {
			err = werr
		}
		if err != nil {
			return err
		}
		// Should the command die between this commit and the rename, the
		// next export finds the list waiting and undoes the export.
		if path != "" {
			if err := tx.SetPending(ctx, exportID, path, table.Temp()); err != nil {
				return err
			}
		}
		return table.Finish()
	})
	if err != nil && err != errDryRun {
		return err
	}
	if table != nil {
		// From here on the list goes into place or is undone, and either is
		// recorded whole: a Ctrl-C meanwhile no longer stops the command,
		// which would leave a list in place with its export still pending
		// (the next export would then see to it, and make its own list).
		ctx := context.WithoutCancel(ctx)
		if err := table.Close(); err != nil {
			if table.Out() {
				// Some of it reached stdout: its numbers stay held.
				return committedError{fmt.Errorf("%w; the list went out incomplete, its numbers stay leased until %s", err, sum.Until)}
			}
			// The list never reached its place: as if it had not run.
			if uerr := g.inTx(ctx, func(tx *store.Tx, _ *locate.Locator) error { return tx.UndoExport(ctx, exportID) }); uerr != nil {
				return committedError{fmt.Errorf("%w; and releasing its numbers failed too, they stay leased until %s: %v", err, sum.Until, uerr)}
			}
			return committedError{err}
		}
		if path != "" {
			// The list is in place; a later export would find that out too.
			if err := g.inTx(ctx, func(tx *store.Tx, _ *locate.Locator) error { return tx.ClearPending(ctx, exportID) }); err != nil {
				g.warnf("the list is in place, but recording that failed: %v\n", err)
			}
		}
	}
	if g.json && o.out != "-" {
		return writeJSON(g.stdout, sum)
	}
	verb := "exported"
	if o.dryRun {
		verb = "would be exported (dry run, nothing leased)"
	}
	g.summaryf("%d numbers %s: %s\n", sum.Numbers, verb, byCount(sum.ByClass))
	if len(sum.ByAgent) > 0 {
		g.summaryf("  agents     %s\n", byCount(sum.ByAgent))
	}
	if !o.dryRun {
		g.summaryf("  leased until %s\n", sum.Until)
	}
	return nil
}

// requestJSON is the request as the exports table keeps it: every flag
// that shapes the list.
func (o *exportOptions) requestJSON() string {
	b, _ := json.Marshal(struct {
		calllist.Filter
		Window         string `json:",omitempty"`
		UnknownZone    string `json:",omitempty"`
		RequireConsent string `json:",omitempty"`
		Lease          string `json:",omitempty"`
		TZ             string `json:",omitempty"`
		ExcelCSV       bool   `json:",omitempty"`
	}{o.filter, o.window, o.unknownZone, o.requireConsent, o.lease, o.tz, o.excelCSV})
	return string(b)
}

// undoInterrupted undoes the exports of commands killed between the commit
// that leased their numbers and the rename that would have put their list
// in place: the list, waiting in its temporary file, is deleted and the
// export erased with its leases, as if it had not run, so that running the
// command again makes the list afresh from what the database holds now
// (numbers forgotten or opted out meanwhile left out). A list whose file is
// gone was renamed: it went out, and its leases stay. It also removes the
// temporary files of exports to out killed before their commit.
func undoInterrupted(ctx context.Context, g *globals, out string) error {
	keep := map[string]bool{}
	err := g.inTx(ctx, func(tx *store.Tx, _ *locate.Locator) error {
		pending, err := tx.PendingExports(ctx)
		if err != nil {
			return err
		}
		for _, p := range pending {
			dropped, err := export.Drop(p.Temp)
			if err != nil {
				// Held: its command is running and will see to it.
				// Otherwise its leases hold it until they end.
				keep[p.Temp] = true
				if !errors.Is(err, export.ErrHeld) {
					g.warnf("the list of an interrupted export could not be removed: %v\n", err)
				}
				continue
			}
			if dropped {
				err = tx.UndoExport(ctx, p.ID) // the list never went out
			} else {
				err = tx.ClearPending(ctx, p.ID) // gone: renamed into place
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if out != "" {
		export.RemoveStale(out, func(temp string) bool { return keep[temp] })
	}
	return nil
}

// committedError is a failure of an export after its commit, which a
// Ctrl-C does not stop: it is told as it is, not as an interruption that
// left nothing half-written.
type committedError struct{ error }

func (e committedError) Unwrap() error { return e.error }

// errDryRun rolls a dry run's transaction back.
var errDryRun = fmt.Errorf("dry run")

// listHeader is the fixed part of a call list's header; the bases'
// original columns follow.
var listHeader = []string{"agent", "number", "readable", "base", "temperature", "region", "time_zone",
	"attempts", "last_outcome", "last_call_at", "callback_at"}

// listRows are the first rows of a list's numbers, or why they could not
// be read.
type listRows struct {
	rows *store.ListRows
	err  error
}

// writeList writes the list to its table, each number with the fields of
// its first row, which come on rowsRead once read.
func writeList(g *globals, table *export.Table, list []calllist.Entry, rowsRead <-chan listRows, excelCSV bool) error {
	lr := <-rowsRead
	if lr.err != nil {
		return lr.err
	}
	rows := lr.rows
	// The original columns: every name of the rows' headers, in the order
	// first met.
	var extra []string
	at := map[string]int{}
	for _, e := range list {
		for _, h := range rows.Header(e.Candidate.FirstRow) {
			if _, ok := at[h]; !ok {
				at[h] = len(extra)
				extra = append(extra, h)
			}
		}
	}
	header := append(append([]string{}, listHeader...), extra...)
	for i, h := range header[len(listHeader):] {
		if slices.Contains(listHeader, h) {
			header[len(listHeader)+i] = h + " (base)"
		}
	}
	if excelCSV {
		if err := table.ExcelCSV(); err != nil {
			return err
		}
	}
	table.NeutralizeFormulas()
	if err := table.Sheet("calls", header); err != nil {
		return err
	}
	lw := listWriter{list: list, region: g.region, rows: rows, at: at, width: len(header)}
	if enc, ok := table.CSVRows(); ok {
		return lw.csv(table, enc)
	}
	nz, err := phone.NewNormalizer(g.region)
	if err != nil {
		return err
	}
	row := make([]any, len(header))
	return lw.each(nz, 0, len(list), func(cells []listCell) error {
		for i, c := range cells {
			row[i] = c.value()
		}
		return table.Row(row)
	})
}

// listWriter makes the rows of a list's table.
type listWriter struct {
	list   []calllist.Entry
	region string // of the readable numbers
	rows   *store.ListRows
	at     map[string]int // the place of each original column among the extra ones
	width  int            // of the header
}

// listCell is a cell of a list's row: a string, one never neutralized
// (raw), or a number. Typed, not an any: boxing a million cells cost a
// tenth of formatting a list.
type listCell struct {
	s   string
	n   int
	raw bool
	num bool
}

func str(s string) listCell { return listCell{s: s} }

// value is the cell as Table.Row takes it.
func (c listCell) value() any {
	switch {
	case c.num:
		return c.n
	case c.raw:
		return export.Raw(c.s)
	}
	return c.s
}

// each calls fn with the cells of each entry of lw.list[from:to], in
// order; the slice passed is fn's until it returns. nz formats the
// readable numbers: a goroutine's own, as it learns the blocks of the
// numbers it meets.
func (lw *listWriter) each(nz *phone.Normalizer, from, to int, fn func(cells []listCell) error) error {
	part := lw.list[from:to]
	ids := make([]int64, len(part))
	for i, e := range part {
		ids[i] = e.Candidate.FirstRow
	}
	rows, err := lw.rows.Rows(ids)
	if err != nil {
		return err
	}
	cells := make([]listCell, lw.width)
	var places []int // of a header's columns among the cells
	var placesOf []string
	for _, e := range part {
		c := e.Candidate
		clear(cells)
		e164 := "+" + strconv.FormatUint(c.Key, 10)
		copy(cells, []listCell{str(e.Agent), {s: e164, raw: true}, str(nz.Readable(e164)), str(e.Base.Name), str(e.Temp),
			str(c.Region), str(c.Zones), {n: c.Attempts, num: true}, str(c.LastOutcome), str(optTime(c.LastCallAt)),
			str(optTime(c.State.CallbackAt))})
		// A number that reached someone else no longer speaks for its row.
		if c.State.DetachedAt.IsZero() {
			h := lw.rows.Header(c.FirstRow)
			if len(h) != len(placesOf) || (len(h) > 0 && &h[0] != &placesOf[0]) {
				// Rows of one table share its header: its columns' places
				// are looked up once a run of them.
				places, placesOf = places[:0], h
				for _, name := range h {
					places = append(places, len(listHeader)+lw.at[name])
				}
			}
			for i, f := range rows[c.FirstRow].Fields {
				if i < len(places) {
					cells[places[i]] = str(f)
				}
			}
		}
		if err := fn(cells); err != nil {
			return err
		}
	}
	return nil
}

// listPart is how many entries of a list one goroutine encodes at a time.
var listPart = 8192 // a variable for tests

// csv writes the list to a CSV table, its parts decoded and encoded on
// every core and written in order.
func (lw *listWriter) csv(table *export.Table, enc export.CSVRows) error {
	n := (len(lw.list) + listPart - 1) / listPart
	parts := make(chan int, n)
	encoded := make([]chan []byte, n)
	for i := range n {
		parts <- i
		encoded[i] = make(chan []byte, 1)
	}
	close(parts)
	var (
		failed atomic.Bool
		errs   = make(chan error, n+1) // one a part at most, and the writer's
	)
	workers := min(n, runtime.GOMAXPROCS(0))
	// At most two parts a worker ahead of the writer: on a slow disk the
	// encoded list would otherwise wait in memory, whole. A slot is taken
	// before a part, so the parts that hold slots are always the next to
	// be written, and the writer never waits for one that cannot start.
	ahead := make(chan struct{}, 2*workers)
	nzs := make([]*phone.Normalizer, workers)
	for w := range nzs {
		var err error
		if nzs[w], err = phone.NewNormalizer(lw.region); err != nil {
			return err
		}
	}
	for _, nz := range nzs {
		go func() {
			for {
				ahead <- struct{}{}
				i, ok := <-parts
				if !ok {
					<-ahead
					return
				}
				if failed.Load() {
					encoded[i] <- nil
					continue
				}
				from, to := i*listPart, min((i+1)*listPart, len(lw.list))
				// Sized for rows of about 256 bytes: growing it by doubling
				// allocated twice the list.
				b := make([]byte, 0, (to-from)*256)
				err := lw.each(nz, from, to, func(cells []listCell) error {
					for _, c := range cells {
						switch {
						case c.num:
							b = enc.Int(b, c.n)
						case c.raw:
							b = enc.Raw(b, c.s)
						default:
							b = enc.String(b, c.s)
						}
					}
					b = enc.End(b)
					return nil
				})
				if err != nil {
					failed.Store(true)
					errs <- err
					b = nil
				}
				encoded[i] <- b
			}
		}()
	}
	for i := range n {
		b := <-encoded[i]
		<-ahead
		if failed.Load() {
			continue // every part is taken: no goroutine stays behind
		}
		if err := table.Encoded(b); err != nil {
			failed.Store(true)
			errs <- err
		}
	}
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}
