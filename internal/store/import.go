package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
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

// DeadUnallocated is the dead_reason of a number the plan never issued.
const DeadUnallocated = "unallocated"

func (p Place) status() (status, reason string) {
	if p.Unallocated {
		return "dead", DeadUnallocated
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

// Import is one file's import in progress inside a Tx.
type Import struct {
	tx     *sql.Tx
	id     int64
	baseID int64

	insRow, insNumber, insRowNumber, insBaseNumber *sql.Stmt
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
	prepare := func(query string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, query)
		return st
	}
	im.insRow = prepare(`INSERT INTO rows (import_id, tbl, line, fields) VALUES (?, ?, ?, ?)`)
	im.insNumber = prepare(`INSERT INTO numbers (num, type, country, operator, region, zones, status, dead_reason, first_import_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (num) DO NOTHING`)
	im.insRowNumber = prepare(`INSERT INTO row_numbers (row_id, num, col, ext) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`)
	im.insBaseNumber = prepare(`INSERT INTO base_numbers (base_id, num, first_row_id) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`)
	return im, err
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
			return 0, fmt.Errorf("base %q has source %q, not %q\nTry: another --base, or leave out --source", info.Base, haveSource, info.Source)
		}
		if info.Temperature != "" && info.Temperature != haveTemp {
			return 0, fmt.Errorf("base %q is %s, not %s\nTry: another --base, or leave out --temperature", info.Base, haveTemp, info.Temperature)
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

// AddRow keeps one row of table tbl with its original fields.
func (im *Import) AddRow(ctx context.Context, tbl, line int, fields []string) (int64, error) {
	f, err := json.Marshal(fields)
	if err != nil {
		return 0, err
	}
	res, err := im.insRow.ExecContext(ctx, im.id, tbl, line, string(f))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// AddNumber links a number to its row (column col) and records it when the
// database did not know it; isNew tells which.
func (im *Import) AddNumber(ctx context.Context, rowID int64, col int, n Number) (isNew bool, err error) {
	status, reason := n.status()
	res, err := im.insNumber.ExecContext(ctx, int64(n.Key), n.Type, n.Country, n.Operator, n.Region, n.Zones, status, reason, im.id)
	if err != nil {
		return false, err
	}
	inserted, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	if _, err := im.insRowNumber.ExecContext(ctx, rowID, int64(n.Key), col, n.Ext); err != nil {
		return false, err
	}
	if _, err := im.insBaseNumber.ExecContext(ctx, im.baseID, int64(n.Key), rowID); err != nil {
		return false, err
	}
	return inserted > 0, nil
}

// Finish records the import's figures and releases its statements.
func (im *Import) Finish(ctx context.Context, c ImportCounts) error {
	for _, st := range []*sql.Stmt{im.insRow, im.insNumber, im.insRowNumber, im.insBaseNumber} {
		st.Close()
	}
	_, err := im.tx.ExecContext(ctx, `UPDATE imports SET rows = ?, numbers = ?, unique_numbers = ?,
		new_numbers = ?, known_numbers = ?, file_duplicates = ? WHERE id = ?`,
		c.Rows, c.Numbers, c.Unique, c.New, c.Known, c.FileDuplicates, im.id)
	for reason, n := range c.Rejects {
		if err != nil {
			break
		}
		_, err = im.tx.ExecContext(ctx, `INSERT INTO import_rejects (import_id, reason, count) VALUES (?, ?, ?)`, im.id, reason, n)
	}
	return err
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
