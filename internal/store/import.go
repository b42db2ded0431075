package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/keysort"
	"github.com/callbase/callbase/internal/writeback"
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

// ImportCounts are the figures an import reports and the database keeps.
// Finish fills in Unique, FileDuplicates, New, Known, Unallocated and
// the unique numbers by region and zones.
type ImportCounts struct {
	Rows, Numbers, Unique, New, Known, FileDuplicates, Suppressed int
	Unallocated                                                   int
	Rejects, ByRegion, ByZone                                     map[string]int
}

// Tx is a command's one transaction: everything written through it lands
// with Commit or not at all.
type Tx struct {
	tx       *sql.Tx
	store    *Store
	places   map[placeKey]int64 // ids of the places table, as met
	kinds    map[kind]int64     // ids of the kinds table, as met
	suppress *Suppressor        // loaded when first needed

	write          bool  // begun by Begin: IMMEDIATE, holding the write lock
	changesAtBegin int64 // total_changes() of the connection at Begin

	flush interface{ Stop() error } // a *writeback.Ticker, set by a bulk write: see StartImport
	stmts map[string]*sql.Stmt      // see prepared
}

// Begin starts a write transaction. It waits for other writers.
func (s *Store) Begin(ctx context.Context) (*Tx, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	t := &Tx{tx: tx, store: s, places: map[placeKey]int64{}, kinds: map[kind]int64{}, write: true}
	// What the connection had changed before: ReadAside tells by it that
	// the transaction has written nothing yet.
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&t.changesAtBegin); err != nil {
		tx.Rollback()
		return nil, err
	}
	return t, nil
}

// Read starts a read-only transaction: one snapshot of the database. Roll
// it back when done.
func (s *Store) Read(ctx context.Context) (*Tx, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	return &Tx{tx: tx, store: s, places: map[placeKey]int64{}, kinds: map[kind]int64{}}, nil
}

// Commit lands everything written in the transaction.
func (t *Tx) Commit() error {
	err := t.tx.Commit()
	if ferr := t.stopFlush(); err == nil && ferr != nil {
		// SQLite's own fsync may not have heard of it (see Ticker.Stop).
		err = fmt.Errorf("committed, but syncing the database to disk failed: %w; the database may be damaged: check the disk", ferr)
	}
	t.stmts = nil // closed with the transaction
	return err
}

// Rollback drops everything written in the transaction. It is safe after
// Commit, so it can be deferred.
func (t *Tx) Rollback() error {
	err := t.tx.Rollback()
	t.stopFlush()
	t.stmts = nil // closed with the transaction
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// Import is one file's import in progress inside a Tx. Rows are packed
// into blocks and written as each block fills. The numbers found in the
// file wait for Finish, which writes them, each once, sorted by key: that walks
// the B-trees once in order instead of at random, and measured a third
// faster than writing sorted chunks of 64k as they come (1M numbers: eight
// sorted chunks cost 30% more CPU, unsorted three times as much, whatever
// the page cache). Beyond pendingMax they wait in sorted runs on disk.
type Import struct {
	t      *Tx
	id     int64
	baseID int64

	block    blockBuilder
	blockID  int64 // the block being filled
	blockTbl int   // the table its rows belong to
	lastRow  int64 // the row numbers are being added to
	pending  []pendingNumber
	runs     runs // pending numbers spilled, sorted, when there were too many

	w *writer
}

// kind is what numbers share a lot of: their type and country.
type kind struct{ typ, country string }

// pendingNumber is a number found in the file, waiting for Finish.
// 24 bytes: a million of them take 24 MB.
type pendingNumber struct {
	key   uint64
	row   int64
	place uint32 // the places table's id
	kind  uint16
	dead  bool
}

// flushEvery is how often a bulk write has the database's files synced.
const flushEvery = 100 * time.Millisecond

// startFlush has the database and its WAL synced to disk while a bulk
// write goes on, until the transaction ends. The commit's fsync of
// the WAL and the checkpoint's fsync of the database that follows it then
// wait for the last pages only: for a 1M-row import (190 MB), they waited
// 1.1 s and 0.8 s for all of them. (Commit runs the checkpoint before it
// returns.)
func (t *Tx) startFlush() {
	if t.flush == nil && t.write {
		if tk := writeback.Every(flushEvery, t.store.path, t.store.path+"-wal"); tk != nil {
			t.flush = tk
		}
	}
}

func (t *Tx) stopFlush() error {
	if t.flush == nil {
		return nil
	}
	err := t.flush.Stop()
	t.flush = nil
	return err
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
	im := &Import{t: t, lastRow: -1}
	t.startFlush()
	var err error
	if im.baseID, err = ensureBase(ctx, tx, info); err != nil {
		return nil, err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO imports (base_id, file, sha256, format, imported_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, im.baseID, info.File, info.SHA256, info.Format, formatTime(info.At)).Scan(&im.id)
	if err != nil {
		return nil, fmt.Errorf("record import: %w", err)
	}
	// The transaction holds the write lock: nobody else takes block ids.
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM row_blocks`).Scan(&im.blockID); err != nil {
		return nil, err
	}
	if im.w, err = startWriter(ctx, tx, im.id, im.baseID); err != nil {
		return nil, err
	}
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
	err = tx.QueryRowContext(ctx, `INSERT INTO bases (name, source_id, temperature, created_at, cycle_started_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, info.Base, sourceID, temperature, formatTime(info.At), formatTime(info.At)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create base: %w", err)
	}
	return id, nil
}

// AddTable records the header of table idx (a CSV file or one sheet).
func (im *Import) AddTable(ctx context.Context, idx int, sheet string, header []string, phoneCols []int) error {
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(phoneCols)
	_, err := im.t.tx.ExecContext(ctx, `INSERT INTO import_tables (import_id, idx, sheet, header, phone_cols)
		VALUES (?, ?, ?, ?, ?)`, im.id, idx, sheet, string(h), string(p))
	return err
}

// AddRow adds one row of table tbl with its original fields and returns
// its id. The numbers found in it are added next, with AddNumber.
func (im *Import) AddRow(ctx context.Context, tbl, line int, fields []string) (int64, error) {
	if im.block.nRows > 0 && (tbl != im.blockTbl || im.block.full()) {
		if err := im.w.block(im.blockID, im.blockTbl, im.block.encode()); err != nil {
			return 0, err
		}
		im.blockID++
	}
	im.blockTbl = tbl
	im.lastRow = rowID(im.blockID, im.block.addRow(line, fields))
	return im.lastRow, nil
}

// AddNumber links a number to the row last added (column col). Finish
// records each number of the file once, with the row it was first found
// in, and links it to the base: the numbers wait sorted by key, a
// number's occurrences side by side in file order, so they are told apart
// there at no cost, where a set of the file's numbers while it was read
// took 0.3 s of the busiest goroutine for 1M numbers.
func (im *Import) AddNumber(ctx context.Context, rowID int64, col int, n Number) error {
	if rowID != im.lastRow {
		return fmt.Errorf("number added to row %d, not to the row last added (%d)", rowID, im.lastRow)
	}
	_, i := blockOf(rowID)
	im.block.addLink(i, Link{Key: n.Key, Col: col, Ext: n.Ext})
	place, err := im.t.placeID(ctx, n.Place)
	if err != nil {
		return err
	}
	kind, err := im.t.kindID(ctx, n.Type, n.Country)
	if err != nil {
		return err
	}
	if place > math.MaxUint32 || kind > math.MaxUint16 {
		return fmt.Errorf("record number: place %d or kind %d out of range", place, kind)
	}
	im.pending = append(im.pending, pendingNumber{key: n.Key, row: rowID, place: uint32(place), kind: uint16(kind), dead: n.Unallocated})
	if len(im.pending) == pendingMax {
		// Too many to keep: spilled as a sorted run, merged in Finish.
		im.sortPending()
		if err := im.runs.spill(im.pending); err != nil {
			return err
		}
		im.pending = im.pending[:0]
	}
	return nil
}

// pendingMax bounds the numbers waiting for Finish in memory (48 MB), so
// memory does not grow with the file: a larger file spills sorted runs of
// them to a temporary file (see runs).
var pendingMax = 2 << 20

func (im *Import) sortPending() {
	// The scratch space is not kept between runs: kept, it counted as
	// live memory, which the garbage collector lets grow twice as large
	// (5M rows: max RSS 411 MB kept, against 360 MB before the radix sort).
	keysort.Sort(im.pending, nil, func(n *pendingNumber) uint64 { return n.key })
}

// writePending writes the pending numbers, merged with those spilled, in
// one pass sorted by key.
func (im *Import) writePending() error {
	im.sortPending()
	return im.w.numbers(func(write func([]pendingNumber) error) error {
		if im.runs.f == nil {
			return write(im.pending)
		}
		return im.runs.merge(im.pending, write)
	})
}

// placeKey is a Place without its verdict on the number.
type placeKey struct{ operator, region, zones string }

// placeID returns the id of the place, recording it when new.
func (t *Tx) placeID(ctx context.Context, p Place) (int64, error) {
	k := placeKey{p.Operator, p.Region, p.Zones}
	if id, ok := t.places[k]; ok {
		return id, nil
	}
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO places (operator, region, zones) VALUES (?, ?, ?)
		ON CONFLICT DO UPDATE SET operator = excluded.operator RETURNING id`, k.operator, k.region, k.zones).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record place: %w", err)
	}
	t.places[k] = id
	return id, nil
}

// kindID returns the id of the kind, recording it when new.
func (t *Tx) kindID(ctx context.Context, typ, country string) (int64, error) {
	k := kind{typ, country}
	if id, ok := t.kinds[k]; ok {
		return id, nil
	}
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO kinds (type, country) VALUES (?, ?)
		ON CONFLICT DO UPDATE SET type = excluded.type RETURNING id`, typ, country).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record kind: %w", err)
	}
	t.kinds[k] = id
	return id, nil
}

// Finish writes what is pending and records the import's figures. New and
// Known of c are filled in by the store, which alone can tell them apart.
func (im *Import) Finish(ctx context.Context, c ImportCounts) (ImportCounts, error) {
	if im.block.nRows > 0 {
		if err := im.w.block(im.blockID, im.blockTbl, im.block.encode()); err != nil {
			return c, err
		}
	}
	if err := im.writePending(); err != nil {
		return c, err
	}
	// The file's numbers were written once each, so the numbers INSERTs
	// affected exactly those the database did not know.
	inserted := int(im.w.finish())
	w := im.w
	c.Unique, c.Unallocated = w.unique, w.unallocated
	c.FileDuplicates = c.Numbers - c.Unique
	c.New, c.Known = inserted, c.Unique-inserted
	c.ByRegion, c.ByZone = map[string]int{}, map[string]int{}
	names := make(map[uint32]placeKey, len(im.t.places))
	for k, id := range im.t.places {
		names[uint32(id)] = k
	}
	for place, n := range w.byPlace {
		c.ByRegion[names[place].region] += n
		c.ByZone[names[place].zones] += n
	}
	_, err := im.t.tx.ExecContext(ctx, `UPDATE imports SET rows = ?, numbers = ?, unique_numbers = ?,
		new_numbers = ?, known_numbers = ?, file_duplicates = ?, suppressed_numbers = ? WHERE id = ?`,
		c.Rows, c.Numbers, c.Unique, c.New, c.Known, c.FileDuplicates, c.Suppressed, im.id)
	for reason, n := range c.Rejects {
		if err != nil {
			break
		}
		_, err = im.t.tx.ExecContext(ctx, `INSERT INTO import_rejects (import_id, reason, count) VALUES (?, ?, ?)`, im.id, reason, n)
	}
	return c, err
}

// Close releases the import's statements. Safe after Finish.
func (im *Import) Close() {
	im.w.finish()
	im.runs.close()
}

// flushAt is how many pending rows a batch holds before it is written.
const flushAt = 8192

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

const chunkRows = 256

// add queues a row, writing the batch when it is full.
func (b *batch) add(ctx context.Context, tx *sql.Tx, args ...any) error {
	b.args = append(b.args, args...)
	b.n++
	if b.n < flushAt {
		return nil
	}
	return b.exec(ctx, tx)
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
