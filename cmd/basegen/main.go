// Command basegen writes a realistic dirty base of Russian phone numbers
// (internal/gen), CSV or XLSX, deterministic by seed:
//
//	basegen -rows 1000000 -seed 1 -o base1.csv
//	basegen -rows 1000000 -seed 1 -format xlsx -o base1.xlsx
//	basegen -rows 1000000 -seed 2 -overlap-seed 1 -o base2.csv   # half of its numbers are base1's
//	basegen -rows 1000 -encoding cp1251 -crlf -o - | head
//
// -overlap-seed S takes a share (-overlap, 0.5 when not given) of the new
// numbers from the number sequence of seed S: with the same -rows or fewer,
// the second base shares about that share of its numbers with the base of
// seed S. What the base holds goes to stderr.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/callbase/callbase/internal/gen"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "basegen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("basegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		opts  gen.Options
		out   string
		delim string
		quiet bool
	)
	fs.IntVar(&opts.Rows, "rows", 1000, "data rows, the header not counted")
	fs.Uint64Var(&opts.Seed, "seed", 1, "seed: the same seed and flags give the same bytes")
	fs.StringVar(&opts.Format, "format", "", "csv or xlsx (default: from the -o extension, else csv)")
	fs.StringVar(&opts.Encoding, "encoding", "", "CSV encoding: utf-8, utf-8-bom or cp1251 (default utf-8)")
	fs.StringVar(&delim, "delimiter", ";", "CSV delimiter: ; , tab or |")
	fs.BoolVar(&opts.CRLF, "crlf", false, "CSV lines end with CRLF, as Excel writes them")
	fs.Uint64Var(&opts.OverlapSeed, "overlap-seed", 0, "take a share of the new numbers from the sequence of this seed")
	fs.Float64Var(&opts.Overlap, "overlap", 0, "the share for -overlap-seed, 0..1 (default 0.5 with -overlap-seed)")
	fs.StringVar(&out, "o", "-", "output file, - for stdout")
	fs.BoolVar(&quiet, "q", false, "no summary on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["overlap-seed"] && !set["overlap"] {
		opts.Overlap = 0.5
	}
	if set["overlap"] && opts.Overlap > 0 && !set["overlap-seed"] {
		return fmt.Errorf("-overlap needs -overlap-seed")
	}
	switch delim {
	case "tab", `\t`:
		delim = "\t"
	}
	if r := []rune(delim); len(r) == 1 {
		opts.Delimiter = r[0]
	} else {
		return fmt.Errorf("-delimiter %q: want one of ; , tab |", delim)
	}
	if opts.Format == "" && filepath.Ext(out) == ".xlsx" {
		opts.Format = "xlsx"
	}

	var w io.Writer = stdout
	var f *os.File
	if out != "-" {
		var err error
		if f, err = os.Create(out); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	st, err := gen.Write(bw, opts)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && f != nil {
		err = f.Close()
	}
	if err != nil {
		if f != nil {
			os.Remove(out)
		}
		return err
	}
	if !quiet {
		from := ""
		if opts.Overlap > 0 {
			from = fmt.Sprintf(", %d of them from seed %d", st.FromOverlap, opts.OverlapSeed)
		}
		fmt.Fprintf(stderr, "%s: %d rows, %d bytes; %d numbers, %d new%s; %d repeats, %d multi-number cells, %d garbage cells, %d lost floats; new: %d landline, %d 8-800, %d foreign, %d unallocated\n",
			out, st.Rows, st.Bytes, st.Numbers, st.New, from, st.Repeats, st.MultiCells, st.Garbage, st.Lost,
			st.Landline, st.TollFree, st.Foreign, st.Unallocated)
	}
	return nil
}
