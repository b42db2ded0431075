package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// packRows is the Go step of migration 0002: it packs the rows of 0001,
// with the numbers found in them, into row blocks, points base_numbers at
// the rows' new ids and drops the tables 0002 replaces. It streams: rows
// and their links are read side by side in row order, and the map from
// old row ids to new ones is a temporary table, so a database of millions
// of rows migrates in bounded memory.
func packRows(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		`CREATE TEMP TABLE row_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	insBlock, err := tx.PrepareContext(ctx, `INSERT INTO row_blocks (id, import_id, tbl, data) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insBlock.Close()
	insMap, err := tx.PrepareContext(ctx, `INSERT INTO row_map (old, new) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer insMap.Close()

	links, err := tx.QueryContext(ctx, `SELECT row_id, num, col, ext FROM row_numbers ORDER BY row_id`)
	if err != nil {
		return err
	}
	defer links.Close()
	var (
		link     Link
		linkRow  int64 = -1 // row of link; -1 before the first, 0 after the last
		nextLink       = func() error {
			if !links.Next() {
				linkRow = 0
				return links.Err()
			}
			return links.Scan(&linkRow, &link.Key, &link.Col, &link.Ext)
		}
	)
	if err := nextLink(); err != nil {
		return err
	}

	var (
		b        blockBuilder
		block    int64 = 1
		imp, tbl int64 = -1, -1
	)
	flush := func() error {
		if b.nRows == 0 {
			return nil
		}
		_, err := insBlock.ExecContext(ctx, block, imp, tbl, b.encode())
		block++
		return err
	}
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
		for linkRow > 0 && linkRow <= id {
			if linkRow == id {
				b.addLink(i, link)
			}
			if err := nextLink(); err != nil {
				return err
			}
		}
		_, err := insMap.ExecContext(ctx, id, rowID(block, i))
		return err
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	links.Close()
	// Children before parents, so no foreign key ever points nowhere.
	for _, q := range []string{
		`INSERT INTO base_numbers_new (base_id, num, first_row_id)
			SELECT bn.base_id, bn.num, m.new FROM base_numbers bn JOIN row_map m ON m.old = bn.first_row_id`,
		`DROP TABLE row_map`,
		`DROP TABLE base_numbers`, `DROP TABLE row_numbers`, `DROP TABLE rows`, `DROP TABLE numbers`,
		`ALTER TABLE numbers_new RENAME TO numbers`, `ALTER TABLE base_numbers_new RENAME TO base_numbers`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
