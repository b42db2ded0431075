package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// packRows is the Go step of migration 0002: it packs the rows of 0001,
// with the numbers found in them, into row blocks, points base_numbers at
// the rows' new ids and drops the tables 0002 replaces.
func packRows(ctx context.Context, tx *sql.Tx) error {
	links := map[int64][]Link{}
	err := query(ctx, tx, `SELECT row_id, num, col, ext FROM row_numbers`, nil, func(r *sql.Rows) error {
		var (
			row int64
			l   Link
		)
		err := r.Scan(&row, &l.Key, &l.Col, &l.Ext)
		links[row] = append(links[row], l)
		return err
	})
	if err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO row_blocks (id, import_id, tbl, data) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	var (
		b        blockBuilder
		block    int64 = 1
		imp, tbl int64 = -1, -1
		newID          = map[int64]int64{}
		flush          = func() error {
			if b.nRows == 0 {
				return nil
			}
			_, err := ins.ExecContext(ctx, block, imp, tbl, b.encode())
			block++
			return err
		}
	)
	err = query(ctx, tx, `SELECT id, import_id, tbl, line, fields FROM rows ORDER BY id`, nil, func(r *sql.Rows) error {
		var (
			id, rImp, rTbl int64
			line           int
			fields         string
		)
		if err := r.Scan(&id, &rImp, &rTbl, &line, &fields); err != nil {
			return err
		}
		if rImp != imp || rTbl != tbl || b.full() {
			if err := flush(); err != nil {
				return err
			}
			imp, tbl = rImp, rTbl
		}
		var f []string
		if err := json.Unmarshal([]byte(fields), &f); err != nil {
			return fmt.Errorf("row %d: %w", id, err)
		}
		i := b.addRow(line, f)
		for _, l := range links[id] {
			b.addLink(i, l)
		}
		newID[id] = rowID(block, i)
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	type member struct{ base, num, row int64 }
	var members []member
	err = query(ctx, tx, `SELECT base_id, num, first_row_id FROM base_numbers`, nil, func(r *sql.Rows) error {
		var m member
		err := r.Scan(&m.base, &m.num, &m.row)
		members = append(members, m)
		return err
	})
	if err != nil {
		return err
	}
	for _, m := range members {
		if _, err := tx.ExecContext(ctx, `INSERT INTO base_numbers_new (base_id, num, first_row_id) VALUES (?, ?, ?)`,
			m.base, m.num, newID[m.row]); err != nil {
			return err
		}
	}
	// Children before parents, so no foreign key ever points nowhere.
	for _, q := range []string{
		`DROP TABLE base_numbers`, `DROP TABLE row_numbers`, `DROP TABLE rows`, `DROP TABLE numbers`,
		`ALTER TABLE numbers_new RENAME TO numbers`, `ALTER TABLE base_numbers_new RENAME TO base_numbers`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
