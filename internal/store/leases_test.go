package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLeasesHeldToTheirReferences: lease blocks declare no foreign keys
// (0006, 0009), so Check holds them to their number, export and base, and
// to the form readers rely on; a second lease of a live one still fails.
func TestLeasesHeldToTheirReferences(t *testing.T) {
	const block = ` WHERE bucket = 79031` // 79031234567's block
	for _, c := range []struct{ name, breaks, want string }{
		{"number", `DELETE FROM number_keys WHERE num = 79031234567`, "1 leases of no number"},
		{"export", `UPDATE lease_blocks SET export_id = 999` + block, "1 leases of no export"},
		{"base", `UPDATE lease_blocks SET base_id = 999` + block, "1 leases of no base"},
		{"bucket", `UPDATE lease_blocks SET bucket = 79032` + block, "1 leases out of their block's bucket"},
		{"twice", `INSERT INTO lease_blocks (export_id, base_id, agent, until, bucket, nums)
			SELECT export_id, base_id, agent, until, bucket, nums FROM lease_blocks` + block, "1 numbers leased twice"},
		{"not JSON", `UPDATE lease_blocks SET nums = '[79031234567'` + block, "1 lease blocks that are not arrays of numbers"},
		{"not numbers", `UPDATE lease_blocks SET nums = '["79031234567"]'` + block, "1 lease blocks that are not arrays of numbers"},
		{"empty", `UPDATE lease_blocks SET nums = '[]'` + block, "1 lease blocks that are not arrays of numbers"},
		{"not an array", `UPDATE lease_blocks SET nums = '79031234567'` + block, "1 lease blocks that are not arrays of numbers"},
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

// TestLiveLeases: the leases read for a list, kept in blocks, come back
// number by number with their own end and base.
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

// TestLeaseBlocks follows leases through their blocks: an export keeps a
// block per base, agent and bucket; a live lease, or a number twice on a
// list, refuses the export; a call's result ends the lease it was made
// under and credits its base, not one made before the list; forget and
// UndoExport take leases out; an export past their end takes them over.
func TestLeaseBlocks(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	importOne(t, st, "a", "h1", 79161234567, 79161234568, 79031234567)
	importOne(t, st, "b", "h2", 79161234599)
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	bs, err := tx.Bases(ctx)
	if err != nil || len(bs) != 2 {
		t.Fatalf("bases %v: %v", bs, err)
	}
	a, b := bs[0].ID, bs[1].ID
	blocks := func() string {
		t.Helper()
		var s string
		err := tx.tx.QueryRowContext(ctx, `SELECT coalesce(group_concat(x, ' '), '') FROM (SELECT export_id || ':' || base_id || ':' || agent || ':' || bucket || '=' || nums AS x
			FROM lease_blocks ORDER BY export_id, base_id, agent, bucket)`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	record := func(at time.Time, ls ...Lease) (int64, error) {
		return tx.RecordExport(ctx, at, at.Add(time.Hour), "l.csv", "t", "{}", ls)
	}
	e1, err := record(at, Lease{79161234568, a, "y"}, Lease{79161234567, a, "x"}, Lease{79031234567, a, "x"})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%[1]d:%[2]d:x:79031=[79031234567] %[1]d:%[2]d:x:79161=[79161234567] %[1]d:%[2]d:y:79161=[79161234568]", e1, a)
	if got := blocks(); got != want {
		t.Fatalf("blocks %s, want %s", got, want)
	}
	for _, c := range []struct {
		name   string
		leases []Lease
	}{
		{"live lease", []Lease{{79161234599, b, ""}, {79161234567, b, ""}}},
		{"twice on the list", []Lease{{79161234599, b, ""}, {79161234599, b, ""}}},
		{"twice, for two agents", []Lease{{79161234599, b, "x"}, {79161234599, b, "y"}}},
	} {
		if _, err := record(at, c.leases...); err == nil || !strings.Contains(err.Error(), "1 of the 2 numbers are on a live lease already") {
			t.Errorf("%s: %v, want refused", c.name, err)
		}
	}
	if got := blocks(); got != want {
		t.Fatalf("refused exports left blocks %s, want %s", got, want)
	}
	e2, err := record(at, Lease{79161234599, b, ""})
	if err != nil {
		t.Fatal(err)
	}

	lastBase := func(key uint64) (base int64) {
		t.Helper()
		if err := tx.tx.QueryRowContext(ctx, `SELECT last_call_base FROM number_marks WHERE num = ?`, key).Scan(&base); err != nil {
			t.Fatal(err)
		}
		return base
	}
	// Under the list: credited to a, the lease and its block gone.
	if _, err := tx.AddCall(ctx, 79161234568, Call{At: at.Add(10 * time.Minute), Outcome: "busy"}); err != nil {
		t.Fatal(err)
	}
	if got := lastBase(79161234568); got != a {
		t.Errorf("call under the list: base %d, want %d", got, a)
	}
	// Made before the list: no credit, and the lease stays.
	if _, err := tx.AddCall(ctx, 79161234567, Call{At: at.Add(-time.Hour), Outcome: "busy"}); err != nil {
		t.Fatal(err)
	}
	if got := lastBase(79161234567); got != 0 {
		t.Errorf("call before the list: base %d, want 0", got)
	}
	if _, err := tx.Forget(ctx, []uint64{79031234567}, at); err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("%d:%d:x:79161=[79161234567] %d:%d::79161=[79161234599]", e1, a, e2, b)
	if got := blocks(); got != want {
		t.Errorf("after a call and a forget: blocks %s, want %s", got, want)
	}
	if n, err := tx.LiveLeases(ctx, at); err != nil || n != 2 {
		t.Errorf("live leases %d (%v), want 2", n, err)
	}
	if err := tx.UndoExport(ctx, e2); err != nil {
		t.Fatal(err)
	}
	// Past the first list's end, its numbers go to another.
	e3, err := record(at.Add(time.Hour), Lease{79161234567, b, "z"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := blocks(), fmt.Sprintf("%d:%d:z:79161=[79161234567]", e3, b); got != want {
		t.Errorf("after the first list's end: blocks %s, want %s", got, want)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := st.Check(ctx); err != nil {
		t.Error(err)
	}
}

// TestLeaseKeys: a block's keys are a JSON array of positive integers.
func TestLeaseKeys(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []uint64
	}{
		{"[79161234567]", []uint64{79161234567}},
		{"[79161234568,79161234567]", []uint64{79161234568, 79161234567}},
		{"[]", nil},
		{"[0]", nil},
		{"[1,0]", nil},
		{"[1,]", nil},
		{"[1 ,2]", nil},
		{"[-1]", nil},
		{"[12345678901234567890]", nil},
		{"1", nil},
		{"", nil},
	} {
		got, err := leaseKeys([]uint64{7}, []byte(c.in))
		if c.want == nil {
			if err == nil || !slices.Equal(got, []uint64{7}) {
				t.Errorf("leaseKeys(%q) = %v, %v; want an error and dst as it was", c.in, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got[1:], c.want) {
			t.Errorf("leaseKeys(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// TestMigrateLeasesIntoBlocks: the leases of schema 0008, live and over,
// read the same from their blocks after 0009, one block per export, base,
// agent and bucket, and a call's result still ends its lease.
func TestMigrateLeasesIntoBlocks(t *testing.T) {
	ctx := context.Background()
	old, path := storeAt(t, 8)
	for _, q := range []string{
		`INSERT INTO bases (id, name, created_at) VALUES (1, 'a', 'x'), (2, 'b', 'x')`,
		`INSERT INTO places (id, operator, region, zones) VALUES (1, '', '', '')`,
		`INSERT INTO kinds (id, type, country) VALUES (1, 'mobile', 'RU')`,
		`INSERT INTO number_keys (num, kind, place_id) VALUES (79160000001, 1, 1), (79160000002, 1, 1), (79161000003, 1, 1),
			(79160000004, 1, 1), (79160000005, 1, 1)`,
		`INSERT INTO exports (id, at, file, numbers, actor, filters) VALUES
			(1, '2026-11-26T09:00:00Z', 'old.csv', 1, 't', '{}'), (2, '2026-11-27T09:00:00Z', 'l.csv', 4, 't', '{}')`,
		`INSERT INTO leases (num, export_id, base_id, agent, until) VALUES
			(79160000005, 1, 1, '', '2026-11-26T21:00:00Z'),
			(79160000001, 2, 1, 'x', '2026-11-27T21:00:00Z'), (79160000002, 2, 1, 'x', '2026-11-27T21:00:00Z'),
			(79161000003, 2, 1, 'x', '2026-11-27T21:00:00Z'), (79160000004, 2, 2, 'y', '2026-11-27T21:00:00Z')`,
	} {
		if _, err := old.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var before strings.Builder
	if err := old.Dump(ctx, &before); err != nil {
		t.Fatal(err)
	}
	st, after := openMigrated(t, old, path)
	if err := st.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if before.String() != strings.Replace(after, "9|0009_lease_blocks.sql\n", "", 1) {
		t.Errorf("dump before 0009:\n%s\nafter:\n%s", before.String(), after)
	}
	var blocks string
	err := st.db.QueryRowContext(ctx, `SELECT group_concat(x, ' ') FROM (SELECT export_id || ':' || base_id || ':' || agent || ':' || bucket || ':' || json_array_length(nums) AS x
		FROM lease_blocks ORDER BY export_id, base_id, agent, bucket)`).Scan(&blocks)
	if want := "1:1::79160:1 2:1:x:79160:2 2:1:x:79161:1 2:2:y:79160:1"; err != nil || blocks != want {
		t.Errorf("blocks %s (%v), want %s", blocks, err, want)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if n, err := tx.LiveLeases(ctx, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)); err != nil || n != 4 {
		t.Errorf("live leases %d (%v), want 4", n, err)
	}
	if _, err := tx.AddCall(ctx, 79160000002, Call{At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), Outcome: "busy"}); err != nil {
		t.Fatal(err)
	}
	live, err := tx.liveLeases(ctx, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), 0)
	if _, ok := live[79160000002]; err != nil || ok || len(live) != 3 {
		t.Errorf("after a call, live leases %v (%v), want 3, without the called number's", live, err)
	}
}
