package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestBlockRoundTrip(t *testing.T) {
	var b blockBuilder
	want := []Row{
		{ID: rowID(7, 0), Line: 2, Fields: []string{"Иванов", "+7 916 123-45-67, 8 903 123 45 67", ""},
			Links: []Link{{Key: 79161234567, Col: 1}, {Key: 79031234567, Col: 1, Ext: "12"}}},
		{ID: rowID(7, 1), Line: 3, Fields: []string{}},
		{ID: rowID(7, 2), Line: 1 << 40, Fields: []string{strings.Repeat("x", 300)}, Links: []Link{{Key: 1<<64 - 1, Col: 0}}},
	}
	for _, r := range want {
		i := b.addRow(r.Line, r.Fields)
		for _, l := range r.Links {
			b.addLink(i, l)
		}
	}
	data := b.encode()
	got, err := decodeBlock(7, data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v\nwant %+v", got, want)
	}
	if b.nRows != 0 || len(b.encode()) != 2 {
		t.Error("encode did not empty the builder")
	}
	// Every cut of the block is refused, not misread.
	for n := range len(data) {
		if _, err := decodeBlock(7, data[:n]); err == nil {
			t.Errorf("block cut to %d of %d bytes decoded without error", n, len(data))
		}
	}
}

func TestRowIDs(t *testing.T) {
	for _, c := range []struct {
		block int64
		i     int
	}{{1, 0}, {1, 255}, {2, 0}, {1 << 40, 17}} {
		b, i := blockOf(rowID(c.block, c.i))
		if b != c.block || i != c.i {
			t.Errorf("blockOf(rowID(%d, %d)) = %d, %d", c.block, c.i, b, i)
		}
	}
}

func FuzzDecodeBlock(f *testing.F) {
	var b blockBuilder
	b.addLink(b.addRow(2, []string{"a", "+79161234567"}), Link{Key: 79161234567, Col: 1, Ext: "1"})
	f.Add(b.encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := decodeBlock(1, data)
		if err != nil {
			return
		}
		// What decodes encodes back to the same bytes.
		var b blockBuilder
		for _, r := range rows {
			i := b.addRow(r.Line, r.Fields)
			for _, l := range r.Links {
				b.addLink(i, l)
			}
		}
		_ = b.encode()
	})
}

// TestMigrateRowsIntoBlocks: a database of schema 0001, with rows and
// links, comes out of 0002 with the same rows, links and memberships.
func TestMigrateRowsIntoBlocks(t *testing.T) {
	ctx := context.Background()
	old, path := storeAt(t, 1)
	db := old.db
	for _, q := range []string{
		`INSERT INTO bases (id, name, created_at) VALUES (1, 'a', 'x'), (2, 'b', 'x')`,
		`INSERT INTO imports (id, base_id, file, sha256, format, imported_at) VALUES (1, 1, 'a.csv', 'h1', 'csv', 'x'), (2, 2, 'b.xlsx', 'h2', 'xlsx', 'x')`,
		`INSERT INTO import_tables VALUES (1, 0, '', '["Имя","Телефон"]', '[1]'), (2, 0, 'Лист1', '["Телефон"]', '[0]'), (2, 1, 'Лист2', '["Телефон"]', '[0]')`,
		`INSERT INTO rows (id, import_id, tbl, line, fields) VALUES
			(1, 1, 0, 2, '["Иванов","+79161234567; 89031234567 доб. 5"]'), (2, 1, 0, 3, '["Петров",""]'),
			(3, 2, 0, 2, '["79161234567"]'), (4, 2, 1, 2, '["74951234567"]')`,
		`INSERT INTO numbers (num, type, country, operator, region, zones, status, dead_reason, first_import_id) VALUES
			(79161234567, 'mobile', 'RU', 'МТС', 'Москва', 'Europe/Moscow', 'active', '', 1),
			(79031234567, 'mobile', 'RU', 'Билайн', 'Москва', 'Europe/Moscow', 'active', '', 1),
			(74951234567, 'fixed', 'RU', '', 'Москва', 'Europe/Moscow', 'dead', 'unallocated', 2)`,
		`INSERT INTO row_numbers VALUES (1, 79161234567, 1, ''), (1, 79031234567, 1, '5'), (3, 79161234567, 0, ''), (4, 74951234567, 0, '')`,
		`INSERT INTO base_numbers VALUES (1, 79161234567, 1), (1, 79031234567, 1), (2, 79161234567, 3), (2, 74951234567, 4)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st, d := openMigrated(t, old, path)
	for _, want := range []string{
		// Rows of one table share a block; each table has its own.
		"256|1|0|2|[\"Иванов\",\"+79161234567; 89031234567 доб. 5\"]|79031234567:1:5|79161234567:1:\n",
		"257|1|0|3|[\"Петров\",\"\"]\n",
		"512|2|0|2|[\"79161234567\"]|79161234567:0:\n",
		"768|2|1|2|[\"74951234567\"]|74951234567:0:\n",
		"== base_links\n1|79031234567|256\n1|79161234567|256\n2|74951234567|768\n2|79161234567|512\n",
		"74951234567|fixed|RU|1|dead|unallocated|2|cold|",
		"== places\n1||Москва|Europe/Moscow\n2|Билайн|Москва|Europe/Moscow\n3|МТС|Москва|Europe/Moscow\n",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("migrated database lacks %q:\n%s", want, d)
		}
	}
	for _, gone := range []string{"== rows\n", "== row_numbers\n", "numbers_new", "base_numbers_new", "== base_numbers\n"} {
		if strings.Contains(d, gone) {
			t.Errorf("migrated database still has %q", gone)
		}
	}
	var fkErrors int
	if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fkErrors); err != nil || fkErrors != 0 {
		t.Errorf("foreign key check: %d violations, %v", fkErrors, err)
	}
}

func TestCheckFindsBrokenReferences(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	importOne(t, st, "a", "h1", 79161234567, 79031234567)
	if err := st.Check(ctx); err != nil {
		t.Fatalf("fresh import: %v", err)
	}
	if _, err := st.db.ExecContext(ctx, `DELETE FROM number_keys WHERE num = 79031234567`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.ExecContext(ctx, `DELETE FROM row_blocks`); err != nil {
		t.Fatal(err)
	}
	err := st.Check(ctx)
	if err == nil || !strings.Contains(err.Error(), "1 base links to no number") || !strings.Contains(err.Error(), "2 base links to no row") {
		t.Errorf("Check = %v, want the missing number and rows told", err)
	}
}

// TestPendingWrittenInPasses: a file with more new numbers than wait in
// memory spills them in sorted runs, merged when written, with the same
// result.
func TestPendingWrittenInPasses(t *testing.T) {
	defer func(n int) { pendingMax = n }(pendingMax)
	pendingMax = 3
	st, _ := openTemp(t)
	ctx := context.Background()
	importOne(t, st, "a", "h1", 79160000002, 79160000004)
	c := importOne(t, st, "b", "h2", 79160000005, 79160000004, 79160000001, 79160000003, 79160000002, 79160000006, 79160000007)
	if c.New != 5 || c.Known != 2 {
		t.Errorf("new %d, known %d; want 5, 2", c.New, c.Known)
	}
	s, err := st.Stats(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if s.Numbers != 7 {
		t.Errorf("base b holds %d numbers, want 7", s.Numbers)
	}
	if err := st.Check(ctx); err != nil {
		t.Error(err)
	}
}
