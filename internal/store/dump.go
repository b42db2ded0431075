package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Dump writes every table's rows in key order as text: a stable image of
// the database's content, whatever its pages look like. Tests compare two
// dumps to prove a command changed nothing. Numbers are dumped as the view
// numbers shows them: a row of number_marks with the defaults is none.
func (s *Store) Dump(ctx context.Context, w io.Writer) error {
	var tables []string
	err := query(ctx, s.db, `SELECT name FROM sqlite_schema
		WHERE (type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('kinds', 'number_keys', 'number_marks'))
			OR (type = 'view' AND name = 'numbers')
		ORDER BY name`,
		nil, func(r *sql.Rows) error {
			var name string
			err := r.Scan(&name)
			tables = append(tables, name)
			return err
		})
	if err != nil {
		return err
	}
	for _, t := range tables {
		if t == "lease_blocks" {
			// A lease a line, under the name and in the form of the
			// table that held them before 0009.
			fmt.Fprintf(w, "== leases\n")
			if err := dumpLeases(ctx, s.db, w); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(w, "== %s\n", t)
		switch t {
		case "row_blocks":
			if err := dumpBlocks(ctx, s.db, w); err != nil {
				return err
			}
			continue
		case "base_links":
			if err := dumpLinks(ctx, s.db, w); err != nil {
				return err
			}
			continue
		}
		rows, err := s.db.QueryContext(ctx, `SELECT * FROM "`+t+`" ORDER BY 1, 2`)
		if err != nil {
			return err
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = fmt.Sprintf("%v", v)
			}
			fmt.Fprintln(w, strings.Join(parts, "|"))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// dumpBlocks writes the rows of the row blocks one per line, links after
// the fields: id|import|table|line|fields|key:col:ext...
func dumpBlocks(ctx context.Context, db querier, w io.Writer) error {
	return query(ctx, db, `SELECT id, import_id, tbl, data FROM row_blocks ORDER BY id`, nil, func(r *sql.Rows) error {
		var (
			id, imp, tbl int64
			data         []byte
		)
		if err := r.Scan(&id, &imp, &tbl, &data); err != nil {
			return err
		}
		rows, err := decodeBlock(id, data)
		if err != nil {
			return err
		}
		for _, row := range rows {
			fields, _ := json.Marshal(row.Fields)
			fmt.Fprintf(w, "%d|%d|%d|%d|%s", row.ID, imp, tbl, row.Line, fields)
			for _, l := range row.Links {
				fmt.Fprintf(w, "|%d:%d:%s", l.Key, l.Col, l.Ext)
			}
			fmt.Fprintln(w)
		}
		return nil
	})
}

// dumpLinks writes the base links one per line, whatever their blocks:
// base|number|first row.
func dumpLinks(ctx context.Context, db querier, w io.Writer) error {
	var blk linkBlock
	return query(ctx, db, `SELECT base_id, nums, rows FROM base_links ORDER BY base_id, first`, nil, func(r *sql.Rows) error {
		var (
			base       int64
			nums, rows string
		)
		if err := r.Scan(&base, &nums, &rows); err != nil {
			return err
		}
		if err := blk.decode(nums, rows); err != nil {
			return fmt.Errorf("base %d: %w", base, err)
		}
		for i, k := range blk.keys {
			fmt.Fprintf(w, "%d|%d|%d\n", base, k, blk.rows[i])
		}
		return nil
	})
}
