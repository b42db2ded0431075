package store

import (
	"context"
	"database/sql"
)

// PendingExport is an export committed with its list still in a temporary
// file: its command was killed between the commit and the rename, or is
// between them now.
type PendingExport struct {
	ID   int64
	Temp string // where the list waits
}

// SetPending records where an export's finished list waits and where it
// goes, in the transaction that leases its numbers.
func (t *Tx) SetPending(ctx context.Context, export int64, path, temp string) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE exports SET path = ?, pending = ? WHERE id = ?`, path, temp, export)
	return err
}

// ClearPending records that an export's list is in place.
func (t *Tx) ClearPending(ctx context.Context, export int64) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE exports SET pending = '' WHERE id = ?`, export)
	return err
}

// UndoExport erases an export whose list never went out, and its leases:
// as if it had not run.
func (t *Tx) UndoExport(ctx context.Context, export int64) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM lease_blocks WHERE export_id = ?`, export); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `DELETE FROM exports WHERE id = ?`, export)
	return err
}

// PendingExports lists the exports whose list waits in a temporary file,
// oldest first.
func (t *Tx) PendingExports(ctx context.Context) ([]PendingExport, error) {
	var out []PendingExport
	err := query(ctx, t.tx, `SELECT id, pending FROM exports WHERE pending != '' ORDER BY id`, nil, func(r *sql.Rows) error {
		var p PendingExport
		err := r.Scan(&p.ID, &p.Temp)
		out = append(out, p)
		return err
	})
	return out, err
}
