package cli

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callbase/callbase/internal/gen"
	"github.com/callbase/callbase/internal/store"
)

// stateOf is the database's content as text, after checking its integrity
// and the references the schema does not declare.
func stateOf(t *testing.T, db string) string {
	t.Helper()
	st, err := store.OpenExisting(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Check(context.Background()); err != nil {
		t.Fatalf("after a kill: %v", err)
	}
	var b strings.Builder
	if err := st.Dump(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
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

// TestKilledCommands kills commands that write (import, calls import,
// release, forget) with SIGKILL at random points, many times: each time
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
	steps := []struct {
		name string
		args []string
	}{
		{"import", []string{"--now", "2026-11-01T06:00:00Z", "import", basePath, "--base", "a"}},
		{"calls import", []string{"--now", "2026-11-29T06:00:00Z", "calls", "import", logPath}},
		{"base rest", []string{"--now", "2026-11-29T07:00:00Z", "base", "rest", "a"}},
		{"release", []string{"--now", "2026-12-30T07:00:00Z", "release"}},
		{"forget", []string{"--now", "2026-12-30T08:00:00Z", "forget", "+79160000037", "+79160000074"}},
	}
	before := empty
	for i, step := range steps {
		after := filepath.Join(dir, fmt.Sprintf("after%d.db", i))
		copyDB(t, before, after)
		mustRun(t, after, step.args...)
		want, was := stateOf(t, after), stateOf(t, before)
		if want == was && step.name != "release" {
			t.Fatalf("%s changed nothing: the test would prove nothing", step.name)
		}
		// How long the command runs, to kill it anywhere in that time.
		work := filepath.Join(dir, "work.db")
		copyDB(t, before, work)
		t0 := time.Now()
		if out, err := exec.Command(bin, append([]string{"--db", work, "-q"}, step.args...)...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", step.name, err, out)
		}
		took := time.Since(t0)
		killed := 0
		for seed := range uint64(6) {
			os.Remove(work + "-wal")
			os.Remove(work + "-shm")
			copyDB(t, before, work)
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			cmd := exec.Command(bin, append([]string{"--db", work, "-q"}, step.args...)...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(rng.Int64N(int64(took) + 1)))
			cmd.Process.Signal(syscall.SIGKILL)
			if err := cmd.Wait(); err != nil {
				killed++
			}
			got := stateOf(t, work)
			if got != was && got != want {
				t.Fatalf("%s killed (seed %d): the database holds part of the command's work", step.name, seed)
			}
			// Running it again completes it.
			mustRun(t, work, step.args...)
			if got := stateOf(t, work); got != want {
				t.Fatalf("%s killed (seed %d) and run again: the state differs from an uninterrupted run", step.name, seed)
			}
		}
		t.Logf("%s: %d of 6 runs killed before they ended (a run takes %v)", step.name, killed, took.Round(time.Millisecond))
		before = after
	}
}
