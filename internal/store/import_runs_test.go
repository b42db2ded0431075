package store

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
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
			if err := im.AddNumber(ctx, row, 0, n); err != nil {
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

// TestFileDuplicatesFirstRowWins: a file repeating its numbers, in memory
// and spilled in runs of every small size: each number is recorded once,
// linked to the row it was first found in, and counted once by region,
// zones and as never issued.
func TestFileDuplicatesFirstRowWins(t *testing.T) {
	for _, max := range []int{1 << 20, 1, 3, 7} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			defer func(n int) { pendingMax = n }(pendingMax)
			pendingMax = max
			st, _ := openTemp(t)
			ctx := context.Background()
			importOne(t, st, "b", "h0", 79160000003) // known before
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
			places := []Place{{Region: "Москва", Zones: "Europe/Moscow"}, {Region: "Пермь", Zones: "Asia/Yekaterinburg"}, {Unallocated: true}}
			r := rand.New(rand.NewPCG(uint64(max), 9))
			first := map[uint64]int64{}
			for i := range 60 {
				k := uint64(79160000000 + r.IntN(20))
				row, err := im.AddRow(ctx, 0, i+2, []string{"x"})
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := first[k]; !ok {
					first[k] = row
				}
				if err := im.AddNumber(ctx, row, 0, Number{Key: k, Type: "mobile", Country: "RU", Place: places[k%3]}); err != nil {
					t.Fatal(err)
				}
			}
			c, err := im.Finish(ctx, ImportCounts{Rows: 60, Numbers: 60})
			if err != nil {
				t.Fatal(err)
			}
			unallocated, byZone := 0, map[string]int{}
			for k := range first {
				if places[k%3].Unallocated {
					unallocated++
				}
				byZone[places[k%3].Zones]++
			}
			_, known := first[79160000003]
			want := ImportCounts{Unique: len(first), FileDuplicates: 60 - len(first), Unallocated: unallocated,
				Known: btoi(known), New: len(first) - btoi(known)}
			if c.Unique != want.Unique || c.FileDuplicates != want.FileDuplicates || c.Unallocated != want.Unallocated ||
				c.New != want.New || c.Known != want.Known || !maps.Equal(c.ByZone, byZone) {
				t.Errorf("counts %+v, want %+v by zone %v", c, want, byZone)
			}
			for k, row := range first {
				links, err := basesHolding(ctx, tx.tx, k)
				if err != nil {
					t.Fatal(err)
				}
				var got int64 = -1
				for _, l := range links {
					if l.base == im.baseID {
						got = l.row
					}
				}
				if got != row {
					t.Errorf("%d linked to row %d of its base, want %d, where it was first found", k, got, row)
				}
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// failingFlush is a writeback ticker whose syncs met an error.
type failingFlush struct{ err error }

func (f failingFlush) Stop() error { return f.err }

// TestCommitReportsFlushError: an error the syncs along the way met fails
// the commit, which SQLite's own fsync may not have heard of, and says
// the transaction landed all the same.
func TestCommitReportsFlushError(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	failure := errors.New("injected EIO")
	tx.flush = failingFlush{failure}
	err = tx.Commit()
	if !errors.Is(err, failure) || !strings.Contains(err.Error(), "committed") {
		t.Errorf("Commit = %v, want the sync's error, saying the transaction committed", err)
	}
	if tx.flush != nil {
		t.Error("the ticker is kept after Commit")
	}
}
