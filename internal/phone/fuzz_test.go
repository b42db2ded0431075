package phone

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// foreignSeeds are numbers read through blocks (plan.go) in each written
// form, twice in a cell so that a cold Normalizer learns the block too.
var foreignSeeds = []string{
	"+375 29 123-45-67", "+375291234567 +375297654321", "810 375 29 123-45-67", "8 10 375 29 765 43 21",
	"8-10-49-30-12345678", "00 380 50 123 4567", "+380 (44) 123-45-67", "+49 (0) 30 12345678",
	"+998 90 123 45 67", "+998 71 234 56 78", "87011234567 87017654321", "+7 701 123 45 67",
	"77011234567", "7011234567", "8 10 7 701 123 45 67", "8 10 7 916 123-45-67", "+1 650 253 0000",
}

// FuzzCell: no cell panics or yields an unbounded list, and every number
// read normalizes to itself.
func FuzzCell(f *testing.F) {
	for _, tc := range cellCases {
		f.Add(tc.cell)
	}
	for _, s := range []string{
		"+", "(", "((((", "8 (", "доб. 12", "x1", "#", "0.0E-5", "1e999", "9E+", ",,,;;;",
		"7.91612E+10 доб. 12", "+7.9161234567E+10", "00", "0049", "810", "8 10", "+8 916 123-45-67",
		"\xff\xfe89161234567", "８９１６１２３４５６７", "89161234567" + strings.Repeat(" 1", 40),
	} {
		f.Add(s)
	}
	for _, s := range foreignSeeds {
		f.Add(s)
	}
	nz, err := NewNormalizer("RU")
	if err != nil {
		f.Fatal(err)
	}
	prefix := []Result{{Text: "before", Reason: TooShort}}
	for _, s := range plainCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		got := nz.Cell(cell)
		if len(got) == 0 || len(got) > MaxResults+1 {
			t.Fatalf("Cell(%q) gave %d results", cell, len(got))
		}
		// A cold Normalizer, without cache or prefix table, reads the same;
		// appending leaves what came before alone.
		cold, _ := NewNormalizer("RU")
		cold.alone = true // held to the parser, not to what nz learned
		appended := cold.AppendCell(slices.Clip(prefix), cell)
		if appended[0] != prefix[0] || !slices.Equal(appended[1:], got) {
			t.Fatalf("Cell(%q): warm %v, cold %v", cell, got, appended[1:])
		}
		if trimSpace(cell) != strings.TrimSpace(cell) {
			t.Fatalf("trimSpace(%q) = %q, want %q", cell, trimSpace(cell), strings.TrimSpace(cell))
		}
		blank := strings.TrimSpace(cell) == ""
		if !blank {
			// What plainCell reads, it reads as the scanner does.
			if res, ok := cold.plainCell(strings.TrimSpace(cell)); ok {
				if scanned := cold.scanCell(nil, strings.TrimSpace(cell)); !slices.Equal([]Result{res}, scanned) {
					t.Fatalf("Cell(%q): plainCell reads %v, the scanner %v", cell, res, scanned)
				}
			}
		}
		for _, r := range got {
			if (r.Reason == Empty) != blank {
				t.Fatalf("Cell(%q): reason %s for a cell that is blank=%v", cell, r.Reason, blank)
			}
			if (r.Text == "") != blank || !strings.Contains(cell, strings.TrimSuffix(r.Text, "…")) {
				t.Fatalf("Cell(%q): text %q is not from the cell", cell, r.Text)
			}
			if r.Reason != OK {
				if r.Number != (Number{}) {
					t.Fatalf("Cell(%q): reject %s carries a number %+v", cell, r.Reason, r.Number)
				}
				continue
			}
			checkNumber(t, cell, r.Number)
			again := nz.Cell(r.E164)
			if len(again) != 1 || again[0].Number != (Number{E164: r.E164, Type: r.Type, Country: r.Country}) {
				t.Fatalf("Cell(%q) read %+v, which reads back as %+v", cell, r.Number, again)
			}
			if r.Ext != "" {
				again = nz.Cell(r.E164 + " доб. " + r.Ext)
				if len(again) != 1 || again[0].Number != r.Number {
					t.Fatalf("Cell(%q) read %+v, which reads back as %+v", cell, r.Number, again)
				}
			}
		}
	})
}

func checkNumber(t *testing.T, cell string, n Number) {
	t.Helper()
	if len(n.E164) < 4 || len(n.E164) > 1+maxNumberDigits || n.E164[0] != '+' || !allDigits(n.E164[1:]) {
		t.Fatalf("Cell(%q): E164 %q is malformed", cell, n.E164)
	}
	if n.Key() == 0 {
		t.Fatalf("Cell(%q): E164 %q has no key", cell, n.E164)
	}
	if len(n.Ext) > maxExtDigits || !allDigits(n.Ext) {
		t.Fatalf("Cell(%q): extension %q is malformed", cell, n.Ext)
	}
	if n.Country == "" || !utf8.ValidString(n.Country) {
		t.Fatalf("Cell(%q): no country for %s", cell, n.E164)
	}
}

// FuzzFindsWhatParserFinds: in a cell of digits, spaces, brackets, dashes
// and "+", whatever phonenumbers reads from the whole cell is found here
// too, and formatted as phonenumbers formats it. Letters, separators and dots are left out: there this package
// reads differently on purpose (labels, several numbers, floats).
func FuzzFindsWhatParserFinds(f *testing.F) {
	for _, tc := range cellCases {
		f.Add(tc.cell)
	}
	for _, s := range foreignSeeds {
		f.Add(s)
	}
	nz, err := NewNormalizer("RU")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		for i := 0; i < len(cell); {
			cl, size := classAt(cell, i)
			if cl == text || cl == sep || cell[i] == '.' {
				return
			}
			i += size
		}
		pn, err := phonenumbers.Parse(cell, "RU")
		if err != nil || !phonenumbers.IsValidNumber(pn) {
			return
		}
		want := Number{
			E164:    phonenumbers.Format(pn, phonenumbers.E164),
			Type:    typeOf(phonenumbers.GetNumberType(pn)),
			Country: phonenumbers.GetRegionCodeForNumber(pn),
		}
		got := nz.Cell(cell)
		for _, r := range got {
			if r.E164 == want.E164 {
				if r.Type != want.Type || r.Country != want.Country {
					t.Fatalf("Cell(%q): phonenumbers reads %+v, we read %+v", cell, want, r.Number)
				}
				// Twice: the first meets a block, the second may take
				// its template (format.go).
				for range 2 {
					if got, want := nz.Readable(r.E164), readable(r.E164, "RU"); got != want {
						t.Fatalf("Readable(%s) = %q, phonenumbers formats %q", r.E164, got, want)
					}
				}
				return
			}
		}
		t.Fatalf("Cell(%q): phonenumbers reads %s, we read %v", cell, want.E164, got)
	})
}
