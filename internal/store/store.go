// Package store keeps callbase's data in one SQLite file. It is the only
// package that imports the SQLite driver.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeout is how long a command waits for another one's lock.
const busyTimeout = time.Minute

// ErrNoDatabase is returned by OpenExisting when the file is missing.
var ErrNoDatabase = errors.New("no database")

// Store is an open callbase database.
type Store struct {
	db   *sql.DB
	path string
}

// Open opens the database at path, creating it readable by its owner only
// when it does not exist, and brings its schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		f.Close()
	case !errors.Is(err, fs.ErrExist):
		return nil, fmt.Errorf("create database: %w", err)
	}
	return open(ctx, path, false)
}

// OpenExisting opens the database at path for commands that only read. It
// fails with ErrNoDatabase when there is none, and refuses a file that is
// not a callbase database rather than writing a schema into it.
func OpenExisting(ctx context.Context, path string) (*Store, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Size() == 0) {
		return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
	}
	return open(ctx, path, true)
}

func open(ctx context.Context, path string, mustExist bool) (*Store, error) {
	// WAL lets readers work beside one writer; the busy timeout makes
	// concurrent commands wait for each other instead of failing; FULL sync
	// makes a reported success survive a power cut; IMMEDIATE transactions
	// take the write lock up front, so two writers never deadlock on upgrade.
	// 16 KiB pages, for a new database (an existing one keeps its own):
	// an import writes a quarter as many pages as with 4 KiB, each a
	// system call and a frame of the WAL, and splits a quarter as often
	// (1M rows: 0.4-0.5 s sooner; an export reads as fast). An 8 MiB page
	// cache: bulk loads write in key order, so a larger one measured no
	// faster (16 MiB of 16 KiB pages cost 40-50 MB more RSS), nor on a
	// database of 4 KiB pages (an import of 1M rows, an export of 100k
	// from 5.24M).
	q := url.Values{}
	q.Set("_busy_timeout", strconv.Itoa(int(busyTimeout.Milliseconds())))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate")
	q.Add("_pragma", "page_size(16384)")
	q.Add("_pragma", "cache_size(-8192)")
	q.Add("_pragma", "temp_store(memory)")
	// Deleted content is overwritten, not just unlinked: a forgotten
	// person's data must leave the file.
	q.Add("_pragma", "secure_delete(on)")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Setting up a connection switches the journal to WAL, which SQLite
	// refuses at once, without its busy handler, while another process
	// creates the same new database: wait for that as for any lock.
	deadline := time.Now().Add(busyTimeout)
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		err = db.PingContext(ctx)
		if err == nil || !isBusy(err) || ctx.Err() != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(wait)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if mustExist {
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'schema_migrations'`).Scan(&n)
		if err == nil && n == 0 {
			err = errors.New("not a callbase database")
		}
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return s, nil
}

// isBusy tells SQLITE_BUSY and SQLITE_LOCKED errors.
func isBusy(err error) bool {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return false
	}
	code := coded.Code() & 0xff
	return code == 5 || code == 6
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migrate applies every embedded migration newer than the database, each in
// its own transaction with its version recorded. The version is read inside
// that (IMMEDIATE) transaction, so two commands starting on a new database
// do not both apply the same migration.
func (s *Store) migrate(ctx context.Context) error { return s.migrateTo(ctx, -1) }

// migrateTo is migrate stopping after version upTo, unless it is -1.
func (s *Store) migrateTo(ctx context.Context, upTo int) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT`); err != nil {
		return err
	}
	files, err := migrationFiles()
	if err != nil {
		return err
	}
	latest := files[len(files)-1].version
	for _, m := range files {
		if upTo >= 0 && m.version > upTo {
			break
		}
		var current int
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
				return err
			}
			if m.version <= current {
				return nil
			}
			body, err := migrations.ReadFile(m.path)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if step := goSteps[m.version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return fmt.Errorf("migration %s: %w", m.name, err)
				}
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name)
			return err
		})
		if err != nil {
			return err
		}
		if current > latest {
			return fmt.Errorf("database schema version %d is newer than this callbase knows (%d)\nTry: a newer callbase", current, latest)
		}
	}
	return nil
}

// goSteps are the parts of migrations SQL cannot do, run after the
// migration's SQL in its transaction.
var goSteps = map[int]func(context.Context, *sql.Tx) error{
	2: packRows,
	7: packLinks,
}

type migration struct {
	version    int
	name, path string
}

// migrationFiles lists migrations/NNNN_name.sql in version order.
func migrationFiles() ([]migration, error) {
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must start with a number and '_'", e.Name())
		}
		out = append(out, migration{version: v, name: e.Name(), path: path.Join("migrations", e.Name())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// inTx runs fn in one transaction, committing when fn succeeds.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
