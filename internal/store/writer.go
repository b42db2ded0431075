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
	ctx       context.Context
	tx        *sql.Tx
	importID  int64
	addBlock  *sql.Stmt
	keys      *batch // numbers
	deadMarks *batch // the marks of new numbers never issued
	links     *linkWriter
	closed    bool

	// The file's numbers, each once (see chunk).
	last        uint64 // the last written
	unique      int
	unallocated int
	byPlace     map[uint32]int
}

func startWriter(ctx context.Context, tx *sql.Tx, importID, baseID int64) (*writer, error) {
	w := &writer{ctx: ctx, tx: tx, importID: importID, byPlace: map[uint32]int{}}
	var err error
	if w.addBlock, err = tx.PrepareContext(ctx, `INSERT INTO row_blocks (id, import_id, tbl, data) VALUES (?, ?, ?, ?)`); err != nil {
		return nil, err
	}
	if w.links, err = newLinkWriter(ctx, tx, baseID); err != nil {
		w.addBlock.Close()
		return nil, err
	}
	// A number's kind and place come as one integer: SQLite binds each
	// argument at a cost (1M numbers: 3.2 s with four arguments, two of
	// them strings; 2.7 s with two integers).
	w.keys = &batch{name: "numbers", sql: fmt.Sprintf(`INSERT INTO number_keys (num, kind, place_id, first_import_id)
		SELECT column1, column2 & 65535, column2 >> 16, %d FROM (VALUES `, importID),
		tuple: "(?,?)", width: 2, suffix: `) WHERE true ON CONFLICT (num) DO NOTHING`}
	// Only a number new to the database is marked: one it knows keeps
	// its marks. New is told by its first import being this one.
	w.deadMarks = &batch{name: "marks of numbers never issued", sql: `INSERT INTO number_marks (num, status, dead_reason)
		SELECT column1, 'dead', ` + quote(callbase.Unallocated) + ` FROM (VALUES `, tuple: "(?)", width: 1,
		suffix: fmt.Sprintf(`) WHERE EXISTS (SELECT 1 FROM number_keys k WHERE k.num = column1 AND k.first_import_id = %d)
			ON CONFLICT (num) DO NOTHING`, importID)}
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
func (w *writer) numbers(feed func(write func([]pendingNumber) error) error) error {
	if err := feed(w.chunk); err != nil {
		return err
	}
	return w.links.finish()
}

// chunk writes numbers sorted by key with their links to the base: first
// the numbers, as the links refer to them.
//
// The file's numbers come sorted by key, a number's occurrences side by
// side in file order (the sort and the merge of spilled runs are stable),
// so the first of them, the one written, holds the row the number was
// first found in; the others are dropped here.
func (w *writer) chunk(p []pendingNumber) error {
	u := p[:0]
	for _, n := range p {
		if w.unique > 0 && n.key == w.last {
			continue
		}
		w.last = n.key
		w.unique++
		if n.dead {
			w.unallocated++
		}
		w.byPlace[n.place]++
		u = append(u, n)
	}
	p = u
	for _, n := range p {
		if err := w.keys.add(w.ctx, w.tx, int64(n.key), int64(n.place)<<16|int64(n.kind)); err != nil {
			return err
		}
	}
	if err := w.keys.exec(w.ctx, w.tx); err != nil {
		return err
	}
	// After the keys they refer to, batched as they are.
	for _, n := range p {
		if n.dead {
			if err := w.deadMarks.add(w.ctx, w.tx, int64(n.key)); err != nil {
				return err
			}
		}
	}
	if err := w.deadMarks.exec(w.ctx, w.tx); err != nil {
		return err
	}
	for _, n := range p {
		if err := w.links.add(n.key, n.row); err != nil {
			return err
		}
	}
	return nil
}

// quote is s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// finish closes the statements and returns how many numbers were new to
// the database.
func (w *writer) finish() int64 {
	if !w.closed {
		w.closed = true
		w.addBlock.Close()
		w.links.close()
		w.keys.close()
		w.deadMarks.close()
	}
	return w.keys.affected
}
