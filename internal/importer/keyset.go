package importer

// keySet is a set of number keys (E.164 digits as integers, never 0), kept
// in one flat table with open addressing: 8 bytes a slot, at most 3/4 full,
// so 11-21 bytes a key where a map[uint64]struct{} took about twice that,
// and nothing in it for the garbage collector to scan. A file's numbers all
// pass through it, so its size is what an import's memory grows with.
type keySet struct {
	slots []uint64 // 0 is an empty slot
	n     int
	zero  bool // 0 is in the set
}

// add adds k and reports whether it was already there.
func (s *keySet) add(k uint64) (had bool) {
	if k == 0 {
		had, s.zero = s.zero, true
		return had
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := hash(k) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return true
		case 0:
			s.slots[i] = k
			s.n++
			return false
		}
	}
}

func (s *keySet) len() int {
	if s.zero {
		return s.n + 1
	}
	return s.n
}

func (s *keySet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(2*len(old), 1<<10))
	s.n = 0
	for _, k := range old {
		if k != 0 {
			s.add(k)
		}
	}
}

// hash spreads keys that share their leading digits (Fibonacci hashing;
// the high bits are the well mixed ones).
func hash(k uint64) uint64 {
	h := k * 0x9E3779B97F4A7C15
	return h ^ h>>32
}
