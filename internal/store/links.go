package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// A base's numbers are kept in blocks, as its rows are: base_links holds
// each base's numbers in key order, up to linkBlockSize a block, with the
// row of the base each was first found in. A block answers for the keys
// from its first up to the next block's first. Linking a million numbers
// one row each took 1.6 s of a 9 s import; as eight thousand blocks it
// takes a tenth of a second.
//
// The numbers and rows are JSON arrays, so that SQL can still walk a
// base's numbers with json_each where a command needs them all (the rest
// cycle's check, Store.Check).
var linkBlockSize = 128 // migration 0007 packs by the same size; tests make it small

// linkBlock is one block's links, decoded: keys ascending, each with its
// first row.
type linkBlock struct {
	keys []uint64
	rows []int64
}

// appendJSONInts appends the values as a JSON array.
func appendJSONInts[T uint64 | int64](b []byte, vals []T) []byte {
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		if u, ok := any(v).(uint64); ok {
			b = strconv.AppendUint(b, u, 10)
		} else {
			b = strconv.AppendInt(b, int64(v), 10)
		}
	}
	return append(b, ']')
}

var (
	errBadLinks = errors.New("damaged base links")
	errNotInts  = errors.New("not a JSON array of numbers")
)

// parseJSONUints parses a JSON array of non-negative integers as written
// by appendJSONInts or SQLite's json_group_array, appending to dst.
func parseJSONUints(s string, dst []uint64) ([]uint64, error) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return dst, errNotInts
	}
	s = s[1 : len(s)-1]
	if s == "" {
		return dst, nil
	}
	var v uint64
	digits := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if digits == 0 {
				return dst, errNotInts
			}
			dst = append(dst, v)
			v, digits = 0, 0
			continue
		}
		c := s[i] - '0'
		if c > 9 || digits == 19 {
			return dst, errNotInts
		}
		v = v*10 + uint64(c)
		digits++
	}
	return dst, nil
}

// decode reads a block's two arrays into b, checking what the rest of the
// store relies on: as many rows as keys, at least one, keys ascending.
func (b *linkBlock) decode(nums, rows string) error {
	var err error
	if b.keys, err = parseJSONUints(nums, b.keys[:0]); err != nil {
		return errBadLinks
	}
	var r []uint64
	if r, err = parseJSONUints(rows, nil); err != nil {
		return errBadLinks
	}
	if len(r) != len(b.keys) || len(r) == 0 {
		return errBadLinks
	}
	b.rows = b.rows[:0]
	for i, row := range r {
		if (i > 0 && b.keys[i] <= b.keys[i-1]) || row > math.MaxInt64 {
			return errBadLinks
		}
		b.rows = append(b.rows, int64(row))
	}
	return nil
}

// linkFinder tells which numbers a base holds, and their first rows, for
// numbers asked in ascending order: each block is read once.
type linkFinder struct {
	ctx        context.Context
	base       int64
	at, after  *sql.Stmt
	lo, hi     uint64 // the keys blk answers for: lo <= key < hi
	read, last bool   // a block (or the gap before the first) was read; it is the last
	blk        linkBlock
}

// preparer is a transaction or a database.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func newLinkFinder(ctx context.Context, db preparer, base int64) (*linkFinder, error) {
	f := &linkFinder{ctx: ctx, base: base}
	var err error
	if f.at, err = db.PrepareContext(ctx, `SELECT first, nums, rows FROM base_links
		WHERE base_id = ?1 AND first <= ?2 ORDER BY first DESC LIMIT 1`); err != nil {
		return nil, err
	}
	if f.after, err = db.PrepareContext(ctx, `SELECT min(first) FROM base_links WHERE base_id = ?1 AND first > ?2`); err != nil {
		f.at.Close()
		return nil, err
	}
	return f, nil
}

func (f *linkFinder) close() {
	f.at.Close()
	f.after.Close()
}

// find returns key's first row in the base, and whether the base holds
// key at all.
func (f *linkFinder) find(key uint64) (row int64, ok bool, err error) {
	if !f.read || key < f.lo || (!f.last && key >= f.hi) {
		if err := f.seek(key); err != nil {
			return 0, false, err
		}
	}
	i, ok := slices.BinarySearch(f.blk.keys, key)
	if !ok {
		return 0, false, nil
	}
	return f.blk.rows[i], true, nil
}

// seek reads the block that answers for key.
func (f *linkFinder) seek(key uint64) error {
	var (
		first      int64
		nums, rows string
		next       sql.NullInt64
	)
	f.blk.keys, f.blk.rows, f.lo = f.blk.keys[:0], f.blk.rows[:0], 0
	err := f.at.QueryRowContext(f.ctx, f.base, int64(key)).Scan(&first, &nums, &rows)
	switch {
	case errors.Is(err, sql.ErrNoRows): // before the base's first block: the gap holds nothing
	case err != nil:
		return err
	default:
		if err := f.blk.decode(nums, rows); err != nil || f.blk.keys[0] != uint64(first) {
			return fmt.Errorf("base %d, links from %d: %w", f.base, first, errBadLinks)
		}
		f.lo = uint64(first)
	}
	if err := f.after.QueryRowContext(f.ctx, f.base, int64(key)).Scan(&next); err != nil {
		return err
	}
	f.hi, f.last, f.read = uint64(next.Int64), !next.Valid, true
	return nil
}

// baseLink is a base holding a number, and the row the number was first
// found in there.
type baseLink struct{ base, row int64 }

// basesHolding returns the bases holding key, by id, each with key's
// first row: for each base, the one block that answers for key.
func basesHolding(ctx context.Context, q querier, key uint64) ([]baseLink, error) {
	var (
		links []baseLink
		blk   linkBlock
	)
	err := query(ctx, q, `SELECT b.id, bl.first, bl.nums, bl.rows FROM bases b CROSS JOIN base_links bl
		ON bl.id = (SELECT id FROM base_links WHERE base_id = b.id AND first <= ?1 ORDER BY first DESC LIMIT 1)
		ORDER BY b.id`, []any{int64(key)}, func(r *sql.Rows) error {
		var (
			base, first int64
			nums, rows  string
		)
		if err := r.Scan(&base, &first, &nums, &rows); err != nil {
			return err
		}
		if err := blk.decode(nums, rows); err != nil || blk.keys[0] != uint64(first) {
			return fmt.Errorf("base %d, links from %d: %w", base, first, errBadLinks)
		}
		if i, ok := slices.BinarySearch(blk.keys, key); ok {
			links = append(links, baseLink{base, blk.rows[i]})
		}
		return nil
	})
	return links, err
}

// unlink drops key from the links of base, if it holds it.
func unlink(ctx context.Context, tx *sql.Tx, base int64, key uint64) error {
	var (
		id, first  int64
		nums, rows string
		blk        linkBlock
	)
	err := tx.QueryRowContext(ctx, `SELECT id, first, nums, rows FROM base_links WHERE base_id = ? AND first <= ?
		ORDER BY first DESC LIMIT 1`, base, int64(key)).Scan(&id, &first, &nums, &rows)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := blk.decode(nums, rows); err != nil || blk.keys[0] != uint64(first) {
		return fmt.Errorf("base %d, links from %d: %w", base, first, errBadLinks)
	}
	i, ok := slices.BinarySearch(blk.keys, key)
	switch {
	case !ok:
		return nil
	case len(blk.keys) == 1:
		_, err = tx.ExecContext(ctx, `DELETE FROM base_links WHERE id = ?`, id)
	default:
		// A block whose first number goes answers from its next one on:
		// no other block answers for the keys between.
		keys, rows := slices.Delete(blk.keys, i, i+1), slices.Delete(blk.rows, i, i+1)
		_, err = tx.ExecContext(ctx, `UPDATE base_links SET first = ?, count = ?, nums = ?, rows = ? WHERE id = ?`,
			int64(keys[0]), len(keys), string(appendJSONInts(nil, keys)), string(appendJSONInts(nil, rows)), id)
	}
	return err
}

// linkCount is the SQL for the number of numbers base ?1 holds.
const linkCount = `(SELECT coalesce(sum(count), 0) FROM base_links WHERE base_id = ?1)`

// linkWriter links numbers, given in ascending key order, to a base: in
// new blocks where the base had none, merged into its blocks where it had.
// A number the base holds already keeps its first row.
type linkWriter struct {
	ctx   context.Context
	tx    *sql.Tx
	base  int64
	old   []linkRef // the base's blocks before, by first
	next  int       // old[next:] are not reached yet
	in    linkBlock // the links of the old block being merged not yet passed on
	out   linkBlock // links waiting to be written
	write *sql.Stmt
}

type linkRef struct {
	id    int64
	first uint64
}

func newLinkWriter(ctx context.Context, tx *sql.Tx, base int64) (*linkWriter, error) {
	w := &linkWriter{ctx: ctx, tx: tx, base: base}
	err := query(ctx, tx, `SELECT id, first FROM base_links WHERE base_id = ? ORDER BY first`, []any{base}, func(r *sql.Rows) error {
		var (
			ref   linkRef
			first int64
		)
		err := r.Scan(&ref.id, &first)
		ref.first = uint64(first)
		w.old = append(w.old, ref)
		return err
	})
	if err != nil {
		return nil, err
	}
	if w.write, err = tx.PrepareContext(ctx, `INSERT INTO base_links (base_id, first, count, nums, rows) VALUES (?, ?, ?, ?, ?)`); err != nil {
		return nil, err
	}
	return w, nil
}

// add links key, first found in row, unless the base holds it already.
func (w *linkWriter) add(key uint64, row int64) error {
	if err := w.passBefore(key); err != nil {
		return err
	}
	if len(w.in.keys) == 0 {
		if err := w.reach(key); err != nil {
			return err
		}
	}
	if len(w.in.keys) > 0 && w.in.keys[0] == key {
		return nil // held already
	}
	return w.emit(key, row)
}

// reach merges the old block that answers for key, if it is not merged
// yet. Old blocks wholly before key stay as they are, unless the links
// waiting are too few for a block of their own: then the next old block
// is merged too. Otherwise every small import into a big base would leave
// a block of a link or two behind each block it adds to.
func (w *linkWriter) reach(key uint64) error {
	j := w.next
	for j < len(w.old) && w.old[j].first <= key {
		j++
	}
	if j == w.next {
		return nil // key is in the part answered by the block merged last, or before the base's first
	}
	for w.next < j-1 {
		if len(w.out.keys) == 0 || len(w.out.keys) >= linkBlockSize/2 {
			// Blocks stay between the links waiting and key: a block
			// written across them would hide them.
			if err := w.flush(); err != nil {
				return err
			}
			break
		}
		if err := w.merge(w.next); err != nil {
			return err
		}
		if err := w.pass(len(w.in.keys)); err != nil {
			return err
		}
	}
	w.next = j
	if err := w.merge(j - 1); err != nil {
		return err
	}
	return w.passBefore(key)
}

// merge takes old block i out of the table into in, and moves next past it.
func (w *linkWriter) merge(i int) error {
	ref := w.old[i]
	var nums, rows string
	if err := w.tx.QueryRowContext(w.ctx, `DELETE FROM base_links WHERE id = ? RETURNING nums, rows`, ref.id).Scan(&nums, &rows); err != nil {
		return err
	}
	if err := w.in.decode(nums, rows); err != nil || w.in.keys[0] != ref.first {
		return fmt.Errorf("base %d, links from %d: %w", w.base, ref.first, errBadLinks)
	}
	w.next = i + 1
	return nil
}

// passBefore passes the old block's links below key on to be written.
func (w *linkWriter) passBefore(key uint64) error {
	n := 0
	for n < len(w.in.keys) && w.in.keys[n] < key {
		n++
	}
	return w.pass(n)
}

// pass passes the first n links of the old block on to be written.
func (w *linkWriter) pass(n int) error {
	for i := range n {
		if err := w.emit(w.in.keys[i], w.in.rows[i]); err != nil {
			return err
		}
	}
	w.in.keys, w.in.rows = w.in.keys[n:], w.in.rows[n:]
	return nil
}

func (w *linkWriter) emit(key uint64, row int64) error {
	w.out.keys = append(w.out.keys, key)
	w.out.rows = append(w.out.rows, row)
	if len(w.out.keys) < 2*linkBlockSize {
		return nil
	}
	// A full block goes; as many wait, so that the last block written
	// where the links end need not be short (see flush).
	if err := w.writeBlock(0, linkBlockSize); err != nil {
		return err
	}
	n := copy(w.out.keys, w.out.keys[linkBlockSize:])
	copy(w.out.rows, w.out.rows[linkBlockSize:])
	w.out.keys, w.out.rows = w.out.keys[:n], w.out.rows[:n]
	return nil
}

// flush writes the links waiting: as one block, or as two halves when
// they are more than a block's worth.
func (w *linkWriter) flush() error {
	n := len(w.out.keys)
	var err error
	switch {
	case n > linkBlockSize:
		if err = w.writeBlock(0, n/2); err == nil {
			err = w.writeBlock(n/2, n)
		}
	case n > 0:
		err = w.writeBlock(0, n)
	}
	w.out.keys, w.out.rows = w.out.keys[:0], w.out.rows[:0]
	return err
}

// writeBlock writes the links waiting from i up to j as a block.
func (w *linkWriter) writeBlock(i, j int) error {
	keys, rows := w.out.keys[i:j], w.out.rows[i:j]
	nums, rowsText := appendJSONInts(nil, keys), appendJSONInts(nil, rows)
	if _, err := w.write.ExecContext(w.ctx, w.base, int64(keys[0]), len(keys), string(nums), string(rowsText)); err != nil {
		return fmt.Errorf("store links of numbers to the base: %w", err)
	}
	return nil
}

// finish writes what waits: the rest of the old block merged, and the
// links added last, with the next old block too when they are few.
func (w *linkWriter) finish() error {
	if err := w.pass(len(w.in.keys)); err != nil {
		return err
	}
	if n := len(w.out.keys); n > 0 && n < linkBlockSize/2 && w.next < len(w.old) {
		if err := w.merge(w.next); err != nil {
			return err
		}
		if err := w.pass(len(w.in.keys)); err != nil {
			return err
		}
	}
	return w.flush()
}

func (w *linkWriter) close() {
	if w.write != nil {
		w.write.Close()
	}
}

// packLinks is the Go step of migration 0007: it packs the rows of
// base_numbers into blocks of base links, base by base, and drops it.
func packLinks(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT base_id, num, first_row_id FROM base_numbers ORDER BY base_id, num`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var w *linkWriter
	defer func() {
		if w != nil {
			w.close()
		}
	}()
	for rows.Next() {
		var base, num, row int64
		if err := rows.Scan(&base, &num, &row); err != nil {
			return err
		}
		if w == nil || w.base != base {
			if w != nil {
				if err := w.finish(); err != nil {
					return err
				}
				w.close()
			}
			if w, err = newLinkWriter(ctx, tx, base); err != nil {
				return err
			}
		}
		if err := w.add(uint64(num), row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if w != nil {
		if err := w.finish(); err != nil {
			return err
		}
	}
	rows.Close()
	// Dropped without overwriting its pages, as 0008 drops numbers (see
	// there); the connection's setting is put back. Should that fail, the
	// migration fails, and open closes the database with its connections.
	if _, err := tx.ExecContext(ctx, `PRAGMA secure_delete = 0`); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE base_numbers`)
	if _, e := tx.ExecContext(context.WithoutCancel(ctx), `PRAGMA secure_delete = 1`); err == nil {
		err = e
	}
	return err
}
