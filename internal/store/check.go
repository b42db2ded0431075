package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Check verifies the database: SQLite's integrity check, the foreign keys
// the schema declares, and the references of the bulk tables, which it
// does not declare (see migration 0002). Tests run it after every command
// that writes; people can run it when they doubt a file.
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
	for _, c := range []struct{ what, sql string }{
		{"numbers of no place", `SELECT count(*) FROM numbers n WHERE NOT EXISTS (SELECT 1 FROM places p WHERE p.id = n.place_id)`},
		{"numbers of no import", `SELECT count(*) FROM numbers n WHERE n.first_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = n.first_import_id)`},
		{"base links to no base", `SELECT count(*) FROM base_numbers bn WHERE NOT EXISTS (SELECT 1 FROM bases b WHERE b.id = bn.base_id)`},
		{"base links to no number", `SELECT count(*) FROM base_numbers bn WHERE NOT EXISTS (SELECT 1 FROM numbers n WHERE n.num = bn.num)`},
		{"leases of no number", `SELECT count(*) FROM leases l WHERE NOT EXISTS (SELECT 1 FROM numbers n WHERE n.num = l.num)`},
		{"leases of no export", `SELECT count(*) FROM leases l WHERE NOT EXISTS (SELECT 1 FROM exports e WHERE e.id = l.export_id)`},
		{"leases of no base", `SELECT count(*) FROM leases l WHERE NOT EXISTS (SELECT 1 FROM bases b WHERE b.id = l.base_id)`},
		{"base links to no row", `SELECT count(*) FROM base_numbers bn WHERE NOT EXISTS (SELECT 1 FROM row_blocks rb WHERE rb.id = bn.first_row_id / ` + fmt.Sprint(blockRows) + `)`},
	} {
		var n int
		if err := s.db.QueryRowContext(ctx, c.sql).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, c.what))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("database check: %s", strings.Join(problems, "; "))
	}
	return nil
}
