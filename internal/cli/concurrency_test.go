package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// TestConcurrentExportsAndReleases: two releases and four exports run at
// once as separate processes on one database: all succeed, waiting for
// each other, one release releases, and no number is on two lists.
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
}
