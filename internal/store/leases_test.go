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
		{"number", `DELETE FROM number_keys WHERE num = 79031234567`, "1 leases of no number"},
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

// TestLiveLeases: the leases read for a list, grouped by end and base in
// SQLite, come back number by number with their own end and base.
func TestLiveLeases(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	importOne(t, st, "a", "h1", 79161234567, 79031234567)
	importOne(t, st, "b", "h2", 79261234567)
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	bs, err := tx.Bases(ctx)
	if err != nil || len(bs) != 2 {
		t.Fatalf("bases %v: %v", bs, err)
	}
	for _, e := range []struct {
		base  int64
		until time.Duration
		keys  []uint64
	}{{bs[0].ID, time.Hour, []uint64{79161234567, 79031234567}}, {bs[1].ID, 2 * time.Hour, []uint64{79261234567}}} {
		var ls []Lease
		for _, k := range e.keys {
			ls = append(ls, Lease{Key: k, Base: e.base})
		}
		if _, err := tx.RecordExport(ctx, at, at.Add(e.until), "l.csv", "t", "{}", ls); err != nil {
			t.Fatal(err)
		}
	}
	a, b := liveLease{at.Add(time.Hour), bs[0].Name}, liveLease{at.Add(2 * time.Hour), bs[1].Name}
	for _, c := range []struct {
		name string
		now  time.Time
		key  uint64
		want map[uint64]liveLease
	}{
		{"all", at, 0, map[uint64]liveLease{79161234567: a, 79031234567: a, 79261234567: b}},
		{"one", at, 79031234567, map[uint64]liveLease{79031234567: a}},
		{"later", at.Add(90 * time.Minute), 0, map[uint64]liveLease{79261234567: b}},
		{"over", at.Add(3 * time.Hour), 0, map[uint64]liveLease{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := tx.liveLeases(ctx, c.now, c.key)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for k, w := range c.want {
				if g := got[k]; !g.until.Equal(w.until) || g.base != w.base {
					t.Errorf("%d: got %v, want %v", k, g, w)
				}
			}
		})
	}
}
