package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Check verifies the database: SQLite's integrity check, the foreign keys
// the schema declares, the references of the bulk tables, which it does
// not declare (see migrations 0002, 0006, 0007 and 0008), and the blocks
// of base links (damaged ones are counted, their links not followed).
// Tests run it after every command that writes; people can run it when
// they doubt a file.
func (s *Store) Check(ctx context.Context) error {
	var problems []string
	err := query(ctx, s.db, `PRAGMA integrity_check`, nil, func(r *sql.Rows) error {
		var msg string
		err := r.Scan(&msg)
		if msg != "ok" {
			problems = append(problems, "integrity: "+msg)
		}
		return err
	})
	if err != nil {
		return err
	}
	var fk int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil {
		return err
	}
	if fk > 0 {
		problems = append(problems, fmt.Sprintf("%d rows break a foreign key", fk))
	}
	checks := []struct{ what, sql string }{
		{"numbers of no place", `SELECT count(*) FROM number_keys n WHERE NOT EXISTS (SELECT 1 FROM places p WHERE p.id = n.place_id)`},
		{"numbers of no kind", `SELECT count(*) FROM number_keys n WHERE NOT EXISTS (SELECT 1 FROM kinds k WHERE k.id = n.kind)`},
		{"numbers of no import", `SELECT count(*) FROM number_keys n WHERE n.first_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = n.first_import_id)`},
		{"marks of no number", `SELECT count(*) FROM number_marks m WHERE NOT EXISTS (SELECT 1 FROM number_keys n WHERE n.num = m.num)`},
		{"base links to no base", `SELECT coalesce(sum(bl.count), 0) FROM base_links bl WHERE NOT EXISTS (SELECT 1 FROM bases b WHERE b.id = bl.base_id)`},
		{"base links to no number", `SELECT count(*) FROM base_links bl CROSS JOIN json_each(iif(json_valid(bl.nums), bl.nums, '[]')) j WHERE NOT EXISTS (SELECT 1 FROM number_keys n WHERE n.num = j.value)`},
		{"base links to no row", `SELECT count(*) FROM base_links bl CROSS JOIN json_each(iif(json_valid(bl.rows), bl.rows, '[]')) j WHERE NOT EXISTS (SELECT 1 FROM row_blocks rb WHERE rb.id = j.value / ` + fmt.Sprint(blockRows) + `)`},
	}
	for _, c := range append(checks, leaseChecks...) {
		var n int
		if err := s.db.QueryRowContext(ctx, c.sql).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, c.what))
		}
	}
	bad, err := checkLinks(ctx, s.db)
	if err != nil {
		return err
	}
	if bad > 0 {
		problems = append(problems, fmt.Sprintf("%d damaged blocks of base links", bad))
	}
	if len(problems) > 0 {
		return fmt.Errorf("database check: %s", strings.Join(problems, "; "))
	}
	return nil
}

// checkLinks counts the blocks of base links that break what readers rely
// on: readable, counted right, first is their least number, ascending
// and below the next block's first.
func checkLinks(ctx context.Context, db querier) (bad int, err error) {
	var (
		blk      linkBlock
		lastBase int64 = -1
		lastKey  uint64
	)
	err = query(ctx, db, `SELECT base_id, first, count, nums, rows FROM base_links ORDER BY base_id, first`, nil, func(r *sql.Rows) error {
		var (
			base, first, count int64
			nums, rows         string
		)
		if err := r.Scan(&base, &first, &count, &nums, &rows); err != nil {
			return err
		}
		err := blk.decode(nums, rows)
		switch {
		case err != nil, int64(len(blk.keys)) != count, blk.keys[0] != uint64(first),
			base == lastBase && blk.keys[0] <= lastKey:
			bad++
		}
		if err == nil {
			lastBase, lastKey = base, blk.keys[len(blk.keys)-1]
		}
		return nil
	})
	return bad, err
}
