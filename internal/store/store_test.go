package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbase/callbase/internal/writeback"
)

var at = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "callbase.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func TestOpenCreatesPrivateFileWithSchema(t *testing.T) {
	st, path := openTemp(t)
	ctx := context.Background()
	// A write creates the WAL beside the database; both must be private.
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.StartImport(ctx, ImportInfo{Base: "b", File: "f.csv", SHA256: "x", Format: "csv", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	pragmas := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "60000", "synchronous": "2"}
	for name, want := range pragmas {
		var got string
		if err := st.db.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", name, got, want)
		}
	}
	var version int
	if err := st.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	files, _ := migrationFiles()
	if version != files[len(files)-1].version {
		t.Errorf("schema version %d, want %d", version, files[len(files)-1].version)
	}
}

func TestReopenKeepsSchemaAndData(t *testing.T) {
	st, path := openTemp(t)
	ctx := context.Background()
	importOne(t, st, "vendor-a", "h1", 79161234567)
	st.Close()
	st2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	s, err := st2.Stats(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Numbers != 1 || len(s.Bases) != 1 {
		t.Errorf("after reopen: %d numbers, %d bases; want 1, 1", s.Numbers, len(s.Bases))
	}
}

func TestOpenExistingMissing(t *testing.T) {
	_, err := OpenExisting(context.Background(), filepath.Join(t.TempDir(), "none.db"))
	if !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("err = %v, want ErrNoDatabase", err)
	}
}

// importOne imports one row holding the given distinct numbers into base
// and returns the figures the store filled in.
func importOne(t *testing.T, st *Store, base, sha string, keys ...uint64) ImportCounts {
	t.Helper()
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	im, err := tx.StartImport(ctx, ImportInfo{Base: base, File: "f.csv", SHA256: sha, Format: "csv", At: at})
	if err != nil {
		t.Fatal(err)
	}
	if err := im.AddTable(ctx, 0, "", []string{"Телефон"}, []int{0}); err != nil {
		t.Fatal(err)
	}
	row, err := im.AddRow(ctx, 0, 2, []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if err := im.AddNumber(ctx, row, 0, Number{Key: k, Type: "mobile", Country: "RU"}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := im.Finish(ctx, ImportCounts{Rows: 1, Numbers: len(keys), Rejects: map[string]int{"too_short": 2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNumbersSharedAcrossBases(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	if c := importOne(t, st, "a", "h1", 79161234567, 74951234567); c.New != 2 || c.Known != 0 {
		t.Errorf("first import: %d new, %d known; want 2, 0", c.New, c.Known)
	}
	if c := importOne(t, st, "b", "h2", 79161234567, 79031234567); c.New != 1 || c.Known != 1 {
		t.Errorf("second import: %d new, %d known; want 1, 1", c.New, c.Known)
	}
	tx, _ := st.Begin(ctx)
	done, err := tx.Imported(ctx, "a", "h1")
	other, _ := tx.Imported(ctx, "b", "h1")
	tx.Rollback()
	if err != nil || !done || other {
		t.Errorf("Imported(a, h1) = %v, Imported(b, h1) = %v (err %v); want true, false", done, other, err)
	}
	all, err := st.Stats(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if all.Numbers != 3 {
		t.Errorf("numbers = %d, want 3", all.Numbers)
	}
	b, err := st.Stats(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if b.Numbers != 2 || len(b.Bases) != 1 || b.Bases[0].Numbers != 2 {
		t.Errorf("stats of base b: %+v", b)
	}
	if len(all.Rejects) != 1 || all.Rejects[0] != (Count{"too_short", 4}) {
		t.Errorf("rejects = %v, want too_short 4", all.Rejects)
	}
	if _, err := st.Stats(ctx, "nope"); err == nil {
		t.Error("stats of a missing base: no error")
	}
	l, err := st.Lookup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for key, want := range map[uint64]bool{79161234567: true, 79999999999: false} {
		if got, err := l.Has(ctx, key); got != want || err != nil {
			t.Errorf("Has(%d) = %v, %v; want %v", key, got, err, want)
		}
	}
}

func TestRollbackLeavesNothing(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	im, err := tx.StartImport(ctx, ImportInfo{Base: "a", File: "f.csv", SHA256: "h", Format: "csv", At: at})
	if err != nil {
		t.Fatal(err)
	}
	row, _ := im.AddRow(ctx, 0, 2, []string{"x"})
	if err := im.AddNumber(ctx, row, 0, Number{Key: 79161234567, Type: "mobile", Country: "RU"}); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Finish(ctx, ImportCounts{Rows: 1}); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	s, err := st.Stats(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Numbers != 0 || len(s.Bases) != 0 || len(s.Imports) != 0 {
		t.Errorf("after rollback: %+v", s)
	}
}

func TestBaseKeepsSourceAndTemperature(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	start := func(info ImportInfo) error {
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		info.File, info.Format, info.At = "f.csv", "csv", at
		if _, err := tx.StartImport(ctx, info); err != nil {
			return err
		}
		return tx.Commit()
	}
	if err := start(ImportInfo{Base: "a", Source: "vendor", Temperature: "warm", SHA256: "1"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		info    ImportInfo
		wantErr bool
	}{
		{ImportInfo{Base: "a", SHA256: "2"}, false},
		{ImportInfo{Base: "a", Source: "vendor", Temperature: "warm", SHA256: "3"}, false},
		{ImportInfo{Base: "a", Source: "other", SHA256: "4"}, true},
		{ImportInfo{Base: "a", Temperature: "hot", SHA256: "5"}, true},
	}
	for _, tt := range tests {
		if err := start(tt.info); (err != nil) != tt.wantErr {
			t.Errorf("%+v: err = %v, want error %v", tt.info, err, tt.wantErr)
		}
	}
}

func TestOpenExistingRefusesOtherFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	if _, err := OpenExisting(ctx, empty); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("zero-byte file: %v, want ErrNoDatabase", err)
	}
	// Another program's SQLite file: refused, and left without our schema.
	other := filepath.Join(dir, "other.db")
	st, err := Open(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	st.db.Exec(`DROP TABLE schema_migrations`)
	st.Close()
	if _, err := OpenExisting(ctx, other); err == nil || !strings.Contains(err.Error(), "not a callbase database") {
		t.Errorf("other SQLite file: %v", err)
	}
}

// TestConcurrentOpenOfNewDatabase: commands started together on a new
// database wait for each other's migrations instead of failing.
func TestConcurrentOpenOfNewDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			st, err := Open(context.Background(), path)
			if err == nil {
				err = st.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// After an import, the CHECK constraints of a number's marks hold for
// whatever the transaction does next. (Imports once wrote numbers with
// them off; nothing may again leave them so.)
func TestImportLeavesChecksOn(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	im, err := tx.StartImport(ctx, ImportInfo{Base: "b", File: "f.csv", SHA256: "x", Format: "csv", At: at})
	if err != nil {
		t.Fatal(err)
	}
	row, err := im.AddRow(ctx, 0, 2, []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := im.AddNumber(ctx, row, 0, Number{Key: 79161234567, Type: "mobile", Country: "RU"}); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Finish(ctx, ImportCounts{Rows: 1, Numbers: 1}); err != nil {
		t.Fatal(err)
	}
	im.Close()
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO number_marks (num, temperature) VALUES (79161234567, 'lukewarm')`)
	if err == nil || !strings.Contains(err.Error(), "CHECK") {
		t.Errorf("setting a temperature outside the CHECK after an import: %v, want a CHECK failure", err)
	}
}

// A file whose rows hold no number at all still imports.
func TestImportWithoutNumbers(t *testing.T) {
	st, _ := openTemp(t)
	c := importOne(t, st, "a", "h1")
	if c.New != 0 || c.Known != 0 {
		t.Errorf("new %d, known %d; want 0, 0", c.New, c.Known)
	}
	if err := st.Check(context.Background()); err != nil {
		t.Error(err)
	}
}

// An import has the system write the database to disk while it runs, and
// stops when its transaction ends, whichever way.
func TestImportFlushesWhileItRuns(t *testing.T) {
	ctx := context.Background()
	st, _ := openTemp(t)
	for _, commit := range []bool{true, false} {
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		im, err := tx.StartImport(ctx, ImportInfo{Base: "b", File: "f", SHA256: fmt.Sprint(commit), Format: "csv", At: at})
		if err != nil {
			t.Fatal(err)
		}
		if writeback.Available && tx.flush == nil {
			t.Error("no writeback while an import runs")
		}
		im.Close()
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil || tx.flush != nil {
			t.Errorf("commit %v: %v, writeback left running: %v", commit, err, tx.flush != nil)
		}
	}
}

// TestPageSize: a new database gets 16 KiB pages; one made with SQLite's
// 4 KiB keeps them (SQLite cannot change it in WAL mode) and works.
func TestPageSize(t *testing.T) {
	ctx := context.Background()
	st, _ := openTemp(t)
	var size int
	if err := st.db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil || size != 16384 {
		t.Errorf("new database: page size %d (%v), want 16384", size, err)
	}
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE x (y)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	old, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	importOne(t, old, "a", "h1", 79161234567)
	if err := old.db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil || size != 4096 {
		t.Errorf("old database: page size %d (%v), want 4096", size, err)
	}
	if err := old.Check(ctx); err != nil {
		t.Error(err)
	}
}

// TestDeadMarkOnlyForNewNumbers: a number the plan never issued is stored
// dead when new to the database; one the database knew keeps its state,
// as a number's state is never changed by an import.
func TestDeadMarkOnlyForNewNumbers(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	importOne(t, st, "a", "h1", 79161234567)
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	im, err := tx.StartImport(ctx, ImportInfo{Base: "b", File: "f.csv", SHA256: "h2", Format: "csv", At: at})
	if err != nil {
		t.Fatal(err)
	}
	row, err := im.AddRow(ctx, 0, 2, []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []uint64{79161234567, 79161234568} {
		if err := im.AddNumber(ctx, row, 0, Number{Key: k, Type: "mobile", Country: "RU", Place: Place{Unallocated: true}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := im.Finish(ctx, ImportCounts{Rows: 1, Numbers: 2}); err != nil {
		t.Fatal(err)
	}
	im.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx, err = st.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for key, want := range map[uint64]string{79161234567: "active", 79161234568: "dead"} {
		s, ok, err := tx.State(ctx, key)
		if err != nil || !ok || s.Status != want {
			t.Errorf("state of %d: %+v, %v, %v; want %s", key, s, ok, err, want)
		}
	}
}
