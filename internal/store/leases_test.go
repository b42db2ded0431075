package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestLeasesHeldToTheirNumbers: leases declare no foreign key to numbers
// (0006), so Check holds them to it; a second lease of a live one still
// fails.
func TestLeasesHeldToTheirNumbers(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	importOne(t, st, "a", "h1", 79161234567, 79031234567)
	base := func(tx *Tx) int64 {
		bs, err := tx.Bases(ctx)
		if err != nil || len(bs) != 1 {
			t.Fatalf("bases %v: %v", bs, err)
		}
		return bs[0].ID
	}
	lease := func(keys ...uint64) error {
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var ls []Lease
		for _, k := range keys {
			ls = append(ls, Lease{Key: k, Base: base(tx), Agent: "a"})
		}
		if _, err := tx.RecordExport(ctx, at, at.Add(time.Hour), "l.csv", "t", "{}", ls); err != nil {
			return err
		}
		return tx.Commit()
	}
	if err := lease(79161234567, 79031234567); err != nil {
		t.Fatal(err)
	}
	if err := st.Check(ctx); err != nil {
		t.Fatalf("after an export: %v", err)
	}
	if err := lease(79031234567); err == nil || !strings.Contains(err.Error(), "on a live lease already") {
		t.Errorf("leasing a leased number again: %v, want refused", err)
	}
	if _, err := st.db.ExecContext(ctx, `DELETE FROM numbers WHERE num = 79031234567`); err != nil {
		t.Fatal(err)
	}
	if err := st.Check(ctx); err == nil || !strings.Contains(err.Error(), "1 leases of no number") {
		t.Errorf("Check = %v, want the lease of no number told", err)
	}
}
