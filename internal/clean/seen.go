package clean

// seen gives each unique number key an index, in the order first seen. It
// is an open-addressing hash table: a base of a million numbers misses a
// map's cache lines on nearly every lookup, and this takes half the time.
// It is split in parts that grow one at a time, so growing never holds
// the old and the new copy of the whole table at once.
type seen struct {
	n     int
	parts [1 << partBits]part
}

const partBits = 6

type part struct {
	slots []slot
	n     int
	shift uint // 64 - log2(len(slots))
}

type slot struct {
	key  uint64
	next uint32 // the key's index + 1; 0 for an empty slot
}

func hash(key uint64) uint64 { return key * 0x9e3779b97f4a7c15 }

// index returns the index of key, and whether key was seen before; a new
// key gets the next index.
func (s *seen) index(key uint64) (uint32, bool) {
	h := hash(key)
	p := &s.parts[h>>(64-partBits)]
	if 4*p.n >= 3*len(p.slots) {
		p.grow()
	}
	mask := uint64(len(p.slots) - 1)
	for i := (h << partBits) >> p.shift; ; i = (i + 1) & mask {
		sl := &p.slots[i]
		if sl.next == 0 {
			s.n++
			p.n++
			sl.key, sl.next = key, uint32(s.n)
			return sl.next - 1, false
		}
		if sl.key == key {
			return sl.next - 1, true
		}
	}
}

func (p *part) grow() {
	old := p.slots
	p.slots = make([]slot, max(1<<8, 2*len(old)))
	p.shift = 64
	for n := len(p.slots); n > 1; n >>= 1 {
		p.shift--
	}
	mask := uint64(len(p.slots) - 1)
	for _, sl := range old {
		if sl.next == 0 {
			continue
		}
		i := (hash(sl.key) << partBits) >> p.shift
		for p.slots[i].next != 0 {
			i = (i + 1) & mask
		}
		p.slots[i] = sl
	}
}
