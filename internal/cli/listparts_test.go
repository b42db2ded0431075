package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestListInParts: a list encoded in many small parts, more than the
// encoders may hold ahead of the writer, comes out as one encoded whole.
func TestListInParts(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "callbase.db")
	mustRun(t, db, "--now", "2026-11-02T06:00:00Z", "import", filepath.Join("..", "..", "testdata", "sample", "base.csv"), "--base", "sample")
	export := func(part int) string {
		t.Helper()
		defer func(p int) { listPart = p }(listPart)
		listPart = part
		copyDB(t, db, filepath.Join(dir, "copy.db"))
		out := filepath.Join(dir, "list.csv")
		mustRun(t, filepath.Join(dir, "copy.db"), "--now", "2026-11-02T09:00:00Z", "export", "-o", out, "--agents", "ivanova,petrov")
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	whole := export(listPart)
	if n := strings.Count(whole, "\n"); n < 20 {
		t.Fatalf("a list of %d lines: the test would prove little", n)
	}
	for _, part := range []int{1, 3} {
		if got := export(part); got != whole {
			t.Errorf("encoded in parts of %d, the list differs:\n%s\nwant\n%s", part, got, whole)
		}
	}
}

// TestInterrupted: after a Ctrl-C, a failure is told as an interruption
// unless it came of work the Ctrl-C did not stop.
func TestInterrupted(t *testing.T) {
	live, cancelled := context.Background(), func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}()
	late := committedError{errors.New("write list: no space left on device")}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"failure without Ctrl-C", live, errors.New("disk full"), false},
		{"failure after Ctrl-C", cancelled, context.Canceled, true},
		{"other failure after Ctrl-C", cancelled, errors.New("interrupted (9)"), true},
		{"failure after the commit, after Ctrl-C", cancelled, late, false},
		{"wrapped failure after the commit", cancelled, fmt.Errorf("export: %w", late), false},
	} {
		if got := interrupted(tc.ctx, tc.err); got != tc.want {
			t.Errorf("%s: interrupted = %v, want %v", tc.name, got, tc.want)
		}
	}
}
