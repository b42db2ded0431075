package phone

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// plainCases are cells in plainCell's alphabet that the scanner reads in
// ways of its own: a list number, brackets that close nothing, two numbers
// joined by spaces, the international prefixes, too few or too many
// digits.
var plainCases = []string{
	"+7 (916) 123-45-67", "8 916 123 45 67", "89161234567", "+79161234567", "79161234567", "9161234567",
	"(916) 123-45-67", "8(916)1234567", "+ 7 916 123 45 67", "+(7) 916 123-45-67", "-8 916 123-45-67",
	"8 916 123-45-67 -", "8 916 123-45-67 (", "8 916 () 123-45-67", "((8)) 916-123-45-67", "8916)1234567(",
	"7) 916 123-45-67", "1) 89161234567", "2) 8 916 123 45 67", "89161234567 89031234567",
	"8 916 123 45 67 8 903 123 45 67", "810 375 29 123-45-67", "+375 29 123-45-67", "00 49 30 1234567",
	"0049301234567", "+49 (0) 30 1234567", "8 800 555-35-35", "+7 701 123 45 67", "8 701 123 45 67",
	"8 916 123 45 6", "8 916 123 45 678", "+7", "8", "12345", "+", "()", "-", "8 495 123-45-67",
	"+1 (212) 555-0123", "+44 20 7946 0958", "8-3852-35-61-54", "+7 (3852) 35-61-54", "000000000000",
	"+" + strings.Repeat("9", 20), strings.Repeat("8", 32), strings.Repeat("8 ", 16),
}

// TestPlainCellsAsScanned holds plainCell to the scanner on every cell of
// a generated base and the cases above: where it reads a cell, it reads
// what the scanner reads.
func TestPlainCellsAsScanned(t *testing.T) {
	nz, ref := newRU(t), newRU(t)
	cells := append(cellsOf(t), plainCases...)
	plain := 0
	for _, cell := range cells {
		s := strings.TrimSpace(cell)
		if s == "" {
			continue
		}
		res, ok := nz.plainCell(s)
		if !ok {
			continue
		}
		plain++
		if want := ref.scanCell(nil, s); !slices.Equal([]Result{res}, want) {
			t.Fatalf("cell %q: plainCell reads %v, the scanner %v", cell, res, want)
		}
	}
	if plain < len(cells)/4 {
		t.Errorf("plainCell read %d of %d cells", plain, len(cells))
	}
}

// TestTrimSpace holds trimSpace to strings.TrimSpace on every character,
// alone and between spaces, and on broken UTF-8 at either end.
func TestTrimSpace(t *testing.T) {
	var cases []string
	for r := rune(0); r <= unicode.MaxRune; r++ {
		c := string(r)
		cases = append(cases, c, " "+c+" ", c+"\u00a0", "\u2003"+c, c+c)
	}
	for _, b := range []string{"\xc3", "\xd0", "\xe0", "\xe0\xa0", "\xe1\x9a", "\xe1\x9a\x80", "\xc2\xa0", "\x80", "\xbf\xd0", "\xff"} {
		cases = append(cases, b, " "+b, b+" ", "ж"+b, b+"ж", b+"\u00a0", "\u00a0"+b)
	}
	for _, s := range cases {
		if got, want := trimSpace(s), strings.TrimSpace(s); got != want {
			t.Fatalf("trimSpace(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestPlainCellMeetsBlocksOnce: a cell plainCell cannot read as a valid
// number meets its block once, as it does in the scanner alone, and is
// not learned on first sight: a number alone in its block costs a parse,
// not a proof.
func TestPlainCellMeetsBlocksOnce(t *testing.T) {
	for _, cell := range []string{"+375 29 123 45 6", "+380 00 123 45 67", "8 701 123 45 6"} {
		nz, ref := newRU(t), newRU(t)
		nz.alone, ref.alone = true, true
		got, want := nz.Cell(cell), ref.scanCell(nil, cell)
		if !slices.Equal(got, want) {
			t.Fatalf("Cell(%q) = %v, the scanner %v", cell, got, want)
		}
		if !maps.EqualFunc(nz.blocks, ref.blocks, func(a, b *blockInfo) bool { return (a == nil) == (b == nil) && (a == nil || a.learned == b.learned) }) {
			t.Errorf("Cell(%q) left blocks %v, the scanner %v", cell, nz.blocks, ref.blocks)
		}
		for key, b := range nz.blocks {
			if b != nil && b.learned {
				t.Errorf("Cell(%q): block %x learned on first sight", cell, key)
			}
		}
	}
}
