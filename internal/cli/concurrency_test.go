package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/callbase/callbase/internal/gen"
)

// buildCallbase builds the binary, for tests that run it as separate
// processes.
func buildCallbase(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "callbase")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/callbase")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestConcurrentExportsAndReleases: two releases, four exports, an import
// and a calls import run at once as separate processes on one database:
// all succeed, waiting for each other, one release releases, the import
// and the call log land whole, and no number is on two lists.
func TestConcurrentExportsAndReleases(t *testing.T) {
	bin := buildCallbase(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "callbase.db")
	var base bytes.Buffer
	if _, err := gen.Write(&base, gen.Options{Rows: 400, Seed: 7, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	basePath := filepath.Join(dir, "base.csv")
	os.WriteFile(basePath, base.Bytes(), 0o600)
	mustRun(t, db, "--now", "2026-11-01T06:00:00Z", "import", basePath, "--base", "a")
	mustRun(t, db, "--now", "2026-11-01T06:00:00Z", "import", basePath, "--base", "b", "--temperature", "warm")
	mustRun(t, db, "--now", "2026-11-01T07:00:00Z", "base", "rest", "b")

	now := "2026-12-01T08:00:00Z" // b's rest is over
	type run struct {
		args []string
		out  []byte
		err  error
	}
	var runs []*run
	for i := range 4 {
		runs = append(runs, &run{args: []string{"--db", db, "--now", now, "-q", "export", "--limit", "60", "-o", filepath.Join(dir, fmt.Sprintf("list%d.csv", i))}})
	}
	for range 2 {
		runs = append(runs, &run{args: []string{"--db", db, "--now", now, "--json", "release"}})
	}
	var other bytes.Buffer
	if _, err := gen.Write(&other, gen.Options{Rows: 3000, Seed: 8, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	otherPath := filepath.Join(dir, "other.csv")
	os.WriteFile(otherPath, other.Bytes(), 0o600)
	runs = append(runs, &run{args: []string{"--db", db, "--now", now, "-q", "import", otherPath, "--base", "c"}})
	var log bytes.Buffer
	log.WriteString("Телефон;Время;Результат\n")
	const calls = 300
	for i := range calls {
		fmt.Fprintf(&log, "+7916%07d;30.11.2026 10:%02d;%s\n", 1000+i, i%60, []string{"Недозвон", "Отказ", "Перезвонить"}[i%3])
	}
	logPath := filepath.Join(dir, "log.csv")
	os.WriteFile(logPath, log.Bytes(), 0o600)
	runs = append(runs, &run{args: []string{"--db", db, "--now", now, "-q", "calls", "import", logPath}})
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Go(func() {
			cmd := exec.Command(bin, r.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			r.out, r.err = cmd.Output()
			if r.err != nil {
				r.err = fmt.Errorf("%v: %s", r.err, stderr.String())
			}
		})
	}
	wg.Wait()
	released := 0
	for _, r := range runs {
		if r.err != nil {
			t.Fatalf("callbase %v: %v", r.args, r.err)
		}
		if r.args[len(r.args)-1] == "release" {
			var rel []baseJSON
			if err := json.Unmarshal(r.out, &rel); err != nil {
				t.Fatalf("release output %q: %v", r.out, err)
			}
			released += len(rel)
		}
	}
	if released != 1 {
		t.Errorf("the two releases released %d bases, want 1", released)
	}
	seen := map[string]string{}
	total := 0
	for i := range 4 {
		f, err := os.Open(filepath.Join(dir, fmt.Sprintf("list%d.csv", i)))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			total++
			if prev, dup := seen[rec[1]]; dup {
				t.Errorf("%s is on list%d and %s", rec[1], i, prev)
			}
			seen[rec[1]] = fmt.Sprintf("list%d", i)
		}
	}
	if total != 240 {
		t.Errorf("the four lists hold %d numbers, want 4 x 60", total)
	}
	state := stateOf(t, db)
	if n := len(section(state, "calls")); n != calls {
		t.Errorf("the database holds %d calls, want the log's %d", n, calls)
	}
	// Base c holds as many numbers as when imported alone.
	alone := filepath.Join(dir, "alone.db")
	mustRun(t, alone, "--now", now, "import", otherPath, "--base", "c")
	if got, want := baseNumbers(t, db)["c"], baseNumbers(t, alone)["c"]; got != want || want == 0 {
		t.Errorf("after the concurrent import base c holds %d numbers, imported alone %d", got, want)
	}
}

// baseNumbers is base list's count of numbers by base.
func baseNumbers(t *testing.T, db string) map[string]int {
	t.Helper()
	var bases []baseJSON
	if err := json.Unmarshal([]byte(mustRun(t, db, "--json", "base", "list").stdout), &bases); err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, b := range bases {
		n[b.Name] = b.Numbers
	}
	return n
}

// section is the rows of one table in a dump.
func section(dump, table string) []string {
	_, rest, ok := strings.Cut(dump, "== "+table+"\n")
	if !ok {
		return nil
	}
	rest, _, _ = strings.Cut(rest, "== ")
	return strings.Fields(strings.ReplaceAll(rest, " ", "_"))
}
