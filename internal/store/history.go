package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/callbase/callbase/internal/callbase"
)

// State is what a number's status is made of.
type State struct {
	Status      string // "active" or "dead"
	DeadReason  string
	Temperature string // cold, warm, hot, customer
	CallbackAt  time.Time
	OptedOutAt  time.Time
	DetachedAt  time.Time
}

// Event is one change of a number's status.
type Event struct {
	At     time.Time
	What   string // dead, alive, temperature, callback, opted_out, detached, consent
	Detail string
	Cause  string
	Actor  string
}

// Call is one call attempt as stored.
type Call struct {
	At         time.Time
	Outcome    string
	Agent      string
	Duration   int // seconds
	CallbackAt time.Time
	Note       string
	Source     string
}

// EnsureNumber records n when the database does not know it yet, as a
// number met outside any base.
// A forgotten number is not: EnsureNumber returns ErrForgotten.
func (t *Tx) EnsureNumber(ctx context.Context, n Number) error {
	sup, err := t.Suppressor(ctx)
	if err != nil {
		return err
	}
	if sup.Suppressed(n.Key) {
		return ErrForgotten
	}
	place, err := t.placeID(ctx, n.Place)
	if err != nil {
		return err
	}
	kind, err := t.kindID(ctx, n.Type, n.Country)
	if err != nil {
		return err
	}
	res, err := t.prepared().ExecContext(ctx, `INSERT INTO number_keys (num, kind, place_id) VALUES (?, ?, ?)
		ON CONFLICT (num) DO NOTHING`, int64(n.Key), kind, place)
	if err != nil {
		return err
	}
	if added, err := res.RowsAffected(); err != nil || added == 0 || !n.Unallocated {
		return err
	}
	_, err = t.prepared().ExecContext(ctx, `INSERT INTO number_marks (num, status, dead_reason) VALUES (?, 'dead', ?)`,
		int64(n.Key), callbase.Unallocated)
	return err
}

// State returns the number's state; ok is false when the database does not
// know the number.
func (t *Tx) State(ctx context.Context, key uint64) (s State, ok bool, err error) {
	return state(ctx, t.prepared(), key)
}

func state(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key uint64) (s State, ok bool, err error) {
	var cb, oo, de string
	err = q.QueryRowContext(ctx, `SELECT status, dead_reason, temperature, callback_at, opted_out_at, detached_at
		FROM numbers WHERE num = ?`, int64(key)).Scan(&s.Status, &s.DeadReason, &s.Temperature, &cb, &oo, &de)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, err
	}
	s.CallbackAt, s.OptedOutAt, s.DetachedAt = parseTime(cb), parseTime(oo), parseTime(de)
	return s, true, nil
}

// SetState saves the number's new state with the events that explain it.
func (t *Tx) SetState(ctx context.Context, key uint64, s State, events []Event) error {
	// Of a number the database knows only, as an UPDATE of numbers was.
	_, err := t.prepared().ExecContext(ctx, `INSERT INTO number_marks (num, status, dead_reason, temperature,
			callback_at, opted_out_at, detached_at)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM number_keys WHERE num = ?1)
		ON CONFLICT (num) DO UPDATE SET status = excluded.status, dead_reason = excluded.dead_reason,
			temperature = excluded.temperature, callback_at = excluded.callback_at,
			opted_out_at = excluded.opted_out_at, detached_at = excluded.detached_at`,
		int64(key), s.Status, s.DeadReason, s.Temperature, formatOptTime(s.CallbackAt), formatOptTime(s.OptedOutAt),
		formatOptTime(s.DetachedAt))
	if err != nil {
		return fmt.Errorf("save status: %w", err)
	}
	for _, e := range events {
		if err := t.addEvent(ctx, key, e); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) addEvent(ctx context.Context, key uint64, e Event) error {
	if _, err := t.prepared().ExecContext(ctx, `INSERT INTO events (num, at, what, detail, cause, actor) VALUES (?, ?, ?, ?, ?, ?)`,
		int64(key), formatTime(e.At), e.What, e.Detail, e.Cause, e.Actor); err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	return nil
}

// AddCall records a call; added is false when the same call (number, time,
// agent, outcome) is already recorded.
func (t *Tx) AddCall(ctx context.Context, key uint64, c Call) (added bool, err error) {
	res, err := t.prepared().ExecContext(ctx, `INSERT INTO calls (num, at, outcome, agent, duration, callback_at, note, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, int64(key), formatTime(c.At), c.Outcome, c.Agent,
		c.Duration, formatOptTime(c.CallbackAt), c.Note, c.Source)
	if err != nil {
		return false, fmt.Errorf("record call: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	// The list that carried the call: the number's lease, if it was live
	// when the call was made (exported before it, ending after it). A
	// result ends that lease; a late result of an older list leaves a
	// newer list's lease alone.
	base, err := t.endLease(ctx, key, c.At)
	if err != nil {
		return true, err
	}
	at := formatTime(c.At)
	// The number's latest call, kept on it for call lists.
	_, err = t.prepared().ExecContext(ctx, `INSERT INTO number_marks (num, last_call_at, last_outcome, last_call_base)
		SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM number_keys WHERE num = ?1)
		ON CONFLICT (num) DO UPDATE SET last_call_at = excluded.last_call_at, last_outcome = excluded.last_outcome,
			last_call_base = excluded.last_call_base
		WHERE number_marks.last_call_at <= excluded.last_call_at`, int64(key), at, c.Outcome, base)
	return true, err
}

// RecentCalls returns up to limit of the number's calls, newest first.
func (t *Tx) RecentCalls(ctx context.Context, key uint64, limit int) ([]Call, error) {
	return calls(ctx, t.prepared(), key, limit)
}

func calls(ctx context.Context, q querier, key uint64, limit int) ([]Call, error) {
	var out []Call
	err := query(ctx, q, `SELECT at, outcome, agent, duration, callback_at, note, source FROM calls
		WHERE num = ? ORDER BY at DESC, id DESC LIMIT ?`, []any{int64(key), limit}, func(r *sql.Rows) error {
		var (
			c      Call
			at, cb string
		)
		err := r.Scan(&at, &c.Outcome, &c.Agent, &c.Duration, &cb, &c.Note, &c.Source)
		c.At, c.CallbackAt = parseTime(at), parseTime(cb)
		out = append(out, c)
		return err
	})
	return out, err
}

// Setting returns the value stored for key; ok is false when none is.
func (t *Tx) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	return setting(ctx, t.tx, key)
}

// Setting is Tx.Setting outside a transaction.
func (s *Store) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	return setting(ctx, s.db, key)
}

func setting(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key string) (string, bool, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// SetSetting stores value for key.
func (t *Tx) SetSetting(ctx context.Context, key, value string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// formatOptTime is formatTime with the zero time as "".
func formatOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// parseTime reads what formatTime wrote; "" is the zero time.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// NumberHistory is everything the database holds about one number.
type NumberHistory struct {
	Key                     uint64
	Type, Country           string
	Operator, Region, Zones string
	State                   State
	Bases                   []Membership
	Calls                   []Call // oldest first
	Events                  []Event
	Consents                []Consent // oldest first
}

// Membership is a base holding the number, with the row it came in.
type Membership struct {
	Base   string
	Header []string
	Row    Row
}

// History returns what the database knows about the number; ok is false
// when it does not know it.
func (s *Store) History(ctx context.Context, key uint64) (h NumberHistory, ok bool, err error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return h, false, err
	}
	defer tx.Rollback()
	h.Key = key
	err = tx.QueryRowContext(ctx, `SELECT n.type, n.country, p.operator, p.region, p.zones FROM numbers n
		JOIN places p ON p.id = n.place_id WHERE n.num = ?`, int64(key)).Scan(&h.Type, &h.Country, &h.Operator, &h.Region, &h.Zones)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, err
	}
	if h.State, _, err = state(ctx, tx, key); err != nil {
		return h, true, err
	}
	type member struct {
		base   string
		row    int64
		header string
	}
	links, err := basesHolding(ctx, tx, key)
	if err != nil {
		return h, true, err
	}
	members := make([]member, len(links))
	for i, l := range links {
		m := &members[i]
		m.row = l.row
		err := tx.QueryRowContext(ctx, `SELECT b.name, coalesce(t.header, '[]') FROM bases b
			LEFT JOIN row_blocks rb ON rb.id = ?2 / `+fmt.Sprint(blockRows)+`
			LEFT JOIN import_tables t ON t.import_id = rb.import_id AND t.idx = rb.tbl
			WHERE b.id = ?1`, l.base, l.row).Scan(&m.base, &m.header)
		if err != nil {
			return h, true, err
		}
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.base, b.base) })
	for _, m := range members {
		ms := Membership{Base: m.base}
		json.Unmarshal([]byte(m.header), &ms.Header)
		if ms.Row, err = readRow(ctx, tx, m.row); err != nil {
			return h, true, err
		}
		h.Bases = append(h.Bases, ms)
	}
	all, err := calls(ctx, tx, key, -1)
	if err != nil {
		return h, true, err
	}
	slices.Reverse(all)
	h.Calls = all
	if h.Consents, err = consents(ctx, tx, key); err != nil {
		return h, true, err
	}
	err = query(ctx, tx, `SELECT at, what, detail, cause, actor FROM events WHERE num = ? ORDER BY at, id`,
		[]any{int64(key)}, func(r *sql.Rows) error {
			var (
				e  Event
				at string
			)
			err := r.Scan(&at, &e.What, &e.Detail, &e.Cause, &e.Actor)
			e.At = parseTime(at)
			h.Events = append(h.Events, e)
			return err
		})
	return h, true, err
}

// readRow reads one stored row; a row whose block is gone (a forgotten
// person's) comes back empty.
func readRow(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) (Row, error) {
	block, i := blockOf(id)
	var data []byte
	err := q.QueryRowContext(ctx, `SELECT data FROM row_blocks WHERE id = ?`, block).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Row{ID: id}, nil
	}
	if err != nil {
		return Row{}, err
	}
	rows, err := decodeBlock(block, data)
	if err != nil {
		return Row{}, err
	}
	if i >= len(rows) {
		return Row{}, fmt.Errorf("row %d: %w", id, errBadBlock)
	}
	return rows[i], nil
}
