package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/callbase/callbase/internal/callbase"
)

// writer holds the statements that store an import's blocks and
// numbers. (A writer goroutine beside the reading was tried: it won
// nothing, as reading and normalizing keep both cores busy already.)
type writer struct {
	ctx          context.Context
	tx           *sql.Tx
	importID     int64
	addBlock     *sql.Stmt
	active, dead *batch
	links        *linkWriter
	kinds        int   // the kinds the numbers statements know
	inserted     int64 // numbers the statements of earlier kinds inserted
	closed       bool
}

func startWriter(ctx context.Context, tx *sql.Tx, importID, baseID int64) (*writer, error) {
	w := &writer{ctx: ctx, tx: tx, importID: importID}
	var err error
	if w.addBlock, err = tx.PrepareContext(ctx, `INSERT INTO row_blocks (id, import_id, tbl, data) VALUES (?, ?, ?, ?)`); err != nil {
		return nil, err
	}
	if w.links, err = newLinkWriter(ctx, tx, baseID); err != nil {
		w.addBlock.Close()
		return nil, err
	}
	return w, nil
}

// block writes a row block.
func (w *writer) block(id int64, tbl int, data []byte) error {
	if _, err := w.addBlock.ExecContext(w.ctx, id, w.importID, tbl, data); err != nil {
		return fmt.Errorf("store rows: %w", err)
	}
	return nil
}

// numbers writes the numbers feed hands to write, in chunks sorted by key
// and ascending, with their links to the base.
//
// The CHECK constraints of numbers are not evaluated meanwhile: the only
// checked columns these INSERTs set are status, a constant 'active' or
// 'dead', and temperature, its default 'cold', so they cannot fail. SQLite
// evaluates temperature's IN list by building a temporary index for every
// row, which made writing a number twice as slow (6.2 s for 1M, 3.4 s
// without). The pragma belongs to the connection, which is the
// transaction's: it is switched back on before anything else runs there.
func (w *writer) numbers(kinds []kind, feed func(write func([]pendingNumber) error) error) (err error) {
	if w.active == nil || len(kinds) != w.kinds {
		w.numbersStatements(kinds)
	}
	if err := w.checks(false); err != nil {
		return err
	}
	defer func() {
		if e := w.checks(true); err == nil {
			err = e
		}
	}()
	if err := feed(w.chunk); err != nil {
		return err
	}
	return w.links.finish()
}

// chunk writes numbers sorted by key with their links to the base: first
// the numbers, as the links refer to them.
func (w *writer) chunk(p []pendingNumber) error {
	for _, n := range p {
		b := w.active
		if n.dead {
			b = w.dead
		}
		if err := b.add(w.ctx, w.tx, int64(n.key), int64(n.place)<<16|int64(n.kind)); err != nil {
			return err
		}
	}
	for _, b := range []*batch{w.active, w.dead} {
		if err := b.exec(w.ctx, w.tx); err != nil {
			return err
		}
	}
	for _, n := range p {
		if err := w.links.add(n.key, n.row); err != nil {
			return err
		}
	}
	return nil
}

// numbersStatements makes the batches that write numbers know the kinds
// met so far. The values all rows share are written into the statements,
// and a number's type and country are picked by the index of its kind:
// SQLite binds each argument at a cost, a string's more than an integer's
// (1M numbers: 3.2 s with four arguments, two of them strings; 2.7 s with
// two integers).
func (w *writer) numbersStatements(kinds []kind) {
	for _, b := range []*batch{w.active, w.dead} {
		if b != nil {
			b.close()
			w.inserted += b.affected
		}
	}
	var typ, country strings.Builder
	for i, k := range kinds {
		fmt.Fprintf(&typ, " WHEN %d THEN %s", i, quote(k.typ))
		fmt.Fprintf(&country, " WHEN %d THEN %s", i, quote(k.country))
	}
	numbers := func(status, reason string) *batch {
		return &batch{name: "numbers", sql: fmt.Sprintf(`INSERT INTO numbers (num, type, country, place_id, status, dead_reason, first_import_id)
			SELECT column1, CASE column2 & 65535%s END, CASE column2 & 65535%s END, column2 >> 16, %s, %s, %d FROM (VALUES `,
			typ.String(), country.String(), quote(status), quote(reason), w.importID),
			tuple: "(?,?)", width: 2, suffix: `) WHERE true ON CONFLICT (num) DO NOTHING`}
	}
	w.active, w.dead = numbers("active", ""), numbers("dead", callbase.Unallocated)
	w.kinds = len(kinds)
}

// quote is s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// checks switches the evaluation of CHECK constraints on the transaction's
// connection. Switching them on again must happen even when the import's
// context was cancelled, or the connection would go back to the pool
// without them.
func (w *writer) checks(on bool) error {
	q := `PRAGMA ignore_check_constraints = 1`
	if on {
		q = `PRAGMA ignore_check_constraints = 0`
	}
	if _, err := w.tx.ExecContext(context.WithoutCancel(w.ctx), q); err != nil {
		return fmt.Errorf("store numbers: %w", err)
	}
	return nil
}

// finish closes the statements and returns how many numbers were new to
// the database.
func (w *writer) finish() int64 {
	if !w.closed {
		w.closed = true
		w.addBlock.Close()
		w.links.close()
		for _, b := range []*batch{w.active, w.dead} {
			if b != nil {
				b.close()
			}
		}
	}
	n := w.inserted
	for _, b := range []*batch{w.active, w.dead} {
		if b != nil {
			n += b.affected
		}
	}
	return n
}
