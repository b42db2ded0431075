package textblock

import (
	"strings"
	"testing"
)

// Strings cut stay as they were cut while thousands more are, across
// blocks, and a string longer than a block gets a block of its own.
func TestCutStaysWhole(t *testing.T) {
	bs := Blocks{Size: 64}
	var cut, want []string
	for i := range 5000 {
		s := strings.Repeat(string(rune('a'+i%26)), i%40)
		if i%1000 == 999 {
			s = strings.Repeat("x", 200) // longer than a block
		}
		cut = append(cut, bs.Cut([]byte(s)))
		want = append(want, s)
	}
	for i := range cut {
		if cut[i] != want[i] {
			t.Fatalf("string %d is %q now, want %q", i, cut[i], want[i])
		}
	}
}

func TestCutAllocatesByBlock(t *testing.T) {
	bs := Blocks{Size: 1 << 16}
	p := []byte("+79161234567")
	if n := testing.AllocsPerRun(1000, func() { bs.Cut(p) }); n > 0.01 {
		t.Errorf("%v allocations a string", n)
	}
}
