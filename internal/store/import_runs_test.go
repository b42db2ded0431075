package store

import (
	"bytes"
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// The runs spilled and the last one in memory merge into one stream sorted
// by key, every field kept.
func TestRunsMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var all []pendingNumber
	var rs runs
	defer rs.close()
	byKey := func(a, b pendingNumber) int { return cmp.Compare(a.key, b.key) }
	for _, size := range []int{5, 1, mergeChunk + 3, 0, 7} {
		run := make([]pendingNumber, size)
		for i := range run {
			run[i] = pendingNumber{key: r.Uint64(), row: r.Int64(), place: r.Uint32(), kind: uint16(r.Uint32()), dead: r.IntN(2) == 0}
		}
		slices.SortFunc(run, byKey)
		all = append(all, run...)
		if err := rs.spill(run); err != nil {
			t.Fatal(err)
		}
	}
	last := []pendingNumber{{key: 0}, {key: 1 << 63, row: -1, dead: true}, {key: 1<<64 - 1, place: 1<<32 - 1, kind: 1<<16 - 1}}
	all = append(all, last...)
	var got []pendingNumber
	err := rs.merge(last, func(p []pendingNumber) error {
		if len(p) > mergeChunk {
			t.Errorf("a chunk of %d numbers, want at most %d", len(p), mergeChunk)
		}
		got = append(got, p...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(all, byKey)
	if !slices.Equal(got, all) {
		t.Errorf("merged %d numbers, want %d sorted by key with their fields", len(got), len(all))
	}
}

// An import whose new numbers spill to runs stores the same as one that
// keeps them all in memory.
func TestImportSpillingStoresTheSame(t *testing.T) {
	dump := func(max int) string {
		defer func(n int) { pendingMax = n }(pendingMax)
		pendingMax = max
		st, _ := openTemp(t)
		ctx := context.Background()
		importOne(t, st, "a", "h0", 79160000040, 79160000013)
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		im, err := tx.StartImport(ctx, ImportInfo{Base: "a", File: "f.csv", SHA256: "h1", Format: "csv", At: at})
		if err != nil {
			t.Fatal(err)
		}
		defer im.Close()
		places := []Place{{Operator: "МТС", Region: "Москва", Zones: "Europe/Moscow"}, {Region: "Казахстан"}, {Unallocated: true}}
		kinds := [][2]string{{"mobile", "RU"}, {"fixed", "RU"}, {"mobile", "KZ"}}
		r := rand.New(rand.NewPCG(3, 4))
		keys := r.Perm(50)
		for i, k := range keys {
			row, err := im.AddRow(ctx, 0, i+2, []string{"x"})
			if err != nil {
				t.Fatal(err)
			}
			n := Number{Key: 79160000000 + uint64(k), Type: kinds[k%3][0], Country: kinds[k%3][1], Place: places[k%3]}
			if err := im.AddNumber(ctx, row, 0, n, true); err != nil {
				t.Fatal(err)
			}
		}
		c, err := im.Finish(ctx, ImportCounts{Rows: 50, Numbers: 50, Unique: 50})
		if err != nil {
			t.Fatal(err)
		}
		if c.New != 48 || c.Known != 2 {
			t.Errorf("pendingMax %d: new %d, known %d; want 48, 2", max, c.New, c.Known)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := st.Check(ctx); err != nil {
			t.Error(err)
		}
		var b bytes.Buffer
		if err := st.Dump(ctx, &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if a, b := dump(1<<20), dump(7); a != b {
		t.Errorf("spilling runs of 7 stores another content than none:\n%s\n%s", a, b)
	}
}

// sortByKey sorts as slices.SortFunc does, keys of any size, scratch space
// too small or reused.
func TestSortByKey(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var scratch []pendingNumber
	for _, size := range []int{0, 3, 1023, 1024, 5000, 70000} {
		for _, bits := range []uint{1, 34, 50, 64} {
			p := make([]pendingNumber, size)
			for i := range p {
				p[i] = pendingNumber{key: r.Uint64() >> (64 - bits), row: int64(i), place: r.Uint32()}
			}
			want := slices.Clone(p)
			slices.SortStableFunc(want, func(a, b pendingNumber) int { return cmp.Compare(a.key, b.key) })
			scratch = sortByKey(p, scratch)
			if !slices.Equal(p, want) {
				t.Errorf("%d keys of %d bits: not sorted by key, rows in file order", size, bits)
			}
		}
	}
}
