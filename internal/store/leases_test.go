package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestLeasesHeldToTheirReferences: leases declare no foreign keys (0006),
// so Check holds them to their number, export and base; a second lease
// of a live one still fails.
func TestLeasesHeldToTheirReferences(t *testing.T) {
	for _, c := range []struct{ name, breaks, want string }{
		{"number", `DELETE FROM numbers WHERE num = 79031234567`, "1 leases of no number"},
		{"export", `UPDATE leases SET export_id = 999 WHERE num = 79031234567`, "1 leases of no export"},
		{"base", `UPDATE leases SET base_id = 999 WHERE num = 79031234567`, "1 leases of no base"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, _ := openTemp(t)
			ctx := context.Background()
			importOne(t, st, "a", "h1", 79161234567, 79031234567)
			lease := func(keys ...uint64) error {
				tx, err := st.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				bs, err := tx.Bases(ctx)
				if err != nil || len(bs) != 1 {
					t.Fatalf("bases %v: %v", bs, err)
				}
				var ls []Lease
				for _, k := range keys {
					ls = append(ls, Lease{Key: k, Base: bs[0].ID, Agent: "a"})
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
			if _, err := st.db.ExecContext(ctx, c.breaks); err != nil {
				t.Fatal(err)
			}
			if err := st.Check(ctx); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Check = %v, want %q", err, c.want)
			}
		})
	}
}
