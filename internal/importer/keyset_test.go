package importer

import (
	"math/rand/v2"
	"testing"
)

// The set agrees with a map on a stream of keys with many repeats,
// through its growths, 0 included.
func TestKeySet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s keySet
	m := map[uint64]bool{}
	for i := range 200000 {
		k := 79000000000 + r.Uint64N(100000)
		if i%1000 == 0 {
			k = 0
		}
		if got := s.add(k); got != m[k] {
			t.Fatalf("add(%d) #%d = %v, want %v", k, i, got, m[k])
		}
		m[k] = true
	}
	if s.len() != len(m) {
		t.Errorf("len %d, want %d", s.len(), len(m))
	}
}
