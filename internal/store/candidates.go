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
)

// Candidate is a number of a base with everything the calling rules ask.
type Candidate struct {
	Key                     uint64
	Type, Country           string
	Operator, Region, Zones string
	State                   State
	LastCallAt              time.Time
	LastOutcome             string
	LastCallBase            int64
	Attempts                int // calls since the base's cycle started
	LeaseUntil              time.Time
	LeaseBase               string
	Consent                 map[string]Consent // scope -> the event in force at now
	FirstRow                int64              // the row of the base it was first found in
}

// Candidates calls fn for every number of base b (or only for key, when
// not 0) with the facts as of now.
func (t *Tx) Candidates(ctx context.Context, b BaseInfo, now time.Time, key uint64, fn func(*Candidate) error) error {
	start, at := formatTime(b.CycleStartedAt), formatTime(now)
	consent := func(scope string) string {
		// The latest event at or before now; a withdrawal wins a tie.
		return `(SELECT c.granted || '|' || c.at || '|' || c.expires_at FROM consents c
			WHERE c.num = n.num AND c.scope = '` + scope + `' AND c.at <= ?3 ORDER BY c.at DESC, c.granted LIMIT 1)`
	}
	q := `SELECT n.num, n.type, n.country, p.operator, p.region, p.zones, n.status, n.dead_reason, n.temperature,
			n.callback_at, n.opted_out_at, n.detached_at, n.last_call_at, n.last_outcome, n.last_call_base,
			CASE WHEN n.last_call_at >= ?2 THEN (SELECT count(*) FROM calls c WHERE c.num = n.num AND c.at >= ?2) ELSE 0 END,
			coalesce(l.until, ''), coalesce(lb.name, ''), coalesce(` + consent("ads") + `, ''), coalesce(` + consent("pd") + `, ''),
			bn.first_row_id
		FROM base_numbers bn JOIN numbers n ON n.num = bn.num JOIN places p ON p.id = n.place_id
		LEFT JOIN leases l ON l.num = n.num LEFT JOIN bases lb ON lb.id = l.base_id
		WHERE bn.base_id = ?1`
	args := []any{b.ID, start, at}
	if key != 0 {
		q += ` AND bn.num = ?4`
		args = append(args, int64(key))
	}
	return query(ctx, t.tx, q, args, func(r *sql.Rows) error {
		var (
			c                                Candidate
			cb, oo, de, last, until, ads, pd string
		)
		err := r.Scan(&c.Key, &c.Type, &c.Country, &c.Operator, &c.Region, &c.Zones, &c.State.Status, &c.State.DeadReason,
			&c.State.Temperature, &cb, &oo, &de, &last, &c.LastOutcome, &c.LastCallBase, &c.Attempts, &until, &c.LeaseBase,
			&ads, &pd, &c.FirstRow)
		if err != nil {
			return err
		}
		c.State.CallbackAt, c.State.OptedOutAt, c.State.DetachedAt = parseTime(cb), parseTime(oo), parseTime(de)
		c.LastCallAt, c.LeaseUntil = parseTime(last), parseTime(until)
		c.Consent = map[string]Consent{}
		for scope, s := range map[string]string{"ads": ads, "pd": pd} {
			if e, ok, err := consentInForce(s, now); err != nil {
				return fmt.Errorf("consent of +%d: %w", c.Key, err)
			} else if ok {
				e.Scope = scope
				c.Consent[scope] = e
			}
		}
		return fn(&c)
	})
}

// consentInForce reads "granted|at|expires_at"; an expired grant is not
// in force.
func consentInForce(s string, now time.Time) (Consent, bool, error) {
	if s == "" {
		return Consent{}, false, nil
	}
	parts := strings.Split(s, "|")
	if len(parts) != 3 {
		return Consent{}, false, fmt.Errorf("stored as %q", s)
	}
	c := Consent{Granted: parts[0] == "1", At: parseTime(parts[1]), ExpiresAt: parseTime(parts[2])}
	if c.Granted && !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt) {
		return c, false, nil
	}
	return c, true, nil
}

// Lease holds numbers for an export until the given time.
type Lease struct {
	Key   uint64
	Base  int64
	Agent string
}

// RecordExport records an export and leases its numbers until until. The
// numbers must hold no live lease: the caller checked, in this transaction.
func (t *Tx) RecordExport(ctx context.Context, at, until time.Time, file, actor, filters string, leases []Lease) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO exports (at, file, numbers, actor, filters) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		formatTime(at), file, len(leases), actor, filters).Scan(&id)
	if err != nil {
		return 0, err
	}
	stmt, err := t.tx.PrepareContext(ctx, `INSERT INTO leases (num, export_id, base_id, agent, until) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (num) DO UPDATE SET export_id = excluded.export_id, base_id = excluded.base_id,
			agent = excluded.agent, until = excluded.until WHERE leases.until <= ?`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	for _, l := range leases {
		res, err := stmt.ExecContext(ctx, int64(l.Key), id, l.Base, l.Agent, formatTime(until), formatTime(at))
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return 0, fmt.Errorf("+%d is on a live lease already", l.Key)
		}
	}
	return id, nil
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// RowsByID reads the rows with these ids, each with its table's header,
// reading every block once.
func (t *Tx) RowsByID(ctx context.Context, ids []int64) (map[int64]Row, map[int64][]string, error) {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	rows := map[int64]Row{}
	headers := map[int64][]string{}
	var (
		block   int64 = -1
		decoded []Row
		header  []string
	)
	for _, id := range slices.Compact(sorted) {
		b, i := blockOf(id)
		if b != block {
			block = b
			var (
				data []byte
				h    string
			)
			err := t.tx.QueryRowContext(ctx, `SELECT rb.data, coalesce(t.header, '[]') FROM row_blocks rb
				LEFT JOIN import_tables t ON t.import_id = rb.import_id AND t.idx = rb.tbl WHERE rb.id = ?`, b).Scan(&data, &h)
			if errors.Is(err, sql.ErrNoRows) {
				decoded, header = nil, nil
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			if decoded, err = decodeBlock(b, data); err != nil {
				return nil, nil, err
			}
			header = nil
			if err := jsonUnmarshal(h, &header); err != nil {
				return nil, nil, err
			}
		}
		if i < len(decoded) {
			rows[id], headers[id] = decoded[i], header
		}
	}
	return rows, headers, nil
}
