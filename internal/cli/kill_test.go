package cli

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callbase/callbase/internal/gen"
	"github.com/callbase/callbase/internal/store"
)

// stateOf is the database's content as text, after checking its integrity
// and the references the schema does not declare; a failed check ends the
// test.
func stateOf(t *testing.T, db string) string {
	t.Helper()
	return checkedDump(t, db, func(err error) { t.Fatalf("after a kill: %v", err) })
}

// copyDB copies a database, with its forget key when it has one. (The
// copies are made of databases no command has open: no WAL to copy.)
func copyDB(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", ".forget-key"} {
		data, err := os.ReadFile(from + suffix)
		if suffix != "" && os.IsNotExist(err) {
			os.Remove(to + suffix)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// pendingList matches the temporary file of an export's list in a dump of
// the exports table, the last column of its row.
var pendingList = regexp.MustCompile(`\|[^|\n]*\.tmp\n`)

// TestKilledCommands kills commands that write (import, calls import,
// release, export, forget) with SIGKILL, or stops them with Ctrl-C (exit
// 130), at random points, many times: each time
// the database passes its checks and holds none or all of the command's
// work, and running the command again ends where an uninterrupted run
// ends.
func TestKilledCommands(t *testing.T) {
	bin := buildCallbase(t)
	dir := t.TempDir()
	var base bytes.Buffer
	if _, err := gen.Write(&base, gen.Options{Rows: 20000, Seed: 11, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	basePath := filepath.Join(dir, "base.csv")
	os.WriteFile(basePath, base.Bytes(), 0o600)
	logPath := filepath.Join(dir, "log.csv")
	var log strings.Builder
	log.WriteString("Телефон;Время;Результат\n")
	for i := range 1000 {
		fmt.Fprintf(&log, "+7916%07d;%02d.11.2026 10:%02d;%s\n", i*37%10000000, 1+i%28, i%60, []string{"Недозвон", "Отказ", "Перезвонить", "Занято"}[i%4])
	}
	os.WriteFile(logPath, []byte(log.String()), 0o600)

	// The states the commands go between, from uninterrupted runs.
	empty := filepath.Join(dir, "empty.db")
	mustRun(t, empty, "config", "set", "cycle.max_attempts", "6") // a database with no data yet
	// One forget key for every copy, so their forgotten hashes agree.
	os.WriteFile(store.KeyPath(empty), []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
	listPath := filepath.Join(dir, "lists", "today.csv")
	os.Mkdir(filepath.Dir(listPath), 0o700)
	steps := []struct {
		name string
		args []string
	}{
		{"import", []string{"--now", "2026-11-01T06:00:00Z", "import", basePath, "--base", "a"}},
		{"calls import", []string{"--now", "2026-11-29T06:00:00Z", "calls", "import", logPath}},
		{"base rest", []string{"--now", "2026-11-29T07:00:00Z", "base", "rest", "a"}},
		{"release", []string{"--now", "2026-12-30T07:00:00Z", "release"}},
		{"export", []string{"--now", "2026-12-30T07:30:00Z", "export", "-o", listPath, "--agents", "ivanova,petrov"}},
		{"forget", []string{"--now", "2026-12-30T08:00:00Z", "forget", "+79160000037", "+79160000074"}},
	}
	// The list an export wrote, which must be whole or absent, with no
	// temporary file left beside it once the export ran again.
	list := func() string {
		t.Helper()
		data, err := os.ReadFile(listPath)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(data)
	}
	noLeftovers := func(what string) {
		t.Helper()
		entries, err := os.ReadDir(filepath.Dir(listPath))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != filepath.Base(listPath) {
				t.Fatalf("%s: %s left beside the list", what, e.Name())
			}
		}
	}
	before := empty
	for i, step := range steps {
		after := filepath.Join(dir, fmt.Sprintf("after%d.db", i))
		copyDB(t, before, after)
		os.Remove(listPath)
		mustRun(t, after, step.args...)
		want, was, wantList := stateOf(t, after), stateOf(t, before), list()
		if want == was && step.name != "release" {
			t.Fatalf("%s changed nothing: the test would prove nothing", step.name)
		}
		if step.name == "export" && strings.Count(wantList, "\n") < 1000 {
			t.Fatalf("the export wrote %d lines: the test would prove little", strings.Count(wantList, "\n"))
		}
		// How long the command runs, to kill it anywhere in that time.
		work := filepath.Join(dir, "work.db")
		copyDB(t, before, work)
		t0 := time.Now()
		if out, err := exec.Command(bin, append([]string{"--db", work, "-q"}, step.args...)...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", step.name, err, out)
		}
		took := time.Since(t0)
		killed, none := 0, 0
		const seeds, interrupts = 9, 3
		for seed := range uint64(seeds) {
			os.Remove(work + "-wal")
			os.Remove(work + "-shm")
			os.Remove(listPath)
			copyDB(t, before, work)
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			cmd := exec.Command(bin, append([]string{"--db", work}, step.args...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Stratified over the run and a little past it, so that some
			// kills land near the commit and the renames after it. The
			// last seeds press Ctrl-C instead.
			sig, n, k := syscall.SIGKILL, seeds-interrupts, seed
			if seed >= seeds-interrupts {
				sig, n, k = syscall.SIGINT, interrupts, seed-(seeds-interrupts)
			}
			at := (float64(k) + rng.Float64()) / float64(n) * 1.1
			time.Sleep(time.Duration(at * float64(took)))
			cmd.Process.Signal(sig)
			if err := cmd.Wait(); err != nil {
				killed++
				// (-1: the signal came before the handler was set up, in
				// the first milliseconds, and killed the process.)
				if code := cmd.ProcessState.ExitCode(); sig == syscall.SIGINT && code != ExitInterrupted && code != -1 {
					t.Fatalf("%s interrupted (seed %d): exit %d, want %d\n%s", step.name, seed, code, ExitInterrupted, stderr.String())
				}
			}
			// An export killed after its commit still has its list to put
			// in place: otherwise it holds all of its work.
			raw := stateOf(t, work)
			got := pendingList.ReplaceAllString(raw, "|\n")
			if got != was && got != want {
				t.Fatalf("%s killed (seed %d): the database holds part of the command's work", step.name, seed)
			}
			if got == was && want != was {
				none++
			}
			if l := list(); l != "" && l != wantList {
				t.Fatalf("%s killed (seed %d): a list differing from an uninterrupted run's is in place", step.name, seed)
			}
			if step.name == "export" && got == want && list() != "" {
				// The export ended, or was killed once its list was in
				// place and before it recorded so (the next export
				// clears that record and keeps the leases): running it
				// again would be a second list, of the numbers the first
				// left.
				if list() != wantList {
					t.Fatalf("export ended (seed %d) with a list differing from an uninterrupted run's", seed)
				}
				noLeftovers(fmt.Sprintf("export ended (seed %d)", seed))
				continue
			}
			// Running it again completes it.
			mustRun(t, work, step.args...)
			if got := stateOf(t, work); got != want {
				t.Fatalf("%s killed (seed %d) and run again: the state differs from an uninterrupted run", step.name, seed)
			}
			if list() != wantList {
				t.Fatalf("%s killed (seed %d) and run again: the list differs from an uninterrupted run's", step.name, seed)
			}
			noLeftovers(fmt.Sprintf("%s killed (seed %d) and run again", step.name, seed))
		}
		t.Logf("%s: %d of %d runs killed before they ended, %d of them before their commit (a run takes %v)", step.name, killed, seeds, none, took.Round(time.Millisecond))
		before = after
	}
}

// TestExportKilledAfterCommit puts an export in the state a kill between
// its commit and its rename leaves (numbers leased, list in a temporary
// file), which random kills rarely hit. Running the export again undoes
// the killed one and makes the list afresh: the same list when nothing
// changed meanwhile; without a number forgotten meanwhile (forget itself
// deletes the waiting list). A temporary file of an export killed before
// its commit is removed too.
func TestExportKilledAfterCommit(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "callbase.db")
	mustRun(t, db, "--now", "2026-11-02T06:00:00Z", "import", filepath.Join("..", "..", "testdata", "cli", "vendor-a.csv"), "--base", "a")
	clean := filepath.Join(dir, "clean.db")
	copyDB(t, db, clean)

	list := filepath.Join(dir, "today.csv")
	args := []string{"--now", "2026-11-02T09:00:00Z", "export", "-o", list, "--limit", "3"}
	mustRun(t, db, args...)
	want, wantList := stateOf(t, db), readFile(t, list)

	// kill runs the export on a copy of the clean database and puts it
	// back in the state a kill after the commit leaves.
	killed := filepath.Join(dir, "killed.db")
	temp := filepath.Join(dir, ".today.csv.4242.tmp")
	kill := func() {
		t.Helper()
		copyDB(t, clean, killed)
		os.Remove(list)
		mustRun(t, killed, args...)
		if err := os.Rename(list, temp); err != nil {
			t.Fatal(err)
		}
		setPending(t, killed, list, temp)
	}
	gone := func(files ...string) {
		t.Helper()
		for _, f := range files {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("%s is left: %v", filepath.Base(f), err)
			}
		}
	}

	kill()
	stale := filepath.Join(dir, ".today.csv.99.tmp") // killed before its commit
	os.WriteFile(stale, []byte("agent,number\n"), 0o600)
	r := mustRun(t, killed, args...)
	if !strings.Contains(r.stderr, "3 numbers exported") {
		t.Errorf("the run after the kill says:\n%s", r.stderr)
	}
	if got := stateOf(t, killed); got != want {
		t.Errorf("after the run after the kill, the database differs from an uninterrupted run's")
	}
	if got := readFile(t, list); got != wantList {
		t.Errorf("after the run after the kill, the list is\n%s\nwant\n%s", got, wantList)
	}
	gone(temp, stale)

	// Killed once its list was in place, before it recorded so: the list
	// went out, so the next export keeps its leases and lists other
	// numbers.
	two := []string{"--now", "2026-11-02T09:00:00Z", "export", "-o", list, "--limit", "2"}
	copyDB(t, clean, killed)
	os.Remove(list)
	mustRun(t, killed, two...)
	first := readFile(t, list)
	setPending(t, killed, list, temp) // temp is gone: renamed into place
	mustRun(t, killed, two...)
	second := readFile(t, list)
	firstRows, secondRows := strings.Split(strings.TrimSpace(first), "\n")[1:], strings.Split(strings.TrimSpace(second), "\n")[1:]
	if len(firstRows) != 2 || len(secondRows) == 0 {
		t.Fatalf("lists of %d and %d numbers: the test would prove little", len(firstRows), len(secondRows))
	}
	for _, row := range secondRows {
		number := strings.Split(row, ",")[1]
		if strings.Contains(first, ","+number+",") {
			t.Errorf("%s is on both lists: the leases of the list in place were dropped", number)
		}
	}

	// Killed, then a number of the list forgotten: forget deletes the
	// waiting list, and the next list goes without the number.
	kill()
	mustRun(t, killed, "--now", "2026-11-02T09:30:00Z", "forget", "+79161234567")
	gone(temp)
	mustRun(t, killed, "--now", "2026-11-02T10:00:00Z", "export", "-o", list, "--limit", "3")
	if got := readFile(t, list); strings.Contains(got, "79161234567") || strings.Contains(got, "Иван") {
		t.Errorf("a forgotten person is on the list made after the kill:\n%s", got)
	}
}

// setPending records the last export's list as waiting in temp.
func setPending(t *testing.T, db, path, temp string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenExisting(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	pending, err := tx.PendingExports(ctx)
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending exports after a whole run: %v, %v", pending, err)
	}
	if err := tx.SetPending(ctx, 1, path, temp); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
