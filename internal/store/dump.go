package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
)

// Dump writes every table's rows in key order as text: a stable image of
// the database's content, whatever its pages look like. Tests compare two
// dumps to prove a command changed nothing.
func (s *Store) Dump(ctx context.Context, w io.Writer) error {
	var tables []string
	err := query(ctx, s.db, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
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
		fmt.Fprintf(w, "== %s\n", t)
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
