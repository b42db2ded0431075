package keysort

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

type record struct {
	key uint64
	seq int
}

func keyOf(r *record) uint64 { return r.key }

// TestSort: sorted as slices.SortStableFunc sorts, keys of any size,
// scratch space too small or reused.
func TestSort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var scratch []record
	for _, size := range []int{0, 1, 3, 1023, 1024, 5000, 70000} {
		for _, bits := range []uint{1, 11, 12, 34, 50, 64} {
			p := make([]record, size)
			for i := range p {
				p[i] = record{key: r.Uint64() >> (64 - bits), seq: i}
			}
			want := slices.Clone(p)
			slices.SortStableFunc(want, func(a, b record) int { return cmp.Compare(a.key, b.key) })
			scratch = Sort(p, scratch, keyOf)
			if !slices.Equal(p, want) {
				t.Errorf("%d keys of %d bits: not sorted by key, equal keys in their order", size, bits)
			}
		}
	}
}

func BenchmarkSort(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	p := make([]record, 1_000_000)
	orig := make([]record, len(p))
	for i := range orig {
		orig[i] = record{key: 79_000_000_000 + r.Uint64N(1_000_000_000), seq: i}
	}
	var scratch []record
	for b.Loop() {
		copy(p, orig)
		scratch = Sort(p, scratch, keyOf)
	}
}
