package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Leases are kept in blocks (lease_blocks, migration 0009): up to
// leaseBlockSize keys of one export, base and agent that fall in one
// bucket, as a JSON array, with the least and greatest of them. An export
// of 100,000 numbers writes about a thousand rows instead of 100,000, and
// reading the live leases reads those. A number's own lease is found
// through the index on bucket and range: the blocks of its bucket whose
// range holds it, a few at most, and only theirs are read. A number is
// in one block at most: an export first drops the leases that are over
// and refuses numbers on a live one, a call's result or forget takes the
// number out of its blocks, and UndoExport drops its export's blocks.

// leaseBlockSize bounds a block, so that ending one number's lease (a
// call's result) reads and writes a few kilobytes, not a list's bucket.
var leaseBlockSize = 256 // a variable for tests

// leaseBucket is the bucket of a leased key: the key divided by a
// million.
func leaseBucket(key uint64) int64 { return int64(key / 1_000_000) }

// liveLease is the lease of a number: till when, and for which base.
type liveLease struct {
	until time.Time
	base  string
}

// liveLeases reads the leases live at now (or key's only).
func (t *Tx) liveLeases(ctx context.Context, now time.Time, key uint64) (map[uint64]liveLease, error) {
	names := map[int64]string{}
	err := query(ctx, t.tx, `SELECT id, name FROM bases`, nil, func(r *sql.Rows) error {
		var id int64
		var name string
		err := r.Scan(&id, &name)
		names[id] = name
		return err
	})
	if err != nil {
		return nil, err
	}
	q := `SELECT until, base_id, nums FROM lease_blocks WHERE until > ?1`
	args := []any{formatTime(now)}
	if key != 0 {
		q += ` AND bucket = ?2 AND first <= ?3 AND last >= ?3`
		args = append(args, leaseBucket(key), int64(key))
	}
	m := map[uint64]liveLease{}
	untils := map[string]time.Time{}
	var keys []uint64
	err = query(ctx, t.tx, q, args, func(r *sql.Rows) error {
		var (
			until, nums sql.RawBytes
			base        int64
		)
		if err := r.Scan(&until, &base, &nums); err != nil {
			return err
		}
		u, ok := untils[string(until)]
		if !ok {
			u = parseTime(string(until))
			untils[string(until)] = u
		}
		var err error
		if keys, err = leaseKeys(keys[:0], nums); err != nil {
			return err
		}
		for _, k := range keys {
			if key == 0 || k == key {
				m[k] = liveLease{until: u, base: names[base]}
			}
		}
		return nil
	})
	return m, err
}

// Lease holds numbers for an export until the given time.
type Lease struct {
	Key   uint64
	Base  int64
	Agent string
}

// RecordExport records an export and leases its numbers until until. The
// numbers must hold no live lease: the caller checked, in this
// transaction, and RecordExport refuses the export otherwise.
func (t *Tx) RecordExport(ctx context.Context, at, until time.Time, file, actor, filters string, leases []Lease) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO exports (at, file, numbers, actor, filters) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		formatTime(at), file, len(leases), actor, filters).Scan(&id)
	if err != nil {
		return 0, err
	}
	// Leases over by now hold nothing: drop them, so they neither pile up
	// nor credit a late call to the wrong list.
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM lease_blocks WHERE until <= ?`, formatTime(at)); err != nil {
		return 0, err
	}
	// Refused before a lease is written: a number on a live lease, or
	// twice on the list (the second would find the first live). Both
	// sorted and walked side by side: a map of the live leases took a
	// tenth of the second export of 100,000 numbers.
	var live []uint64
	err = query(ctx, t.tx, `SELECT nums FROM lease_blocks WHERE until > ?`, []any{formatTime(at)}, func(r *sql.Rows) error {
		var nums sql.RawBytes
		if err := r.Scan(&nums); err != nil {
			return err
		}
		var kerr error
		live, kerr = leaseKeys(live, nums)
		return kerr
	})
	if err != nil {
		return 0, err
	}
	slices.Sort(live)
	all := make([]uint64, len(leases))
	for i, l := range leases {
		all[i] = l.Key
	}
	slices.Sort(all)
	taken, j := 0, 0
	for i, k := range all {
		if i > 0 && k == all[i-1] {
			taken++
			continue
		}
		for j < len(live) && live[j] < k {
			j++
		}
		if j < len(live) && live[j] == k {
			taken++
		}
	}
	if taken > 0 {
		return 0, fmt.Errorf("%d of the %d numbers are on a live lease already", taken, len(leases))
	}
	type group struct {
		base  int64
		agent string
	}
	groups := map[group][]uint64{}
	for _, l := range leases {
		g := group{l.Base, l.Agent}
		groups[g] = append(groups[g], l.Key)
	}
	stmt, err := t.tx.PrepareContext(ctx, `INSERT INTO lease_blocks (export_id, base_id, agent, until, bucket, first, last, nums)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	for _, g := range slices.SortedFunc(maps.Keys(groups), func(a, b group) int {
		return cmp.Or(cmp.Compare(a.base, b.base), strings.Compare(a.agent, b.agent))
	}) {
		keys := groups[g]
		slices.Sort(keys)
		for len(keys) > 0 {
			n := 1
			for n < len(keys) && n < leaseBlockSize && leaseBucket(keys[n]) == leaseBucket(keys[0]) {
				n++
			}
			if _, err := stmt.ExecContext(ctx, id, g.base, g.agent, formatTime(until), leaseBucket(keys[0]),
				int64(keys[0]), int64(keys[n-1]), keysJSON(keys[:n])); err != nil {
				return 0, fmt.Errorf("store leases: %w", err)
			}
			keys = keys[n:]
		}
	}
	return id, nil
}

// endLease ends key's lease if it was live at at, for an export made by
// then, and returns its base; 0 when there was none. Should the number
// be in more than one such block (Check would say so), it leaves them
// all.
func (t *Tx) endLease(ctx context.Context, key uint64, at time.Time) (base int64, err error) {
	type block struct {
		id, base int64
		keys     []uint64
	}
	var holding []block
	err = query(ctx, t.prepared(), `SELECT b.id, b.base_id, b.nums FROM lease_blocks b JOIN exports e ON e.id = b.export_id
		WHERE b.bucket = ?1 AND b.first <= ?3 AND b.last >= ?3 AND e.at <= ?2 AND b.until > ?2
		ORDER BY b.id`, []any{leaseBucket(key), formatTime(at), int64(key)}, func(r *sql.Rows) error {
		var (
			b    block
			nums sql.RawBytes
		)
		if err := r.Scan(&b.id, &b.base, &nums); err != nil {
			return err
		}
		keys, err := leaseKeys(nil, nums)
		if err != nil {
			return err
		}
		if slices.Contains(keys, key) {
			b.keys = keys
			holding = append(holding, b)
		}
		return nil
	})
	if err != nil || len(holding) == 0 {
		return 0, err
	}
	for _, b := range holding {
		if err := t.rewriteLeases(ctx, b.id, slices.DeleteFunc(b.keys, func(k uint64) bool { return k == key })); err != nil {
			return 0, err
		}
	}
	return holding[0].base, nil
}

// dropLeases takes the keys out of every block that holds them.
func (t *Tx) dropLeases(ctx context.Context, drop map[uint64]bool) error {
	type block struct {
		id   int64
		keys []uint64
	}
	var changed []block
	err := query(ctx, t.tx, `SELECT id, nums FROM lease_blocks`, nil, func(r *sql.Rows) error {
		var (
			b    block
			nums sql.RawBytes
		)
		if err := r.Scan(&b.id, &nums); err != nil {
			return err
		}
		keys, err := leaseKeys(nil, nums)
		if err != nil {
			return err
		}
		if kept := slices.DeleteFunc(keys, func(k uint64) bool { return drop[k] }); len(kept) < len(keys) {
			changed = append(changed, block{b.id, kept})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range changed {
		if err := t.rewriteLeases(ctx, b.id, b.keys); err != nil {
			return err
		}
	}
	return nil
}

// rewriteLeases sets a block's keys, or deletes it when none is left.
func (t *Tx) rewriteLeases(ctx context.Context, id int64, keys []uint64) error {
	var err error
	if len(keys) == 0 {
		_, err = t.prepared().ExecContext(ctx, `DELETE FROM lease_blocks WHERE id = ?`, id)
	} else {
		_, err = t.prepared().ExecContext(ctx, `UPDATE lease_blocks SET nums = ?, first = ?, last = ? WHERE id = ?`,
			keysJSON(keys), int64(slices.Min(keys)), int64(slices.Max(keys)), id)
	}
	return err
}

// leaseKeys reads a block's keys: parseJSONUints, without zero (no
// key is).
func leaseKeys(dst []uint64, nums []byte) ([]uint64, error) {
	start := len(dst)
	dst, err := parseJSONUints(string(nums), dst)
	if err == nil && (len(dst) == start || slices.Contains(dst[start:], 0)) {
		err = errNotInts
	}
	if err != nil {
		return dst[:start], fmt.Errorf("lease block: %w", err)
	}
	return dst, nil
}

// LiveLeases counts the numbers held by a list at now.
func (t *Tx) LiveLeases(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT coalesce(sum(json_array_length(nums)), 0) FROM lease_blocks WHERE until > ?`,
		formatTime(now)).Scan(&n)
	return n, err
}

// dumpLeases writes the leases one per line, by number, whatever their
// blocks: num|export|base|agent|until, as the table leases was dumped.
func dumpLeases(ctx context.Context, db querier, w io.Writer) error {
	type lease struct {
		key  uint64
		line string
	}
	var all []lease
	err := query(ctx, db, `SELECT export_id, base_id, agent, until, nums FROM lease_blocks`, nil, func(r *sql.Rows) error {
		var (
			export, base       int64
			agent, until, nums string
		)
		if err := r.Scan(&export, &base, &agent, &until, &nums); err != nil {
			return err
		}
		keys, err := leaseKeys(nil, []byte(nums))
		if err != nil {
			return err
		}
		for _, k := range keys {
			all = append(all, lease{k, fmt.Sprintf("%d|%d|%d|%s|%s\n", k, export, base, agent, until)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b lease) int { return cmp.Compare(a.key, b.key) })
	for _, l := range all {
		if _, err := w.Write([]byte(l.line)); err != nil {
			return err
		}
	}
	return nil
}

// leaseChecks are Store.Check's queries of the lease blocks.
var leaseChecks = []struct{ what, sql string }{
	{"lease blocks that are not arrays of numbers", `SELECT count(*) FROM lease_blocks b
		WHERE CASE WHEN NOT json_valid(b.nums) OR json_type(b.nums) <> 'array' OR json_array_length(b.nums) = 0 THEN 1
			ELSE EXISTS (SELECT 1 FROM json_each(b.nums) j WHERE j.type <> 'integer' OR j.value <= 0) END`},
	{"lease blocks of more than " + fmt.Sprint(leaseBlockSize) + " numbers", `SELECT count(*) FROM lease_blocks b
		WHERE json_valid(b.nums) AND json_type(b.nums) = 'array' AND json_array_length(b.nums) > ` + fmt.Sprint(leaseBlockSize)},
	{"lease blocks whose range is not their numbers'", `SELECT count(*) FROM lease_blocks b
		WHERE json_valid(b.nums) AND json_type(b.nums) = 'array' AND json_array_length(b.nums) > 0
			AND (b.first IS NOT (SELECT min(j.value) FROM json_each(b.nums) j) OR b.last IS NOT (SELECT max(j.value) FROM json_each(b.nums) j))`},
	{"leases out of their block's bucket", `SELECT count(*) FROM lease_blocks b CROSS JOIN json_each(iif(json_valid(b.nums), b.nums, '[]')) j
		WHERE j.value / 1000000 <> b.bucket`},
	{"numbers leased twice", `SELECT count(*) FROM (SELECT j.value FROM lease_blocks b CROSS JOIN json_each(iif(json_valid(b.nums), b.nums, '[]')) j
		GROUP BY j.value HAVING count(*) > 1)`},
	{"leases of no number", `SELECT count(*) FROM lease_blocks b CROSS JOIN json_each(iif(json_valid(b.nums), b.nums, '[]')) j
		WHERE NOT EXISTS (SELECT 1 FROM number_keys n WHERE n.num = j.value)`},
	{"leases of no export", `SELECT coalesce(sum(json_array_length(iif(json_valid(b.nums), b.nums, '[]'))), 0) FROM lease_blocks b
		WHERE NOT EXISTS (SELECT 1 FROM exports e WHERE e.id = b.export_id)`},
	{"leases of no base", `SELECT coalesce(sum(json_array_length(iif(json_valid(b.nums), b.nums, '[]'))), 0) FROM lease_blocks b
		WHERE NOT EXISTS (SELECT 1 FROM bases b2 WHERE b2.id = b.base_id)`},
}
