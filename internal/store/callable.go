package store

import (
	"context"
	"database/sql"
	"slices"
)

// Counting the callable numbers of a base of millions cannot look at each
// number (about 10 µs each in modernc). Nearly all of them are plain:
// nothing happened to them, they are active, not opted out, hold no
// consent record and no lease, so the rules say the same of all of them
// in a base. Only the others, few, are read one by one; the plain ones
// are counted as the base's size less those.

// excluded is the condition of the numbers dead or opted out.
const excluded = `(n.status != 'active' OR n.opted_out_at != '')`

// SpecialCandidates calls fn for every number of base b that is not
// plain: touched (see TouchedCandidates), dead, opted out, with a consent
// record in force or a live lease. Every other number of b is an
// untouched, active, cold number with no consent and no lease.
func (t *Tx) SpecialCandidates(ctx context.Context, f *Facts, b BaseInfo, fn func(*Candidate) error) error {
	if err := t.TouchedCandidates(ctx, f, b, fn); err != nil {
		return err
	}
	keys, err := t.specialKeys(ctx, f)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	// These keys come from every base: those of b only.
	keys, rows, err := t.held(ctx, b.ID, keys)
	if err != nil || len(keys) == 0 {
		return err
	}
	cs := &candidateScan{start: formatTime(b.CycleStartedAt), Facts: f}
	q := `SELECT n.num, n.type, n.country, n.place_id, n.status, n.dead_reason, n.opted_out_at, n.detached_at, j.key
		FROM json_each(?1) j CROSS JOIN numbers n ON n.num = j.value WHERE NOT ` + touched
	return cs.untouched(ctx, t.tx, q, []any{keysJSON(keys)}, withFirstRows(rows, fn))
}

// specialKeys lists, sorted, the untouched numbers of any base that are
// dead, opted out, or hold a consent record or a live lease; read once
// per Facts.
func (t *Tx) specialKeys(ctx context.Context, f *Facts) ([]uint64, error) {
	if f.special != nil {
		return f.special, nil
	}
	keys := []uint64{}
	err := query(ctx, t.tx, `SELECT n.num FROM number_marks n WHERE `+excluded+` AND NOT `+touched, nil, func(r *sql.Rows) error {
		var k int64
		err := r.Scan(&k)
		keys = append(keys, uint64(k))
		return err
	})
	if err != nil {
		return nil, err
	}
	for k := range f.consents {
		keys = append(keys, k)
	}
	for k := range f.leases {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	f.special = slices.Compact(keys)
	return f.special, nil
}

// Size counts the numbers of base b.
func (t *Tx) Size(ctx context.Context, b int64) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT `+linkCount, b).Scan(&n)
	return n, err
}
