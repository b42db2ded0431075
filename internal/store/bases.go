package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// BaseInfo is a base with its rest cycle.
type BaseInfo struct {
	ID             int64
	Name           string
	Source         string
	Temperature    string
	State          string // active, resting, archived
	Cycle          int
	CycleStartedAt time.Time
	RestUntil      time.Time
	Numbers        int
}

// Bases lists the bases by name, without their sizes: counting reads
// every block of a base's links (0.15 s for 5M numbers), and the commands
// that run often (release, why, export) do not need them.
func (t *Tx) Bases(ctx context.Context) ([]BaseInfo, error) { return bases(ctx, t.tx, false) }

// BasesWithSizes lists the bases by name with their sizes.
func (t *Tx) BasesWithSizes(ctx context.Context) ([]BaseInfo, error) { return bases(ctx, t.tx, true) }

// Bases lists the bases by name with their sizes, from one snapshot.
func (s *Store) Bases(ctx context.Context) ([]BaseInfo, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return bases(ctx, tx, true)
}

func bases(ctx context.Context, q querier, counted bool) ([]BaseInfo, error) {
	size := `0`
	if counted {
		size = `(SELECT coalesce(sum(bl.count), 0) FROM base_links bl WHERE bl.base_id = b.id)`
	}
	var out []BaseInfo
	err := query(ctx, q, `SELECT b.id, b.name, coalesce(s.name, ''), b.temperature, b.state, b.cycle,
			b.cycle_started_at, b.rest_until, `+size+`
		FROM bases b LEFT JOIN sources s ON s.id = b.source_id ORDER BY b.name`, nil, func(r *sql.Rows) error {
		var (
			b                BaseInfo
			started, restEnd string
		)
		err := r.Scan(&b.ID, &b.Name, &b.Source, &b.Temperature, &b.State, &b.Cycle, &started, &restEnd, &b.Numbers)
		b.CycleStartedAt, b.RestUntil = parseTime(started), parseTime(restEnd)
		out = append(out, b)
		return err
	})
	return out, err
}

// Rest starts the base's rest until the given time.
func (t *Tx) Rest(ctx context.Context, base int64, until, at time.Time, detail, actor string) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE bases SET state = 'resting', rest_until = ? WHERE id = ?`,
		formatTime(until), base); err != nil {
		return err
	}
	return t.baseEvent(ctx, base, at, "rest", detail, actor)
}

// Release ends every rest over by now: the bases start their next cycle,
// attempts counting afresh from now. It returns the bases released.
func (t *Tx) Release(ctx context.Context, now time.Time, actor string) ([]BaseInfo, error) {
	all, err := t.Bases(ctx)
	if err != nil {
		return nil, err
	}
	var released []BaseInfo
	for _, b := range all {
		if b.State != "resting" || b.RestUntil.After(now) {
			continue
		}
		if _, err := t.tx.ExecContext(ctx, `UPDATE bases SET state = 'active', cycle = cycle + 1,
			cycle_started_at = ?, rest_until = '' WHERE id = ?`, formatTime(now), b.ID); err != nil {
			return nil, err
		}
		detail := fmt.Sprintf("rest until %s over; cycle %d starts", formatTime(b.RestUntil), b.Cycle+1)
		if err := t.baseEvent(ctx, b.ID, now, "release", detail, actor); err != nil {
			return nil, err
		}
		b.State, b.Cycle, b.CycleStartedAt, b.RestUntil = "active", b.Cycle+1, now, time.Time{}
		if err := t.tx.QueryRowContext(ctx, `SELECT `+linkCount, b.ID).Scan(&b.Numbers); err != nil {
			return nil, err
		}
		released = append(released, b)
	}
	return released, nil
}

func (t *Tx) baseEvent(ctx context.Context, base int64, at time.Time, what, detail, actor string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO base_events (base_id, at, what, detail, actor) VALUES (?, ?, ?, ?, ?)`,
		base, formatTime(at), what, detail, actor)
	return err
}

// BasesOf returns the ids of the bases holding the number.
func (t *Tx) BasesOf(ctx context.Context, key uint64) ([]int64, error) {
	links, err := basesHolding(ctx, t.tx, key)
	ids := make([]int64, len(links))
	for i, l := range links {
		ids[i] = l.base
	}
	return ids, err
}

// HasOpenNumbers tells whether a number of the base is still to be worked
// in its cycle: active, not opted out, no consent withdrawn (the latest
// event of a scope), with no callback promised (which is
// kept even while the base rests), without a final outcome since the cycle
// started (finals lists them) and under maxAttempts this cycle.
func (t *Tx) HasOpenNumbers(ctx context.Context, b BaseInfo, finals []string, maxAttempts int) (bool, error) {
	start := formatTime(b.CycleStartedAt)
	args := []any{b.ID, start}
	in := ""
	for i, f := range finals {
		if i > 0 {
			in += ","
		}
		in += "?"
		args = append(args, f)
	}
	args = append(args, start, start, maxAttempts)
	var open int
	err := t.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM base_links bl CROSS JOIN json_each(bl.nums) j
		CROSS JOIN numbers n ON n.num = j.value
		WHERE bl.base_id = ? AND n.status = 'active' AND n.opted_out_at = '' AND n.callback_at = ''
		AND NOT (n.last_call_at >= ? AND n.last_outcome IN (`+in+`))
		AND (n.last_call_at < ? OR (SELECT count(*) FROM calls c WHERE c.num = n.num AND c.at >= ?) < ?)
		AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.num = n.num AND c.granted = 0
			AND c.at = (SELECT max(c2.at) FROM consents c2 WHERE c2.num = n.num AND c2.scope = c.scope)))`,
		args...).Scan(&open)
	return open == 1, err
}

// Empty tells whether the base holds no number.
func (t *Tx) Empty(ctx context.Context, base int64) (bool, error) {
	var any int
	err := t.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM base_links WHERE base_id = ?)`, base).Scan(&any)
	return any == 0, err
}

// NumbersIn counts the distinct numbers of the given bases.
func (t *Tx) NumbersIn(ctx context.Context, bases []int64) (int, error) {
	var n int
	switch len(bases) {
	case 0:
		return 0, nil
	case 1:
		err := t.tx.QueryRowContext(ctx, `SELECT `+linkCount, bases[0]).Scan(&n)
		return n, err
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(bases)), ",")
	args := make([]any, len(bases))
	for i, b := range bases {
		args[i] = b
	}
	err := t.tx.QueryRowContext(ctx, `SELECT count(DISTINCT j.value) FROM base_links bl CROSS JOIN json_each(bl.nums) j
		WHERE bl.base_id IN (`+in+`)`, args...).Scan(&n)
	return n, err
}
