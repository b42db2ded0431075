package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
)

// statsBySQL is how Stats counted before session 5: a GROUP BY of the view
// numbers for each breakdown. TestBreakdowns holds the one pass to it.
func statsBySQL(t *testing.T, st *Store, base string) Stats {
	t.Helper()
	ctx := context.Background()
	numbers := `(SELECT n.type, n.status, n.dead_reason, p.region, p.zones FROM numbers n
		JOIN places p ON p.id = n.place_id)`
	if base != "" {
		numbers = `(SELECT n.type, n.status, n.dead_reason, p.region, p.zones FROM bases b
			JOIN base_links bl ON bl.base_id = b.id CROSS JOIN json_each(bl.nums) j
			CROSS JOIN numbers n ON n.num = j.value JOIN places p ON p.id = n.place_id WHERE b.name = ?1)`
	}
	var s Stats
	for _, b := range []struct {
		expr string
		dst  *[]Count
	}{
		{"type", &s.ByType},
		{"status || CASE WHEN dead_reason != '' THEN ':' || dead_reason ELSE '' END", &s.ByStatus},
		{"region", &s.ByRegion},
		{"zones", &s.ByZone},
	} {
		s.Numbers = 0
		*b.dst = []Count{}
		err := query(ctx, st.db, `SELECT `+b.expr+`, count(*) FROM `+numbers+` GROUP BY 1 ORDER BY 2 DESC, 1`,
			[]any{base}, func(r *sql.Rows) error {
				var c Count
				err := r.Scan(&c.Key, &c.N)
				*b.dst = append(*b.dst, c)
				s.Numbers += c.N
				return err
			})
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestBreakdowns: the counts by type, status, region and zones of the
// whole database and of each base are what GROUP BY over numbers says,
// with numbers in two bases, outside any, dead as never issued or marked
// dead for a reason, warmed (a mark, yet active), in chunks smaller than
// the numbers.
func TestBreakdowns(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	types := []struct{ typ, country string }{{"mobile", "RU"}, {"fixed", "RU"}, {"mobile", "BY"}}
	places := []Place{{Operator: "МТС", Region: "Москва", Zones: "Europe/Moscow"},
		{Region: "Самарская область", Zones: "Europe/Samara"}, {Zones: "Asia/Yekaterinburg,Asia/Omsk"}, {}}
	for b, base := range []string{"a", "b"} {
		im, err := tx.StartImport(ctx, ImportInfo{Base: base, File: "f.csv", SHA256: base, Format: "csv", At: at})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 300 {
			k := uint64(79160000000 + i + 150*b) // half of b's are a's
			row, err := im.AddRow(ctx, 0, i+2, []string{fmt.Sprint(k)})
			if err != nil {
				t.Fatal(err)
			}
			ty, p := types[i%3], places[i%4]
			p.Unallocated = i%17 == 0
			if err := im.AddNumber(ctx, row, 0, Number{Key: k, Type: ty.typ, Country: ty.country, Place: p}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := im.Finish(ctx, ImportCounts{}); err != nil {
			t.Fatal(err)
		}
		im.Close()
	}
	if err := tx.EnsureNumber(ctx, Number{Key: 79169999999, Type: "mobile", Country: "RU", Place: Place{Unallocated: true}}); err != nil {
		t.Fatal(err)
	}
	for i, s := range []State{
		{Status: "dead", DeadReason: "wrong_number", Temperature: "cold"},
		{Status: "active", Temperature: "warm"},
		{Status: "dead", Temperature: "cold"},
	} {
		for k := uint64(79160000001 + i); k < 79160000450; k += 29 {
			if err := tx.SetState(ctx, k, s, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// A damaged database's strays, which the view numbers leaves out: a
	// mark of no number, a number of no place.
	for _, q := range []string{
		`INSERT INTO number_marks (num, status, dead_reason) VALUES (79150000000, 'dead', 'stray')`,
		`INSERT INTO number_keys (num, kind, place_id) VALUES (79150000001, 1, 999)`,
		`INSERT INTO number_marks (num, status, dead_reason) VALUES (79150000001, 'dead', 'stray')`,
	} {
		if _, err := st.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	defer func(n int) { statsChunk = n }(statsChunk)
	statsChunk = 70
	for _, base := range []string{"", "a", "b"} {
		got, err := st.Stats(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		want := statsBySQL(t, st, base)
		if got.Numbers != want.Numbers || !slices.Equal(got.ByType, want.ByType) || !slices.Equal(got.ByStatus, want.ByStatus) ||
			!slices.Equal(got.ByRegion, want.ByRegion) || !slices.Equal(got.ByZone, want.ByZone) {
			t.Errorf("stats of %q: %d numbers %v %v %v %v\nwant %d numbers %v %v %v %v", base,
				got.Numbers, got.ByType, got.ByStatus, got.ByRegion, got.ByZone,
				want.Numbers, want.ByType, want.ByStatus, want.ByRegion, want.ByZone)
		}
	}
}
