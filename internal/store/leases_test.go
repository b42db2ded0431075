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
		{"twice", `INSERT INTO lease_blocks (export_id, base_id, agent, until, bucket, first, last, nums)
			SELECT export_id, base_id, agent, until, bucket, first, last, nums FROM lease_blocks` + block, "1 numbers leased twice"},
		{"range", `UPDATE lease_blocks SET first = first - 1` + block, "1 lease blocks whose range is not their numbers'"},
		{"range's end", `UPDATE lease_blocks SET last = last + 1` + block, "1 lease blocks whose range is not their numbers'"},
		{"too many", `UPDATE lease_blocks SET first = 79031234311, nums = (WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 256)
			SELECT json_group_array(79031234567 - i) FROM s)` + block, "1 lease blocks of more than 256 numbers"},
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
// read the same from their blocks after 0009, in blocks of one export,
// base, agent and bucket, 256 at most, and a call's result still ends its
// lease.
func TestMigrateLeasesIntoBlocks(t *testing.T) {
	ctx := context.Background()
	old, path := storeAt(t, 8)
	st := migrateUnchanged(t, old, path, []string{
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
		// 300 more of one export, base, agent and bucket: two blocks.
		`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 300)
			INSERT INTO number_keys (num, kind, place_id) SELECT 79162000000 + i, 1, 1 FROM s`,
		`INSERT INTO leases (num, export_id, base_id, agent, until)
			SELECT num, 2, 1, 'x', '2026-11-27T21:00:00Z' FROM number_keys WHERE num / 1000000 = 79162`,
	}, "9|0009_lease_blocks.sql")
	var blocks string
	err := st.db.QueryRowContext(ctx, `SELECT group_concat(x, ' ') FROM (SELECT export_id || ':' || base_id || ':' || agent || ':' || bucket || ':'
			|| first || '-' || last || ':' || json_array_length(nums) AS x
		FROM lease_blocks ORDER BY export_id, base_id, agent, bucket, first)`).Scan(&blocks)
	if want := "1:1::79160:79160000005-79160000005:1 2:1:x:79160:79160000001-79160000002:2 2:1:x:79161:79161000003-79161000003:1 " +
		"2:1:x:79162:79162000001-79162000256:256 2:1:x:79162:79162000257-79162000300:44 2:2:y:79160:79160000004-79160000004:1"; err != nil || blocks != want {
		t.Errorf("blocks %s (%v), want %s", blocks, err, want)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if n, err := tx.LiveLeases(ctx, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)); err != nil || n != 304 {
		t.Errorf("live leases %d (%v), want 304", n, err)
	}
	if _, err := tx.AddCall(ctx, 79160000002, Call{At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), Outcome: "busy"}); err != nil {
		t.Fatal(err)
	}
	live, err := tx.liveLeases(ctx, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), 0)
	if _, ok := live[79160000002]; err != nil || ok || len(live) != 303 {
		t.Errorf("after a call, %d live leases (%v), want 303, without the called number's", len(live), err)
	}
}

// TestLeaseBlocksBounded: a list's numbers of one bucket go in blocks of
// at most leaseBlockSize, each with its range; a number's lease is found
// and ended in the blocks whose range holds it, exactly at the export's
// time too, the range shrinking with its ends, and a call at the lease's
// end finds none. Forget takes a number out of a lease that is over but
// not yet dropped.
func TestLeaseBlocksBounded(t *testing.T) {
	defer func(old int) { leaseBlockSize = old }(leaseBlockSize)
	leaseBlockSize = 3
	st, _ := openTemp(t)
	ctx := context.Background()
	var keys []uint64
	for i := range 7 {
		keys = append(keys, 79160000010+uint64(i)*10)
	}
	importOne(t, st, "a", "h1", append(slices.Clone(keys), 79170000001)...)
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	bs, err := tx.Bases(ctx)
	if err != nil || len(bs) != 1 {
		t.Fatalf("bases %v: %v", bs, err)
	}
	a := bs[0].ID
	var ls []Lease
	for _, k := range slices.Backward(keys) {
		ls = append(ls, Lease{k, a, ""})
	}
	if _, err := tx.RecordExport(ctx, at, at.Add(time.Hour), "l.csv", "t", "{}", ls); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.RecordExport(ctx, at, at.Add(time.Minute), "m.csv", "t", "{}", []Lease{{79170000001, a, ""}}); err != nil {
		t.Fatal(err)
	}
	blocks := func() string {
		t.Helper()
		var s string
		err := tx.tx.QueryRowContext(ctx, `SELECT coalesce(group_concat(x, ' '), '') FROM (SELECT first || '-' || last || '=' || nums AS x
			FROM lease_blocks ORDER BY first)`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := "79160000010-79160000030=[79160000010,79160000020,79160000030] 79160000040-79160000060=[79160000040,79160000050,79160000060] " +
		"79160000070-79160000070=[79160000070] 79170000001-79170000001=[79170000001]"
	if got := blocks(); got != want {
		t.Fatalf("blocks %s, want %s", got, want)
	}
	for _, k := range keys {
		if got, err := tx.liveLeases(ctx, at, k); err != nil || len(got) != 1 || got[k].base != "a" {
			t.Errorf("the lease of %d: %v, %v", k, got, err)
		}
	}
	if got, err := tx.liveLeases(ctx, at, 79160000015); err != nil || len(got) != 0 {
		t.Errorf("the lease of a number on no list, in a block's range: %v, %v", got, err)
	}
	// At the export's very time: under the list; of the least and the
	// greatest key of a block too, whose range shrinks.
	for _, k := range []uint64{79160000050, 79160000010, 79160000060} {
		if _, err := tx.AddCall(ctx, k, Call{At: at, Outcome: "busy"}); err != nil {
			t.Fatal(err)
		}
	}
	// At the lease's very end: over, nothing credited.
	if _, err := tx.AddCall(ctx, 79170000001, Call{At: at.Add(time.Minute), Outcome: "busy"}); err != nil {
		t.Fatal(err)
	}
	// A number in two blocks (Check would say so): a result ends both.
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO lease_blocks (export_id, base_id, agent, until, bucket, first, last, nums)
		SELECT export_id, base_id, agent, until, bucket, first, last, nums FROM lease_blocks WHERE first = 79160000070`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.AddCall(ctx, 79160000070, Call{At: at.Add(time.Minute), Outcome: "busy"}); err != nil {
		t.Fatal(err)
	}
	var credited string
	if err := tx.tx.QueryRowContext(ctx, `SELECT group_concat(num || ':' || last_call_base, ' ') FROM (SELECT * FROM number_marks ORDER BY num)`).Scan(&credited); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("79160000010:%[1]d 79160000050:%[1]d 79160000060:%[1]d 79160000070:%[1]d 79170000001:0", a); credited != want {
		t.Errorf("calls credited %s, want %s", credited, want)
	}
	want = "79160000020-79160000030=[79160000020,79160000030] 79160000040-79160000040=[79160000040] 79170000001-79170000001=[79170000001]"
	if got := blocks(); got != want {
		t.Errorf("after the calls: blocks %s, want %s", got, want)
	}
	// The lease over at the end of the minute is not dropped yet; forget
	// takes the number out of it all the same.
	if _, err := tx.Forget(ctx, []uint64{79170000001}, at); err != nil {
		t.Fatal(err)
	}
	want = "79160000020-79160000030=[79160000020,79160000030] 79160000040-79160000040=[79160000040]"
	if got := blocks(); got != want {
		t.Errorf("after a forget: blocks %s, want %s", got, want)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := st.Check(ctx); err != nil {
		t.Error(err)
	}
}

// BenchmarkAddCallLeased: the results of a list of 20,000 numbers of one
// bucket (a regional list), each ending its number's lease. With a block
// per bucket each result read and wrote the whole bucket's 20,000 keys.
func BenchmarkAddCallLeased(b *testing.B) {
	st, _ := openTemp(b)
	ctx := context.Background()
	keys := make([]uint64, 20000)
	for i := range keys {
		keys[i] = 79160000000 + uint64(i)*37
	}
	importRows(b, st, "a", "h", keys)
	for b.Loop() {
		b.StopTimer()
		tx, err := st.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		bs, err := tx.Bases(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ls := make([]Lease, len(keys))
		for i, k := range keys {
			ls[i] = Lease{k, bs[0].ID, ""}
		}
		if _, err := tx.RecordExport(ctx, at, at.Add(time.Hour), "l.csv", "t", "{}", ls); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, k := range keys {
			if _, err := tx.AddCall(ctx, k, Call{At: at.Add(time.Minute), Outcome: "busy"}); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if n, err := tx.LiveLeases(ctx, at); err != nil || n != 0 {
			b.Fatalf("%d leases left (%v)", n, err)
		}
		tx.Rollback()
		b.StartTimer()
	}
}
