package store

import (
	"context"
	"database/sql"
)

// prepared runs statements in a transaction, each prepared the first time
// it runs there and kept until the transaction ends. Statements run a
// number at a time (a call log's calls, ten of them a call) spent half
// their time in SQLite's parser, parsed anew each time.
//
// A query's rows must be closed before the same query runs again: the
// driver keeps one SQLite statement per prepared one, and running it
// again inside a loop over its own rows fails (no caller does).
type prepared struct{ t *Tx }

func (t *Tx) prepared() prepared { return prepared{t} }

func (p prepared) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := p.t.stmts[q]; ok {
		return st, nil
	}
	// Closed by the transaction's end (database/sql does).
	st, err := p.t.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if p.t.stmts == nil {
		p.t.stmts = map[string]*sql.Stmt{}
	}
	p.t.stmts[q] = st
	return st, nil
}

func (p prepared) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := p.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (p prepared) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (p prepared) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := p.stmt(ctx, q)
	if err != nil {
		return p.t.tx.QueryRowContext(ctx, q, args...) // gives the same error, as a Row
	}
	return st.QueryRowContext(ctx, args...)
}
