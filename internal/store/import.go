package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/callbase/callbase/internal/callbase"
)

// ImportInfo describes one file being imported into a base.
type ImportInfo struct {
	Base        string
	Source      string // "" keeps the base's source
	Temperature string // "" keeps the base's temperature ("cold" for a new base)
	File        string
	SHA256      string
	Format      string
	At          time.Time
}

// Number is one number found in a row, as the store keeps it.
type Number struct {
	Key     uint64 // E.164 digits
	Ext     string
	Type    string
	Country string
	Place
}

// Place is where a number rings, as derived from the numbering plan.
type Place struct {
	Operator, Region string
	Zones            string // IANA zones joined by ","
	Unallocated      bool   // in no issued range: the number is dead
}

func (p Place) status() (status, reason string) {
	if p.Unallocated {
		return "dead", callbase.Unallocated
	}
	return "active", ""
}

// ImportCounts are the figures an import reports and the database keeps.
type ImportCounts struct {
	Rows, Numbers, Unique, New, Known, FileDuplicates int
	Rejects                                           map[string]int
}

// Tx is a command's one transaction: everything written through it lands
// with Commit or not at all.
type Tx struct {
	tx *sql.Tx
}

// Begin starts a write transaction. It waits for other writers.
func (s *Store) Begin(ctx context.Context) (*Tx, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &Tx{tx: tx}, nil
}

// Commit lands everything written in the transaction.
func (t *Tx) Commit() error { return t.tx.Commit() }

// Rollback drops everything written in the transaction. It is safe after
// Commit, so it can be deferred.
func (t *Tx) Rollback() error {
	err := t.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// Import is one file's import in progress inside a Tx. Rows and numbers
// are queued and written in batches of multi-row INSERTs: SQLite's cost is
// mostly per statement, not per row.
type Import struct {
	tx     *sql.Tx
	id     int64
	baseID int64

	nextRowID int64 // rows get their ids here: the transaction holds the write lock
	rows      batch // rows (id, import_id, tbl, line, fields)
	numbers   batch // numbers first met in this file
	links     batch // row_numbers
	bases     batch // base_numbers, first occurrences in this file
	queued    int   // numbers first met in this file
}

// Imported reports whether a file with this content hash was already
// imported into the named base.
func (t *Tx) Imported(ctx context.Context, base, sha256 string) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM imports i JOIN bases b ON b.id = i.base_id
		WHERE b.name = ? AND i.sha256 = ?`, base, sha256).Scan(&n)
	return n > 0, err
}

// StartImport starts the import of one file, creating its base (and the
// base's source) when new.
func (t *Tx) StartImport(ctx context.Context, info ImportInfo) (*Import, error) {
	tx := t.tx
	im := &Import{tx: tx}
	var err error
	if im.baseID, err = ensureBase(ctx, tx, info); err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO imports (base_id, file, sha256, format, imported_at)
		VALUES (?, ?, ?, ?, ?)`, im.baseID, info.File, info.SHA256, info.Format, formatTime(info.At))
	if err != nil {
		return nil, fmt.Errorf("record import: %w", err)
	}
	if im.id, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM rows`).Scan(&im.nextRowID); err != nil {
		return nil, err
	}
	im.rows = batch{name: "rows", sql: `INSERT INTO rows (id, import_id, tbl, line, fields) VALUES `, tuple: "(?,?,?,?,?)", width: 5}
	im.numbers = batch{name: "numbers", sql: `INSERT INTO numbers (num, type, country, operator, region, zones, status, dead_reason, first_import_id) VALUES `,
		tuple: "(?,?,?,?,?,?,?,?,?)", width: 9, suffix: ` ON CONFLICT (num) DO NOTHING`}
	im.links = batch{name: "links of numbers to rows", sql: `INSERT INTO row_numbers (row_id, num, col, ext) VALUES `, tuple: "(?,?,?,?)", width: 4, suffix: ` ON CONFLICT DO NOTHING`}
	im.bases = batch{name: "links of numbers to the base", sql: `INSERT INTO base_numbers (base_id, num, first_row_id) VALUES `, tuple: "(?,?,?)", width: 3, suffix: ` ON CONFLICT DO NOTHING`}
	return im, nil
}

// ensureBase returns the id of the named base, creating it when new. A base
// keeps the source and temperature it was created with; asking for others
// is an error rather than a silent change.
func ensureBase(ctx context.Context, tx *sql.Tx, info ImportInfo) (int64, error) {
	var (
		id                   int64
		haveSource, haveTemp string
	)
	err := tx.QueryRowContext(ctx, `SELECT b.id, coalesce(s.name, ''), b.temperature
		FROM bases b LEFT JOIN sources s ON s.id = b.source_id WHERE b.name = ?`, info.Base).
		Scan(&id, &haveSource, &haveTemp)
	switch {
	case err == nil:
		if info.Source != "" && info.Source != haveSource {
			return 0, callbase.Usagef("base %q has source %q, not %q\nTry: another --base, or leave out --source", info.Base, haveSource, info.Source)
		}
		if info.Temperature != "" && info.Temperature != haveTemp {
			return 0, callbase.Usagef("base %q is %s, not %s\nTry: another --base, or leave out --temperature", info.Base, haveTemp, info.Temperature)
		}
		return id, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, err
	}
	var sourceID sql.NullInt64
	if info.Source != "" {
		if err := tx.QueryRowContext(ctx, `INSERT INTO sources (name) VALUES (?)
			ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id`, info.Source).Scan(&sourceID); err != nil {
			return 0, fmt.Errorf("record source: %w", err)
		}
	}
	temperature := info.Temperature
	if temperature == "" {
		temperature = "cold"
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO bases (name, source_id, temperature, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`, info.Base, sourceID, temperature, formatTime(info.At)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create base: %w", err)
	}
	return id, nil
}

// AddTable records the header of table idx (a CSV file or one sheet).
func (im *Import) AddTable(ctx context.Context, idx int, sheet string, header []string, phoneCols []int) error {
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(phoneCols)
	_, err := im.tx.ExecContext(ctx, `INSERT INTO import_tables (import_id, idx, sheet, header, phone_cols)
		VALUES (?, ?, ?, ?, ?)`, im.id, idx, sheet, string(h), string(p))
	return err
}

// AddRow queues one row of table tbl with its original fields and returns
// the id it will have.
func (im *Import) AddRow(ctx context.Context, tbl, line int, fields []string) (int64, error) {
	f, err := json.Marshal(fields)
	if err != nil {
		return 0, err
	}
	id := im.nextRowID
	im.nextRowID++
	im.rows.add(id, im.id, tbl, line, string(f))
	return id, im.flushIfFull(ctx)
}

// AddNumber queues the link of a number to its row (column col). first
// marks the number's first occurrence in the file: only then is the number
// itself recorded (when new to the database) and linked to the base.
func (im *Import) AddNumber(ctx context.Context, rowID int64, col int, n Number, first bool) error {
	key := int64(n.Key)
	if first {
		status, reason := n.status()
		im.numbers.add(key, n.Type, n.Country, n.Operator, n.Region, n.Zones, status, reason, im.id)
		im.bases.add(im.baseID, key, rowID)
		im.queued++
	}
	im.links.add(rowID, key, col, n.Ext)
	return im.flushIfFull(ctx)
}

// flushAt is how many queued rows or links make the batches be written.
const flushAt = 8192

func (im *Import) flushIfFull(ctx context.Context) error {
	if im.rows.n < flushAt && im.links.n < flushAt {
		return nil
	}
	return im.flush(ctx)
}

// flush writes the batches parents first, so every foreign key holds at
// once. (Deferring the checks instead makes SQLite scan base_numbers for
// each row inserted while a violation is pending.)
func (im *Import) flush(ctx context.Context) error {
	// Keys in order touch the B-trees page after page instead of at random.
	im.numbers.sortBy(0)
	im.bases.sortBy(1)
	for _, b := range []*batch{&im.rows, &im.numbers, &im.links, &im.bases} {
		if err := b.exec(ctx, im.tx); err != nil {
			return err
		}
	}
	return nil
}

// Finish writes what is queued and records the import's figures. New and
// Known of c are filled in by the store, which alone can tell them apart.
func (im *Import) Finish(ctx context.Context, c ImportCounts) (ImportCounts, error) {
	if err := im.flush(ctx); err != nil {
		return c, err
	}
	for _, b := range []*batch{&im.rows, &im.numbers, &im.links, &im.bases} {
		b.close()
	}
	// Numbers first met in this file are distinct, so the numbers INSERTs
	// affected exactly those the database did not know.
	c.New, c.Known = int(im.numbers.affected), im.queued-int(im.numbers.affected)
	_, err := im.tx.ExecContext(ctx, `UPDATE imports SET rows = ?, numbers = ?, unique_numbers = ?,
		new_numbers = ?, known_numbers = ?, file_duplicates = ? WHERE id = ?`,
		c.Rows, c.Numbers, c.Unique, c.New, c.Known, c.FileDuplicates, im.id)
	for reason, n := range c.Rejects {
		if err != nil {
			break
		}
		_, err = im.tx.ExecContext(ctx, `INSERT INTO import_rejects (import_id, reason, count) VALUES (?, ?, ?)`, im.id, reason, n)
	}
	return c, err
}

// batch queues rows for one table and writes them with multi-row INSERTs:
// SQLite's cost is mostly per statement, not per row. The statements, for
// chunks of chunkRows rows and for one row, are prepared once.
type batch struct {
	name               string // what it stores, for errors
	sql, tuple, suffix string
	width              int // values per row
	args               []any
	n                  int
	chunk, one         *sql.Stmt
	affected           int64 // rows the batch's INSERTs changed
}

const chunkRows = 64

// sortBy orders the queued rows by their int64 value in column col.
func (b *batch) sortBy(col int) {
	rows := make([][]any, b.n)
	for i := range rows {
		rows[i] = b.args[i*b.width : (i+1)*b.width]
	}
	slices.SortFunc(rows, func(x, y []any) int { return cmp.Compare(x[col].(int64), y[col].(int64)) })
	sorted := make([]any, 0, len(b.args))
	for _, r := range rows {
		sorted = append(sorted, r...)
	}
	b.args = sorted
}

func (b *batch) add(args ...any) {
	b.args = append(b.args, args...)
	b.n++
}

// exec writes the queued rows and empties the batch.
func (b *batch) exec(ctx context.Context, tx *sql.Tx) error {
	if err := b.execChunks(ctx, tx); err != nil {
		return fmt.Errorf("store %s: %w", b.name, err)
	}
	return nil
}

func (b *batch) execChunks(ctx context.Context, tx *sql.Tx) error {
	defer func() {
		clear(b.args)
		b.args, b.n = b.args[:0], 0
	}()
	args := b.args
	for len(args) > 0 {
		rows, stmt := chunkRows, &b.chunk
		if len(args) < chunkRows*b.width {
			rows, stmt = 1, &b.one
		}
		if *stmt == nil {
			var err error
			if *stmt, err = tx.PrepareContext(ctx, b.query(rows)); err != nil {
				return err
			}
		}
		res, err := (*stmt).ExecContext(ctx, args[:rows*b.width]...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		b.affected += n
		args = args[rows*b.width:]
	}
	return nil
}

func (b *batch) query(rows int) string {
	var q strings.Builder
	q.WriteString(b.sql)
	for i := range rows {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(b.tuple)
	}
	q.WriteString(b.suffix)
	return q.String()
}

func (b *batch) close() {
	for _, st := range []*sql.Stmt{b.chunk, b.one} {
		if st != nil {
			st.Close()
		}
	}
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
