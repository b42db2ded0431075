package store

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestReadAsideOnlyWhereItSeesTheSame: lookups go to a second connection
// only for a write transaction that has written nothing yet; a read-only
// transaction, or one that has written, keeps them.
func TestReadAsideOnlyWhereItSeesTheSame(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "callbase.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	aside := func(tx *Tx) bool {
		t.Helper()
		f, err := tx.Facts(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		done, err := tx.ReadAside(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		defer done()
		return len(f.asides) > 0
	}

	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !aside(tx) {
		t.Error("a write transaction that has written nothing gets no reader aside")
	}
	// Written to while the readers aside look up: done says so.
	f, err := tx.Facts(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	done, err := tx.ReadAside(ctx, f)
	if err != nil || len(f.asides) == 0 {
		t.Fatalf("no reader aside: %v", err)
	}
	if err := tx.SetSetting(ctx, "rest.days", "31"); err != nil {
		t.Fatal(err)
	}
	if err := done(); err == nil {
		t.Error("a write during the lookups aside went unnoticed")
	}
	if aside(tx) {
		t.Error("a write transaction that has written gets a reader aside, which would not see its write")
	}
	tx.Rollback()

	rtx, err := st.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rtx.Rollback()
	if aside(rtx) {
		t.Error("a read-only transaction gets a reader aside, whose snapshot may be newer")
	}
}
