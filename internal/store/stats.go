package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

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
	var baseID int64
	if base != "" {
		if err := tx.QueryRowContext(ctx, `SELECT id FROM bases WHERE name = ?`, base).Scan(&baseID); err != nil {
			return st, err
		}
	}
	if err := breakdowns(ctx, tx, baseID, &st); err != nil {
		return st, err
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

// breakdowns counts the numbers, of base when not 0, by type, status,
// region and zones, in one pass: by kind and place, a chunk of numbers at
// a time, grouped in SQLite; then the few with marks by status. Four
// GROUP BY passes over the view numbers took 40 s for 5.24M numbers, each
// sorting them all.
func breakdowns(ctx context.Context, tx *sql.Tx, base int64, st *Stats) error {
	type group struct{ kind, place int64 }
	groups := map[group]int{}
	add := func(r *sql.Rows) error {
		var (
			g group
			n int
		)
		err := r.Scan(&g.kind, &g.place, &n)
		groups[g] += n
		return err
	}
	chunk := statsChunk
	var keys []uint64 // the base's, ascending
	if base == 0 {
		for last := int64(-1); ; {
			var n int
			err := query(ctx, tx, `SELECT kind, place_id, count(*), max(num) FROM (SELECT num, kind, place_id FROM number_keys
				WHERE num > ? ORDER BY num LIMIT ?) GROUP BY 1, 2`, []any{last, chunk}, func(r *sql.Rows) error {
				var (
					g        group
					c, lastK int64
				)
				err := r.Scan(&g.kind, &g.place, &c, &lastK)
				groups[g] += int(c)
				n += int(c)
				last = max(last, lastK)
				return err
			})
			if err != nil {
				return err
			}
			if n < chunk {
				break
			}
		}
	} else {
		var blk linkBlock
		err := query(ctx, tx, `SELECT nums, rows FROM base_links WHERE base_id = ? ORDER BY first`, []any{base}, func(r *sql.Rows) error {
			var nums, rows string
			if err := r.Scan(&nums, &rows); err != nil {
				return err
			}
			if err := blk.decode(nums, rows); err != nil {
				return fmt.Errorf("base %d: %w", base, err)
			}
			keys = append(keys, blk.keys...)
			return nil
		})
		if err != nil {
			return err
		}
		for part := keys; len(part) > 0; {
			n := min(len(part), chunk)
			// CROSS JOIN keeps SQLite walking the keys in their order.
			if err := query(ctx, tx, `SELECT k.kind, k.place_id, count(*) FROM json_each(?) j
				CROSS JOIN number_keys k ON k.num = j.value GROUP BY 1, 2`, []any{keysJSON(part[:n])}, add); err != nil {
				return err
			}
			part = part[n:]
		}
	}
	kinds, err := kindNames(ctx, tx)
	if err != nil {
		return err
	}
	places, err := placeNames(ctx, tx)
	if err != nil {
		return err
	}
	byType, byRegion, byZone := map[string]int{}, map[string]int{}, map[string]int{}
	total := 0
	for g, n := range groups {
		p, okPlace := places[g.place]
		k, okKind := kinds[g.kind]
		if !okPlace || !okKind {
			continue // as the view numbers leaves them out
		}
		byType[k[0]] += n
		byRegion[p.region] += n
		byZone[p.zones] += n
		total += n
	}
	// The status of a number without marks is active.
	byStatus := map[string]int{}
	marked := 0
	// Of numbers as the view numbers has them: in number_keys, of a kind
	// and a place (a damaged database may hold others; Check tells).
	err = query(ctx, tx, `SELECT m.num, m.status || CASE WHEN m.dead_reason != '' THEN ':' || m.dead_reason ELSE '' END
		FROM number_marks m CROSS JOIN number_keys k ON k.num = m.num
		WHERE (m.status != 'active' OR m.dead_reason != '')
			AND EXISTS (SELECT 1 FROM kinds t WHERE t.id = k.kind) AND EXISTS (SELECT 1 FROM places p WHERE p.id = k.place_id)`,
		nil, func(r *sql.Rows) error {
			var (
				num    int64
				status string
			)
			if err := r.Scan(&num, &status); err != nil {
				return err
			}
			if _, in := slices.BinarySearch(keys, uint64(num)); base == 0 || in {
				byStatus[status]++
				marked++
			}
			return nil
		})
	if err != nil {
		return err
	}
	if total > marked {
		byStatus["active"] += total - marked
	}
	st.Numbers = total
	st.ByType, st.ByStatus, st.ByRegion, st.ByZone = countsOf(byType), countsOf(byStatus), countsOf(byRegion), countsOf(byZone)
	return nil
}

// statsChunk is how many numbers breakdowns groups at a time; tests make
// it small.
var statsChunk = 1 << 16

// countsOf lists m by count, most first, then by key.
func countsOf(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{k, n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.N != b.N {
			return cmp.Compare(b.N, a.N)
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}
