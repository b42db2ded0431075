package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkBig runs whole commands on a copy of a big database, made by
// `callbase import big.csv --base big` (issue 4: 5M numbers), named by
// $CALLBASE_BIG_DB; skipped without it. Profile with -cpuprofile:
//
//	CALLBASE_BIG_DB=/tmp/big.db go test ./internal/cli -run '^$' -bench Big -benchtime 3x -cpuprofile cpu.out
//
// Each iteration works on a fresh copy (copied outside the timer); the
// "again" cases time the second of two exports, which skips the leased
// numbers of the first.
func BenchmarkBig(b *testing.B) {
	src := os.Getenv("CALLBASE_BIG_DB")
	if src == "" {
		b.Skip("CALLBASE_BIG_DB is not set")
	}
	const now = "2026-11-02T09:00:00Z"
	export := []string{"--now", now, "export", "-o", "", "--limit", "100000"}
	cases := []struct {
		name   string
		before [][]string // run untimed first
		args   []string
	}{
		{"export", nil, export},
		{"export-again", [][]string{export}, export},
		{"base-list", nil, []string{"--now", now, "base", "list"}},
		{"stats", nil, []string{"--now", now, "stats"}},
		{"why", nil, []string{"--now", now, "why", "+79161234567"}},
		{"release", nil, []string{"--now", now, "release"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			db := filepath.Join(dir, "big.db")
			for b.Loop() {
				b.StopTimer()
				copyFile(b, src, db)
				for _, args := range c.before {
					runBig(b, db, dir, args)
				}
				b.StartTimer()
				runBig(b, db, dir, c.args)
			}
		})
	}
}

func runBig(b *testing.B, db, dir string, args []string) {
	b.Helper()
	args = append([]string{"--db", db, "-q"}, args...)
	for i, a := range args {
		if a == "" && i > 0 && args[i-1] == "-o" {
			args[i] = filepath.Join(dir, "list.csv")
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		getenv: func(string) string { return "" }, clock: time.Now})
	if code != 0 {
		b.Fatalf("callbase %v: exit %d: %s", args, code, stderr.String())
	}
}

func copyFile(b *testing.B, src, dst string) {
	b.Helper()
	os.Remove(dst + "-wal")
	os.Remove(dst + "-shm")
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}
