package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/callbase/callbase/internal/callbase"
)

// PlanInfo describes the numbering plan a database uses.
type PlanInfo struct {
	Source   string
	Date     string
	LoadedAt string
}

// Plan returns the numbering plan loaded into the database in its encoded
// form; ok is false when none was loaded and the embedded one applies.
func (s *Store) Plan(ctx context.Context) (data []byte, info PlanInfo, ok bool, err error) {
	return plan(ctx, s.db)
}

// Plan is Store.Plan inside the transaction, so the plan cannot change
// before the transaction's work is done.
func (t *Tx) Plan(ctx context.Context) (data []byte, info PlanInfo, ok bool, err error) {
	return plan(ctx, t.tx)
}

func plan(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (data []byte, info PlanInfo, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT data, source, date, loaded_at FROM numplan WHERE id = 1`).
		Scan(&data, &info.Source, &info.Date, &info.LoadedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, info, false, nil
	}
	return data, info, err == nil, err
}

// SavePlan makes the encoded plan the database's plan.
func (t *Tx) SavePlan(ctx context.Context, data []byte, source, date string, at time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO numplan (id, source, date, loaded_at, data) VALUES (1, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET source = excluded.source, date = excluded.date,
			loaded_at = excluded.loaded_at, data = excluded.data`, source, date, formatTime(at), data)
	return err
}

// Rederived counts what deriving places again changed.
type Rederived struct {
	Numbers     int `json:"numbers"`     // numbers looked at
	Changed     int `json:"changed"`     // numbers whose operator, region or zones changed
	Unallocated int `json:"unallocated"` // numbers found dead as never issued
	Revived     int `json:"revived"`     // numbers dead as unallocated that the plan now issues
}

// Rederive derives every number's place again with place, which gets the
// number's key and country. A number the plan never issued becomes dead as
// unallocated; one that was dead only for that reason and is now issued
// comes back. Numbers dead for other reasons stay dead.
// Each status change is recorded as an event with ev's time, cause and
// actor.
func (t *Tx) Rederive(ctx context.Context, place func(key uint64, country string) Place, ev Event) (Rederived, error) {
	var r Rederived
	updPlace, err := t.tx.PrepareContext(ctx, `UPDATE number_keys SET place_id = ? WHERE num = ?`)
	if err != nil {
		return r, err
	}
	defer updPlace.Close()
	updStatus, err := t.tx.PrepareContext(ctx, `INSERT INTO number_marks (num, status, dead_reason) VALUES (?, ?, ?)
		ON CONFLICT (num) DO UPDATE SET status = excluded.status, dead_reason = excluded.dead_reason`)
	if err != nil {
		return r, err
	}
	defer updStatus.Close()
	type row struct {
		key                              int64
		country, operator, region, zones string
		status, reason                   string
	}
	// Walk the table in key order a page at a time, never updating a
	// table under an open cursor.
	const page = 10000
	var rows []row
	for last := int64(-1); ; {
		rows = rows[:0]
		err := query(ctx, t.tx, `SELECT n.num, n.country, p.operator, p.region, p.zones, n.status, n.dead_reason
			FROM numbers n JOIN places p ON p.id = n.place_id WHERE n.num > ? ORDER BY n.num LIMIT ?`, []any{last, page}, func(rs *sql.Rows) error {
			var x row
			err := rs.Scan(&x.key, &x.country, &x.operator, &x.region, &x.zones, &x.status, &x.reason)
			rows = append(rows, x)
			return err
		})
		if err != nil || len(rows) == 0 {
			return r, err
		}
		for _, x := range rows {
			r.Numbers++
			p := place(uint64(x.key), x.country)
			status, reason := x.status, x.reason
			switch {
			case p.Unallocated && status == "active":
				status, reason = "dead", callbase.Unallocated
				r.Unallocated++
			case !p.Unallocated && status == "dead" && reason == callbase.Unallocated:
				status, reason = "active", ""
				r.Revived++
			}
			if p.Operator == x.operator && p.Region == x.region && p.Zones == x.zones && status == x.status && reason == x.reason {
				continue
			}
			r.Changed++
			place, err := t.placeID(ctx, p)
			if err != nil {
				return r, err
			}
			if _, err := updPlace.ExecContext(ctx, place, x.key); err != nil {
				return r, err
			}
			if status != x.status || reason != x.reason {
				if _, err := updStatus.ExecContext(ctx, x.key, status, reason); err != nil {
					return r, err
				}
			}
			if status != x.status {
				e := ev
				e.What, e.Detail = "alive", "issued by the numbering plan loaded"
				if status == "dead" {
					e.What, e.Detail = "dead", callbase.Unallocated+": in no range of the numbering plan loaded"
				}
				if err := t.addEvent(ctx, uint64(x.key), e); err != nil {
					return r, err
				}
			}
		}
		last = rows[len(rows)-1].key
	}
}
