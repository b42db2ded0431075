package store

import (
	"context"
	"database/sql"

	"github.com/callbase/callbase/internal/callbase"
)

// Count is one line of a breakdown: how many have this key.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// BaseStats sums up one base.
type BaseStats struct {
	Name        string `json:"name"`
	Source      string `json:"source"`
	Temperature string `json:"temperature"`
	Imports     int    `json:"imports"`
	Rows        int    `json:"rows"`
	Numbers     int    `json:"numbers"`
}

// ImportStats sums up one import.
type ImportStats struct {
	Base           string `json:"base"`
	File           string `json:"file"`
	Format         string `json:"format"`
	At             string `json:"at"`
	Rows           int    `json:"rows"`
	Numbers        int    `json:"numbers"`
	New            int    `json:"new"`
	Known          int    `json:"known"`
	FileDuplicates int    `json:"file_duplicates"`
	Suppressed     int    `json:"suppressed"`
	Rejects        int    `json:"rejects"`
}

// Stats is the health of the whole database, or of one base.
type Stats struct {
	Bases    []BaseStats   `json:"bases"`
	Imports  []ImportStats `json:"imports"`
	Rows     int           `json:"rows"`
	Numbers  int           `json:"numbers"`
	ByType   []Count       `json:"by_type"`
	ByStatus []Count       `json:"by_status"` // "active", "dead:unallocated", ...
	ByRegion []Count       `json:"by_region"` // "" for numbers of no known region
	ByZone   []Count       `json:"by_zone"`   // zones joined by ","
	Rejects  []Count       `json:"rejects"`
}

// Stats sums up the database; base, when not empty, limits it to that base.
func (s *Store) Stats(ctx context.Context, base string) (Stats, error) {
	// One read transaction: a snapshot, so the figures agree with each
	// other while an import commits beside them.
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Stats{}, err
	}
	defer tx.Rollback()
	st := Stats{Bases: []BaseStats{}, Imports: []ImportStats{}, ByType: []Count{}, ByStatus: []Count{},
		ByRegion: []Count{}, ByZone: []Count{}, Rejects: []Count{}}
	if base != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM bases WHERE name = ?`, base).Scan(&n); err != nil {
			return st, err
		}
		if n == 0 {
			return st, callbase.Usagef("no base %q\nTry: callbase stats, to list the bases", base)
		}
	}
	// ?1 = '' selects every base.
	err = query(ctx, tx, `SELECT b.name, coalesce(s.name, ''), b.temperature,
			(SELECT count(*) FROM imports i WHERE i.base_id = b.id),
			(SELECT coalesce(sum(i.rows), 0) FROM imports i WHERE i.base_id = b.id),
			(SELECT coalesce(sum(bl.count), 0) FROM base_links bl WHERE bl.base_id = b.id)
		FROM bases b LEFT JOIN sources s ON s.id = b.source_id
		WHERE ?1 = '' OR b.name = ?1 ORDER BY b.name`, []any{base}, func(r *sql.Rows) error {
		var b BaseStats
		err := r.Scan(&b.Name, &b.Source, &b.Temperature, &b.Imports, &b.Rows, &b.Numbers)
		st.Bases = append(st.Bases, b)
		return err
	})
	if err != nil {
		return st, err
	}
	err = query(ctx, tx, `SELECT b.name, i.file, i.format, i.imported_at, i.rows, i.numbers,
			i.new_numbers, i.known_numbers, i.file_duplicates, i.suppressed_numbers,
			(SELECT coalesce(sum(count), 0) FROM import_rejects r WHERE r.import_id = i.id)
		FROM imports i JOIN bases b ON b.id = i.base_id
		WHERE ?1 = '' OR b.name = ?1 ORDER BY i.id`, []any{base}, func(r *sql.Rows) error {
		var i ImportStats
		err := r.Scan(&i.Base, &i.File, &i.Format, &i.At, &i.Rows, &i.Numbers, &i.New, &i.Known, &i.FileDuplicates, &i.Suppressed, &i.Rejects)
		st.Imports = append(st.Imports, i)
		st.Rows += i.Rows
		return err
	})
	if err != nil {
		return st, err
	}
	numbers := `(SELECT n.type, n.status, n.dead_reason, p.region, p.zones FROM numbers n
		JOIN places p ON p.id = n.place_id)`
	if base != "" {
		numbers = `(SELECT n.type, n.status, n.dead_reason, p.region, p.zones FROM bases b
			JOIN base_links bl ON bl.base_id = b.id CROSS JOIN json_each(bl.nums) j
			CROSS JOIN numbers n ON n.num = j.value JOIN places p ON p.id = n.place_id WHERE b.name = ?1)`
	}
	counts := func(col string, dst *[]Count) error {
		return query(ctx, tx, `SELECT `+col+`, count(*) FROM `+numbers+` GROUP BY 1 ORDER BY 2 DESC, 1`,
			[]any{base}, func(r *sql.Rows) error {
				var c Count
				err := r.Scan(&c.Key, &c.N)
				*dst = append(*dst, c)
				st.Numbers += c.N
				return err
			})
	}
	breakdowns := []struct {
		expr string
		dst  *[]Count
	}{
		{"type", &st.ByType},
		{"status || CASE WHEN dead_reason != '' THEN ':' || dead_reason ELSE '' END", &st.ByStatus},
		{"region", &st.ByRegion},
		{"zones", &st.ByZone},
	}
	for _, b := range breakdowns {
		st.Numbers = 0 // every breakdown sums to the same
		if err := counts(b.expr, b.dst); err != nil {
			return st, err
		}
	}
	err = query(ctx, tx, `SELECT r.reason, sum(r.count) FROM import_rejects r
		JOIN imports i ON i.id = r.import_id JOIN bases b ON b.id = i.base_id
		WHERE ?1 = '' OR b.name = ?1 GROUP BY 1 ORDER BY 2 DESC, 1`, []any{base}, func(r *sql.Rows) error {
		var c Count
		err := r.Scan(&c.Key, &c.N)
		st.Rejects = append(st.Rejects, c)
		return err
	})
	return st, err
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// query runs q and calls fn for every row.
func query(ctx context.Context, db querier, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Lookup answers, number by number, whether the database knows it.
type Lookup struct{ stmt *sql.Stmt }

// Lookup prepares a Lookup; Close it when done.
func (s *Store) Lookup(ctx context.Context) (*Lookup, error) {
	st, err := s.db.PrepareContext(ctx, `SELECT count(*) FROM number_keys WHERE num = ?`)
	return &Lookup{stmt: st}, err
}

// Has reports whether the number with this key is in the database.
func (l *Lookup) Has(ctx context.Context, key uint64) (bool, error) {
	var n int
	err := l.stmt.QueryRowContext(ctx, int64(key)).Scan(&n)
	return n > 0, err
}

// Close releases the Lookup.
func (l *Lookup) Close() error { return l.stmt.Close() }
