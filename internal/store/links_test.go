package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// importRows imports keys into base, each in a row of its own, and
// returns the row each was put in.
func importRows(t testing.TB, st *Store, base, sha string, keys []uint64) []int64 {
	t.Helper()
	return importFiles(t, st, []testFile{{base, sha, keys}})[0]
}

type testFile struct {
	base, sha string
	keys      []uint64
}

// importFiles imports the files in one transaction, as importer.Files
// does, and returns the row each key was put in, file by file.
func importFiles(t testing.TB, st *Store, files []testFile) [][]int64 {
	t.Helper()
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var all [][]int64
	for _, f := range files {
		im, err := tx.StartImport(ctx, ImportInfo{Base: f.base, File: "f.csv", SHA256: f.sha, Format: "csv", At: at})
		if err != nil {
			t.Fatal(err)
		}
		if err := im.AddTable(ctx, 0, "", []string{"Телефон"}, []int{0}); err != nil {
			t.Fatal(err)
		}
		rows := make([]int64, len(f.keys))
		for i, k := range f.keys {
			if rows[i], err = im.AddRow(ctx, 0, i+2, []string{fmt.Sprint(k)}); err != nil {
				t.Fatal(err)
			}
			if err := im.AddNumber(ctx, rows[i], 0, Number{Key: k, Type: "mobile", Country: "RU"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := im.Finish(ctx, ImportCounts{Rows: len(f.keys), Numbers: len(f.keys)}); err != nil {
			t.Fatal(err)
		}
		im.Close()
		all = append(all, rows)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return all
}

// checkLinksAgainst holds the base links of st to model (base name ->
// number -> first row) through every way the store reads them.
func checkLinksAgainst(t *testing.T, st *Store, model map[string]map[uint64]int64, universe []uint64) {
	t.Helper()
	ctx := context.Background()
	if err := st.Check(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err := st.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	bases, err := tx.BasesWithSizes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]string{}
	for _, b := range bases {
		ids[b.ID] = b.Name
		want := model[b.Name]
		if b.Numbers != len(want) {
			t.Errorf("base %s holds %d numbers, want %d", b.Name, b.Numbers, len(want))
		}
		keys, rows, err := tx.held(ctx, b.ID, universe)
		if err != nil {
			t.Fatal(err)
		}
		got := map[uint64]int64{}
		for i, k := range keys {
			got[k] = rows[i]
		}
		if !maps.Equal(got, want) {
			t.Errorf("base %s holds %v, want %v", b.Name, got, want)
		}
	}
	for _, k := range universe {
		links, err := basesHolding(ctx, tx.tx, k)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, l := range links {
			got = append(got, fmt.Sprintf("%s:%d", ids[l.base], l.row))
		}
		for _, name := range slices.Sorted(maps.Keys(model)) {
			if row, ok := model[name][k]; ok {
				want = append(want, fmt.Sprintf("%s:%d", name, row))
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("bases holding %d: %v, want %v", k, got, want)
		}
	}
}

// TestLinksOfRepeatedImports: imports into two bases, in blocks of 3 so
// that each import merges into blocks, passes others by and fills new
// ones, and numbers are forgotten: the links always say what a map of
// first rows says, and the blocks stay ordered.
func TestLinksOfRepeatedImports(t *testing.T) {
	defer func(n int) { linkBlockSize = n }(linkBlockSize)
	linkBlockSize = 3
	st, _ := openTemp(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	var universe []uint64
	for i := range 120 {
		universe = append(universe, 79160000000+uint64(i)*7)
	}
	model := map[string]map[uint64]int64{}
	for i := range 40 {
		base := []string{"a", "b"}[rng.IntN(2)]
		// Small files and large, dense and sparse.
		n := rng.IntN(30)
		if i%7 == 0 {
			n = rng.IntN(len(universe))
		}
		keys := slices.Clone(universe)
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		keys = keys[:n]
		rows := importRows(t, st, base, fmt.Sprint("h", i), keys)
		if model[base] == nil {
			model[base] = map[uint64]int64{}
		}
		for j, k := range keys {
			if _, ok := model[base][k]; !ok {
				model[base][k] = rows[j]
			}
		}
		if i%5 == 4 {
			// Forget drops numbers from every base; unlink is its step.
			k := universe[rng.IntN(len(universe))]
			tx, err := st.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range mustHolding(t, tx, k) {
				if err := unlink(ctx, tx.tx, l.base, k); err != nil {
					t.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			for _, m := range model {
				delete(m, k)
			}
		}
		checkLinksAgainst(t, st, model, universe)
		if t.Failed() {
			t.Fatalf("after import %d into %s of %d numbers", i, base, n)
		}
	}
}

// TestLinksOfFilesInOneTransaction: several files into one base or
// another in one transaction, as importer.Files takes them, with blocks
// of every small size: each file's import sees the blocks the one before
// wrote.
func TestLinksOfFilesInOneTransaction(t *testing.T) {
	defer func(n int) { linkBlockSize = n }(linkBlockSize)
	for _, size := range []int{1, 2, 3, 5, 128} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			linkBlockSize = size
			st, _ := openTemp(t)
			rng := rand.New(rand.NewPCG(uint64(size), 7))
			var universe []uint64
			for i := range 90 {
				universe = append(universe, 79160000000+uint64(i)*11)
			}
			model := map[string]map[uint64]int64{}
			sha := 0
			for range 12 {
				var files []testFile
				for range 1 + rng.IntN(4) {
					keys := slices.Clone(universe)
					rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
					sha++
					files = append(files, testFile{[]string{"a", "b", "c"}[rng.IntN(3)], fmt.Sprint("h", sha), keys[:rng.IntN(40)]})
				}
				for i, rows := range importFiles(t, st, files) {
					f := files[i]
					if model[f.base] == nil {
						model[f.base] = map[uint64]int64{}
					}
					for j, k := range f.keys {
						if _, ok := model[f.base][k]; !ok {
							model[f.base][k] = rows[j]
						}
					}
				}
				checkLinksAgainst(t, st, model, universe)
				if t.Failed() {
					t.FailNow()
				}
			}
		})
	}
}

// TestSmallImportsKeepBlocksFull: imports of a few numbers each into a
// big base merge into its blocks without leaving short ones behind: every
// block but a base's last holds at least half a block's worth.
func TestSmallImportsKeepBlocksFull(t *testing.T) {
	defer func(n int) { linkBlockSize = n }(linkBlockSize)
	linkBlockSize = 8
	st, _ := openTemp(t)
	rng := rand.New(rand.NewPCG(3, 4))
	keys := rng.Perm(2000)
	key := func(i int) uint64 { return 79160000000 + uint64(i)*3 }
	model := map[string]map[uint64]int64{"a": {}}
	add := func(sha string, idx []int) {
		var ks []uint64
		for _, i := range idx {
			ks = append(ks, key(i))
		}
		for j, row := range importRows(t, st, "a", sha, ks) {
			model["a"][ks[j]] = row
		}
	}
	add("big", keys[:400])
	for i := range 40 {
		add(fmt.Sprint("small", i), keys[400+3*i:403+3*i])
	}
	// A number below all of the base's (its few links end before the
	// first block), alone and with one past many blocks.
	low := func(i int) uint64 { return 79150000000 + uint64(i) }
	total := 400 + 3*40
	for i, ks := range [][]uint64{{low(5)}, {low(3), key(1999)}} {
		for j, row := range importRows(t, st, "a", fmt.Sprint("low", i), ks) {
			model["a"][ks[j]] = row
		}
		total += len(ks)
		checkBlockSizes(t, st, total)
	}
	var universe []uint64
	for i := range 2000 {
		universe = append(universe, key(i))
	}
	universe = append([]uint64{low(3), low(5)}, universe...)
	checkLinksAgainst(t, st, model, universe)
}

// checkBlockSizes fails when a block of base links holds more than a
// block's worth, or but for a base's last less than half of it, or there
// are more blocks than that allows for total links.
func checkBlockSizes(t *testing.T, st *Store, total int) {
	t.Helper()
	var counts []int
	err := query(context.Background(), st.db, `SELECT count FROM base_links ORDER BY base_id, first`, nil, func(r *sql.Rows) error {
		var n int
		err := r.Scan(&n)
		counts = append(counts, n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range counts {
		if n > linkBlockSize || (n < linkBlockSize/2 && i < len(counts)-1) {
			t.Errorf("block %d of %d holds %d links: %v", i, len(counts), n, counts)
			break
		}
	}
	if len(counts) > total/(linkBlockSize/2)+1 {
		t.Errorf("%d blocks for %d links", len(counts), total)
	}
}

func mustHolding(t *testing.T, tx *Tx, key uint64) []baseLink {
	t.Helper()
	links, err := basesHolding(context.Background(), tx.tx, key)
	if err != nil {
		t.Fatal(err)
	}
	return links
}

// TestDamagedLinks: a block of links that does not read as written is an
// error wherever it is read, and Check counts it, rather than a base
// silently holding fewer numbers.
func TestDamagedLinks(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ name, set string }{
		{"not JSON", `nums = 'x'`},
		{"a word among numbers", `nums = '[79160000001,"a"]'`},
		{"fewer rows than numbers", `rows = '[256]'`},
		{"descending", `nums = '[79160000002,79160000001]', first = 79160000002`},
		{"first not the least", `first = 79160000000`},
		{"empty", `nums = '[]', rows = '[]'`},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, _ := openTemp(t)
			importRows(t, st, "a", "h1", []uint64{79160000001, 79160000002})
			if _, err := st.db.ExecContext(ctx, `UPDATE base_links SET `+c.set); err != nil {
				t.Fatal(err)
			}
			err := st.Check(ctx)
			if err == nil || !strings.Contains(err.Error(), "1 damaged blocks of base links") {
				t.Errorf("Check = %v, want the damaged block told", err)
			}
			tx, err := st.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, _, err := tx.held(ctx, 1, []uint64{79160000002}); !errors.Is(err, errBadLinks) && c.name != "first not the least" {
				t.Errorf("held: %v, want %v", err, errBadLinks)
			}
			if _, err := basesHolding(ctx, tx.tx, 79160000002); !errors.Is(err, errBadLinks) {
				t.Errorf("basesHolding: %v, want %v", err, errBadLinks)
			}
		})
	}
}

func TestParseJSONUints(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []uint64
		ok   bool
	}{
		{"[]", nil, true},
		{"[0]", []uint64{0}, true},
		{"[79161234567,1,22]", []uint64{79161234567, 1, 22}, true},
		{"[18446744073709551615]", nil, false}, // 20 digits: no key is that long
		{"[1,]", nil, false},
		{"[,1]", nil, false},
		{"[1 ,2]", nil, false},
		{"[-1]", nil, false},
		{"[1.5]", nil, false},
		{"1,2", nil, false},
		{"[", nil, false},
		{"", nil, false},
	} {
		got, err := parseJSONUints(c.in, nil)
		if (err == nil) != c.ok || (c.ok && !slices.Equal(got, c.want)) {
			t.Errorf("parseJSONUints(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

// TestMigrateBaseNumbersIntoLinks: the base_numbers of schema 0006 come
// out of 0007 as blocks of linkBlockSize per base, with the same links.
func TestMigrateBaseNumbersIntoLinks(t *testing.T) {
	ctx := context.Background()
	old, path := storeAt(t, 6)
	db := old.db
	q := []string{
		`INSERT INTO bases (id, name, created_at) VALUES (1, 'a', 'x'), (2, 'b', 'x'), (3, 'c', 'x')`,
		`INSERT INTO imports (id, base_id, file, sha256, format, imported_at) VALUES (1, 1, 'a.csv', 'h1', 'csv', 'x'), (2, 2, 'b.csv', 'h2', 'csv', 'x')`,
		`INSERT INTO places (id, operator, region, zones) VALUES (1, '', '', '')`,
	}
	var want strings.Builder
	// Base 1: 300 numbers, two full blocks and a part; base 2: 5, of
	// which 2 are base 1's too; base 3: none.
	for i := range 300 {
		k := 79160000000 + i*3
		q = append(q, fmt.Sprintf(`INSERT INTO numbers (num, type, country, place_id) VALUES (%d, 'mobile', 'RU', 1)`, k),
			fmt.Sprintf(`INSERT INTO base_numbers VALUES (1, %d, %d)`, k, 256+i%256))
		fmt.Fprintf(&want, "1|%d|%d\n", k, 256+i%256)
	}
	for i := range 5 {
		k := 79160000000 + i*300
		if i >= 2 {
			k++
			q = append(q, fmt.Sprintf(`INSERT INTO numbers (num, type, country, place_id) VALUES (%d, 'mobile', 'RU', 1)`, k))
		}
		q = append(q, fmt.Sprintf(`INSERT INTO base_numbers VALUES (2, %d, %d)`, k, 512+i))
		fmt.Fprintf(&want, "2|%d|%d\n", k, 512+i)
	}
	for _, s := range q {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var blk blockBuilder
	blk.addRow(2, []string{"x"})
	if _, err := db.ExecContext(ctx, `INSERT INTO row_blocks (id, import_id, tbl, data) VALUES (1, 1, 0, ?1), (2, 2, 0, ?1)`, blk.encode()); err != nil {
		t.Fatal(err)
	}
	st, dump := openMigrated(t, old, path)
	if err := st.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dump, "== base_links\n"+want.String()+"== ") {
		t.Errorf("migrated links differ; dump:\n%s", dump)
	}
	var counts []string
	err := query(ctx, st.db, `SELECT base_id || ':' || count FROM base_links ORDER BY base_id, first`, nil, func(r *sql.Rows) error {
		var c string
		err := r.Scan(&c)
		counts = append(counts, c)
		return err
	})
	// The last 172 of base 1 more than a block's worth: two halves.
	if err != nil || !slices.Equal(counts, []string{"1:128", "1:86", "1:86", "2:5"}) {
		t.Errorf("blocks %v (%v), want 1:128 1:86 1:86 2:5", counts, err)
	}
}

// TestMigrateNumbersIntoKeysAndMarks: the numbers of schema 0007, with
// every mark and the calls, events and consents about them, read the same
// through the view numbers of 0008, and only marked numbers have marks.
func TestMigrateNumbersIntoKeysAndMarks(t *testing.T) {
	ctx := context.Background()
	old, path := storeAt(t, 7)
	st := migrateUnchanged(t, old, path, []string{
		`INSERT INTO bases (id, name, created_at) VALUES (1, 'a', 'x')`,
		`INSERT INTO imports (id, base_id, file, sha256, format, imported_at) VALUES (1, 1, 'a.csv', 'h1', 'csv', 'x')`,
		`INSERT INTO places (id, operator, region, zones) VALUES (1, 'МТС', 'Москва', 'Europe/Moscow'), (2, '', '', '')`,
		`INSERT INTO numbers (num, type, country, place_id, first_import_id) VALUES
			(79160000001, 'mobile', 'RU', 1, 1), (79160000002, 'mobile', 'RU', 1, 1), (74950000003, 'fixed', 'RU', 2, 1),
			(375290000004, 'mobile', 'BY', 2, NULL)`,
		`INSERT INTO numbers (num, type, country, place_id, first_import_id, status, dead_reason, temperature, callback_at,
			opted_out_at, detached_at, last_call_at, last_outcome, last_call_base) VALUES
			(79160000005, 'mobile', 'RU', 1, 1, 'dead', 'unallocated', 'cold', '', '', '', '', '', 0),
			(79160000006, 'mobile', 'RU', 1, 1, 'active', '', 'warm', '2026-01-02T10:00:00Z', '', '', '2026-01-01T10:00:00Z', 'callback', 1),
			(79160000007, 'mobile', 'RU', 1, 1, 'active', '', 'cold', '', '2026-01-03T10:00:00Z', '2026-01-04T10:00:00Z', '', '', 0)`,
		`INSERT INTO calls (num, at, outcome, source) VALUES (79160000006, '2026-01-01T10:00:00Z', 'callback', 'log.csv')`,
		`INSERT INTO events (num, at, what, cause, actor) VALUES (79160000007, '2026-01-03T10:00:00Z', 'opted_out', 'calls', 'me')`,
		`INSERT INTO consents (num, scope, granted, at, actor, recorded_at) VALUES (79160000001, 'pd', 1, '2026-01-01T00:00:00Z', 'me', 'x')`,
	}, "8|0008_number_marks.sql", "9|0009_lease_blocks.sql")
	var marked string
	if err := st.db.QueryRowContext(ctx, `SELECT group_concat(num) FROM (SELECT num FROM number_marks ORDER BY num)`).Scan(&marked); err != nil {
		t.Fatal(err)
	}
	if marked != "79160000005,79160000006,79160000007" {
		t.Errorf("marks of %s, want of the three marked numbers", marked)
	}
	if _, err := st.db.ExecContext(ctx, `INSERT INTO calls (num, at, outcome, source) VALUES (79169999999, 'x', 'busy', 'x')`); err == nil {
		t.Error("a call of a number the database does not know: no foreign key error")
	}
}

// FuzzDecodeLinks: a block of base links as read from the file decodes to
// what the readers rely on, or to an error; what decodes encodes to text
// that decodes the same.
func FuzzDecodeLinks(f *testing.F) {
	f.Add("[79161234567,79161234568]", "[256,257]")
	f.Add("[1]", "[0]")
	f.Add("[]", "[]")
	f.Add("[2,1]", "[1,2]")
	f.Add("[01,2]", "[3,4]")
	f.Add("[1,2", "[3,4]")
	f.Fuzz(func(t *testing.T, nums, rows string) {
		var b linkBlock
		if err := b.decode(nums, rows); err != nil {
			if !errors.Is(err, errBadLinks) {
				t.Fatalf("decode(%q, %q): %v, not errBadLinks", nums, rows, err)
			}
			return
		}
		if len(b.keys) == 0 || len(b.keys) != len(b.rows) {
			t.Fatalf("decode(%q, %q): %d keys, %d rows", nums, rows, len(b.keys), len(b.rows))
		}
		for i := 1; i < len(b.keys); i++ {
			if b.keys[i] <= b.keys[i-1] {
				t.Fatalf("decode(%q, %q): keys not ascending: %v", nums, rows, b.keys)
			}
		}
		var again linkBlock
		if err := again.decode(string(appendJSONInts(nil, b.keys)), string(appendJSONInts(nil, b.rows))); err != nil ||
			!slices.Equal(again.keys, b.keys) || !slices.Equal(again.rows, b.rows) {
			t.Fatalf("decode(%q, %q) = %v %v; encoded and decoded again: %v %v, %v", nums, rows, b.keys, b.rows, again.keys, again.rows, err)
		}
	})
}

// TestMigrationsLeaveSecureDeleteOn: 0007 and 0008 drop their old tables
// without overwriting them, and must put the connection's secure_delete
// back: forget relies on it.
func TestMigrationsLeaveSecureDeleteOn(t *testing.T) {
	ctx := context.Background()
	old, path := storeAt(t, 6)
	old.db.Close()
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.db.SetMaxOpenConns(1) // the connection that migrated, kept idle
	var on int
	if err := st.db.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&on); err != nil || on != 1 {
		t.Errorf("secure_delete after the migrations: %d (%v), want 1", on, err)
	}
}

// storeAt makes a database of schema version, without the later
// migrations, for a test to fill and then open with Open. Close its db
// first.
func storeAt(t *testing.T, version int) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_foreign_keys=1")
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{db: db}
	if err := old.migrateTo(context.Background(), version); err != nil {
		db.Close()
		t.Fatal(err)
	}
	return old, path
}

// migrateUnchanged runs the statements on old, made by storeAt, opens its
// file as commands do (which migrates it) and checks it: its dump must be
// the one before but for the records of the migrations it ran, given as
// they are dumped ("9|0009_lease_blocks.sql").
func migrateUnchanged(t *testing.T, old *Store, path string, statements []string, records ...string) *Store {
	t.Helper()
	ctx := context.Background()
	for _, q := range statements {
		if _, err := old.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var before strings.Builder
	if err := old.Dump(ctx, &before); err != nil {
		t.Fatal(err)
	}
	st, after := openMigrated(t, old, path)
	if err := st.Check(ctx); err != nil {
		t.Fatal(err)
	}
	want := after
	for _, r := range records {
		want = strings.Replace(want, r+"\n", "", 1)
	}
	if before.String() != want {
		t.Errorf("dump before migrating:\n%s\nafter:\n%s", before.String(), after)
	}
	return st
}

// openMigrated closes old, made by storeAt, opens its file as commands do
// (which migrates it) and returns the store with its dump.
func openMigrated(t *testing.T, old *Store, path string) (*Store, string) {
	t.Helper()
	old.db.Close()
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var b strings.Builder
	if err := st.Dump(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return st, b.String()
}
