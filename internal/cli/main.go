// Package cli is callbase's command line: flags in, options structs out,
// calls into the packages that do the work.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/phone"
	"github.com/callbase/callbase/internal/when"
)

// Exit statuses, listed in the help.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

const exitStatusHelp = `
Exit status:
  0    done
  1    failed; nothing was half-written
  2    wrong usage, or an input file that cannot be read (named in the message)
  130  interrupted; nothing was half-written`

// env is what a command gets from outside: its writers, its environment
// and the clock. Tests fill it with buffers, a map and a fixed time.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	clock          func() time.Time
	terminal       bool // stderr is a terminal: progress bars are welcome
}

// globals are the flags every command takes.
type globals struct {
	env
	db     string
	nowArg string
	now    time.Time
	region string
	json   bool
	quiet  bool
}

// Main runs callbase with args and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return run(ctx, args, env{
		stdin: stdin, stdout: stdout, stderr: stderr,
		getenv: os.Getenv, clock: time.Now, terminal: isTerminal(stderr),
	})
}

func run(ctx context.Context, args []string, e env) int {
	g := &globals{env: e}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	started := false
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		started = true
		return g.resolve()
	}
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return ExitOK
	case interrupted(ctx, err):
		fmt.Fprintln(e.stderr, "callbase: interrupted; nothing was half-written")
		return ExitInterrupted
	}
	fmt.Fprintf(e.stderr, "callbase: %v\n", err)
	switch {
	case !started, errors.Is(err, callbase.ErrUsage), errors.Is(err, callbase.ErrInput):
		// Errors before a command starts come from cobra's own checks of
		// flags and arguments: wrong usage.
		return ExitUsage
	}
	return ExitFailed
}

// interrupted tells a command's failure that came of a Ctrl-C from one
// that only happened after it, in work a Ctrl-C does not stop.
func interrupted(ctx context.Context, err error) bool {
	var ce committedError
	return ctx.Err() != nil && !errors.As(err, &ce)
}

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "callbase",
		Short: "Keep telephone-sales calling bases clean",
		Long: `callbase imports calling bases (CSV, XLSX), normalizes and dedupes their
numbers, and keeps what is known about every number in one SQLite file.` + "\n" + exitStatusHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	f := root.PersistentFlags()
	f.StringVar(&g.db, "db", "", "database file (default $CALLBASE_DB, else ./callbase.db)")
	f.StringVar(&g.nowArg, "now", "", "the instant to act at: RFC 3339 or YYYY-MM-DD[THH:MM] (default $CALLBASE_NOW, else the clock)")
	f.StringVar(&g.region, "region", "RU", "region of numbers written without a country code")
	f.BoolVar(&g.json, "json", false, "machine-readable output on stdout")
	f.BoolVarP(&g.quiet, "quiet", "q", false, "no progress or summary on stderr")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return fmt.Errorf("%w: %v", callbase.ErrUsage, err)
	})
	root.AddCommand(
		newImportCmd(g),
		newCleanCmd(g),
		newStatsCmd(g),
		newNumplanCmd(g),
		newCallsCmd(g),
		newHistoryCmd(g),
		newConfigCmd(g),
		newOptoutCmd(g),
		newDeadCmd(g),
		newConsentCmd(g),
		newForgetCmd(g),
		newBaseCmd(g),
		newReleaseCmd(g),
		newExportCmd(g),
		newWhyCmd(g),
	)
	return root
}

// resolve fills the settings from flag, then environment, then default.
// A bad value is an error, never a silent fallback.
func (g *globals) resolve() error {
	if g.db == "" {
		g.db = g.getenv("CALLBASE_DB")
	}
	if g.db == "" {
		g.db = "callbase.db"
	}
	if g.nowArg == "" {
		g.nowArg = g.getenv("CALLBASE_NOW")
	}
	g.now = g.clock()
	if g.nowArg != "" {
		t, err := parseNow(g.nowArg)
		if err != nil {
			return err
		}
		g.now = t
	}
	g.region = strings.ToUpper(g.region)
	if _, err := phone.NewNormalizer(g.region); err != nil {
		return callbase.Usagef("--region %q: not a region code\nTry: --region RU, or another ISO 3166 code such as KZ or BY", g.region)
	}
	return nil
}

// parseNow reads --now: RFC 3339, or a date with an optional time in the
// local zone.
func parseNow(s string) (time.Time, error) {
	t, err := when.Parse(s, time.Local)
	if err != nil {
		return t, callbase.Usagef("--now %q: not a time\nTry: 2026-11-27, 2026-11-27T09:30 or 2026-11-27T09:30:00+03:00", s)
	}
	return t, nil
}

// progress returns a callback drawing a progress bar on stderr when it is a
// terminal and -q is not given, and a function to finish it.
func (g *globals) progress(what string) (func(done, total int64), func()) {
	if !g.terminal || g.quiet {
		return nil, func() {}
	}
	return newProgressBar(g.stderr, what)
}

// summaryf prints a line of the human summary on stderr unless -q.
func (g *globals) summaryf(format string, args ...any) {
	if !g.quiet {
		fmt.Fprintf(g.stderr, format, args...)
	}
}

// usageArgs is cobra.MinimumNArgs with a usage error.
func usageArgs(min int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min {
			return callbase.Usagef("%s needs %s\nTry: %s", cmd.CommandPath(), what, cmd.UseLine())
		}
		return nil
	}
}

// warnf prints a warning on stderr unless -q. Warnings name files, rows
// and columns, never a person's data.
func (g *globals) warnf(format string, args ...any) {
	if !g.quiet {
		fmt.Fprintf(g.stderr, "callbase: warning: "+format, args...)
	}
}
