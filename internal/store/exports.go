package store

import (
	"context"
	"database/sql"
	"time"
)

// PendingExport is an export committed with its file still in a temporary
// place: the command that made it was killed, or has not yet renamed it.
type PendingExport struct {
	ID      int64
	Path    string // where the list goes
	Temp    string // where it waits
	Filters string // the request, as JSON
	Numbers int
	At      time.Time
	Until   time.Time // when its leases end; zero if none is left
}

// SetPending records where an export's finished list waits and where it
// goes, in the transaction that leases its numbers.
func (t *Tx) SetPending(ctx context.Context, export int64, path, temp string) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE exports SET path = ?, pending = ? WHERE id = ?`, path, temp, export)
	return err
}

// ClearPending records that an export's list is in place, or dropped.
func (t *Tx) ClearPending(ctx context.Context, export int64) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE exports SET pending = '' WHERE id = ?`, export)
	return err
}

// PendingExports lists the exports whose list waits in a temporary file,
// oldest first.
func (t *Tx) PendingExports(ctx context.Context) ([]PendingExport, error) {
	var out []PendingExport
	err := query(ctx, t.tx, `SELECT e.id, e.path, e.pending, e.filters, e.numbers, e.at,
			coalesce((SELECT max(l.until) FROM leases l WHERE l.export_id = e.id), '')
		FROM exports e WHERE e.pending != '' ORDER BY e.id`, nil, func(r *sql.Rows) error {
		var (
			p         PendingExport
			at, until string
		)
		if err := r.Scan(&p.ID, &p.Path, &p.Temp, &p.Filters, &p.Numbers, &at, &until); err != nil {
			return err
		}
		p.At, p.Until = parseTime(at), parseTime(until)
		out = append(out, p)
		return nil
	})
	return out, err
}
