package calllist

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/callbase/callbase/internal/policy"
	"github.com/callbase/callbase/internal/store"
)

// TestBuildLargeBase: a base large enough that Build looks its numbers up
// in chunks split over two connections (store.ReadAside) gives its
// callable numbers in import order, each once, whatever the limit.
func TestBuildLargeBase(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "callbase.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	var want []uint64 // the callable numbers, in import order
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	im, err := tx.StartImport(ctx, store.ImportInfo{Base: "big", File: "f.csv", SHA256: "1", Format: "csv", At: at})
	if err != nil {
		t.Fatal(err)
	}
	if err := im.AddTable(ctx, 0, "", []string{"Телефон"}, []int{0}); err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	for i := range 12000 {
		// Random keys: import order is not key order.
		k := 79000000000 + uint64(rng.IntN(999999999))
		if seen[k] {
			continue
		}
		seen[k] = true
		row, err := im.AddRow(ctx, 0, i+2, []string{fmt.Sprint(k)})
		if err != nil {
			t.Fatal(err)
		}
		dead := i%7 == 3
		n := store.Number{Key: k, Type: "mobile", Country: "RU", Place: store.Place{Zones: "Europe/Moscow", Unallocated: dead}}
		if err := im.AddNumber(ctx, row, 0, n); err != nil {
			t.Fatal(err)
		}
		if !dead {
			want = append(want, k)
		}
	}
	if _, err := im.Finish(ctx, store.ImportCounts{}); err != nil {
		t.Fatal(err)
	}
	im.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{0, 1, 5000, 9000, len(want), len(want) + 10} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			tx, err := st.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			r := policy.Request{Now: at, DueBy: at.Add(12 * time.Hour)}
			if err := Rules(ctx, tx, &r); err != nil {
				t.Fatal(err)
			}
			list, err := Build(ctx, tx, Filter{Limit: limit}, r)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]uint64, len(list))
			for i, e := range list {
				got[i] = e.Candidate.Key
			}
			w := want
			if limit > 0 && limit < len(w) {
				w = w[:limit]
			}
			if !slices.Equal(got, w) {
				t.Errorf("got %d numbers, want %d; first difference at %d", len(got), len(w), firstDiff(got, w))
			}
		})
	}
}

func firstDiff(a, b []uint64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
