package calllist

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTopKeepsTheBest: whatever the order of offers, top keeps each
// number's best entry and, with a limit, the best limit numbers, in list
// order: the same as sorting every number's best entry and cutting. Offers
// come at random and in list order (as untouched numbers do), with
// repeated numbers, across the moment the list fills.
func TestTopKeepsTheBest(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for round := range 200 {
		limit := []int{0, 1, 2, 7, 50, 400}[round%6]
		n := 1 + rng.IntN(600)
		offers := make([]*scored, n)
		for i := range offers {
			offers[i] = &scored{class: rng.IntN(4), callback: int64(rng.IntN(3)), attempts: rng.IntN(3), last: int64(rng.IntN(3)),
				baseID: int64(1 + rng.IntN(2)), row: int64(rng.IntN(1000)), key: uint64(rng.IntN(n/2 + 1))}
		}
		if round%3 == 0 {
			slices.SortFunc(offers, compare) // in list order
		}
		best := map[uint64]*scored{}
		tp := newTop(limit)
		for _, s := range offers {
			if b, ok := best[s.key]; !ok || compare(s, b) < 0 {
				best[s.key] = s
			}
			if tp.rejects(s) {
				continue
			}
			tp.offer(s)
		}
		want := slices.SortedFunc(func(yield func(*scored) bool) {
			for _, s := range best {
				if !yield(s) {
					return
				}
			}
		}, compare)
		if limit > 0 && len(want) > limit {
			want = want[:limit]
		}
		if got := tp.sorted(); !slices.Equal(got, want) {
			t.Fatalf("round %d, limit %d, %d offers: kept %s, want %s", round, limit, n, keys(got), keys(want))
		}
	}
}

func keys(ss []*scored) string {
	var b []byte
	for _, s := range ss {
		b = fmt.Appendf(b, "%d ", s.key)
	}
	return string(b)
}
