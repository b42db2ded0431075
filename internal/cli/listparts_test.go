package cli

import (
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
