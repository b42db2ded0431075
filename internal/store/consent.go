package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Consent is one consent event: granted or withdrawn, for a scope.
type Consent struct {
	Scope      string // "pd" (personal data) or "ads" (advertising calls)
	Granted    bool
	At         time.Time
	ExpiresAt  time.Time // zero: does not expire
	Source     string
	Evidence   string
	Actor      string
	RecordedAt time.Time
}

// AddConsent records a consent event; added is false when the same event
// (number, scope, time, grant or withdrawal) is recorded already. Every
// event is kept: the latest per scope is in force.
func (t *Tx) AddConsent(ctx context.Context, key uint64, c Consent) (added bool, err error) {
	res, err := t.prepared().ExecContext(ctx, `INSERT INTO consents (num, scope, granted, at, expires_at, source, evidence, actor, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, int64(key), c.Scope, c.Granted, formatTime(c.At),
		formatOptTime(c.ExpiresAt), c.Source, c.Evidence, c.Actor, formatTime(c.RecordedAt))
	if err != nil {
		return false, fmt.Errorf("record consent: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	what := "withdrawn"
	if c.Granted {
		what = "granted"
	}
	detail := c.Scope + " " + what
	if !c.ExpiresAt.IsZero() {
		detail += ", expires " + formatTime(c.ExpiresAt)
	}
	return true, t.addEvent(ctx, key, Event{At: c.At, What: "consent", Detail: detail, Cause: "consent " + c.Source, Actor: c.Actor})
}

// consents returns the number's consent events, oldest first.
func consents(ctx context.Context, q querier, key uint64) ([]Consent, error) {
	var out []Consent
	err := query(ctx, q, `SELECT scope, granted, at, expires_at, source, evidence, actor, recorded_at
		FROM consents WHERE num = ? ORDER BY at, id`, []any{int64(key)}, func(r *sql.Rows) error {
		var (
			c                 Consent
			at, exp, recorded string
		)
		err := r.Scan(&c.Scope, &c.Granted, &at, &exp, &c.Source, &c.Evidence, &c.Actor, &recorded)
		c.At, c.ExpiresAt, c.RecordedAt = parseTime(at), parseTime(exp), parseTime(recorded)
		out = append(out, c)
		return err
	})
	return out, err
}
