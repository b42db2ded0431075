package lifecycle

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbase/callbase/internal/store"
)

// TestRecordKeepsCallbackOfClockTime: a call stamped by the clock, with
// nanoseconds, keeps its promised callback (the store keeps seconds).
func TestRecordKeepsCallbackOfClockTime(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "callbase.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	n := store.Number{Key: 79161234567, Type: "mobile", Country: "RU"}
	at := time.Date(2026, 11, 27, 9, 30, 15, 123456789, time.UTC)
	due := time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)
	if _, err := Record(ctx, tx, n, store.Call{At: at, Outcome: "callback", CallbackAt: due, Source: "test"}, rules); err != nil {
		t.Fatal(err)
	}
	s, _, err := tx.State(ctx, n.Key)
	if err != nil {
		t.Fatal(err)
	}
	if !s.CallbackAt.Equal(due) {
		t.Errorf("callback %v, want %v", s.CallbackAt, due)
	}
	if _, err := Record(ctx, tx, n, store.Call{At: at.Add(time.Hour), Outcome: "no_answer", Source: "test"}, rules); err != nil {
		t.Fatal(err)
	}
	if s, _, _ = tx.State(ctx, n.Key); !s.CallbackAt.IsZero() {
		t.Errorf("a later call left the callback at %v", s.CallbackAt)
	}
}
