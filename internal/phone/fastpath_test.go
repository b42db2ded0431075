package phone

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The prefix table and the blocks of +7 must say exactly what phonenumbers
// says, for every four-digit prefix of +7 numbers and every written form,
// 810 7 ... included. A metadata release that splits a Russian prefix
// finer fails here.
func TestFastPathAgreesWithParser(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, region := range []string{"RU", "KZ"} {
		nz, err := NewNormalizer(region)
		if err != nil {
			t.Fatal(err)
		}
		fast := 0
		for p := range 10_000 {
			nsn := fmt.Sprintf("%04d%06d", p, rng.IntN(1_000_000))
			forms := []string{"+7" + nsn, "7" + nsn, "8" + nsn, nsn, "8107" + nsn}
			if p%10 != 0 {
				forms = forms[p%5 : p%5+1] // every form for each three-digit prefix, one for the rest
			}
			for _, written := range forms {
				plus := written[0] == '+'
				d := []byte(written)
				if plus {
					d = d[1:]
				}
				nz.fastNumber(d, plus) // blocks other than 3, 4, 8, 9 are learned when met again
				got, ok := nz.fastNumber(d, plus)
				if !ok {
					continue
				}
				fast++
				want, reason := nz.parse(written, d, plus)
				if reason != OK || got != want {
					t.Fatalf("%s %s: table says %+v, parser %+v %s", region, written, got, want, reason)
				}
			}
		}
		if fast < 500 { // about half the +7 prefixes are in use
			t.Errorf("%s: only %d numbers took the fast path", region, fast)
		}
	}
}

// A warm cache and prefix table must not change any answer.
func TestWarmNormalizerKeepsAnswers(t *testing.T) {
	warm := newRU(t)
	for range 2 {
		for _, tc := range cellCases {
			cold := newColdRU(t)
			a, b := warm.Cell(tc.cell), cold.Cell(tc.cell)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("Cell(%q): warm %v, cold %v", tc.cell, a, b)
			}
		}
	}
}

// Short numbers written without "+" are rejected without the parser; it
// must agree, for every three-digit start and every length below ten.
func TestTooShortAgreesWithParser(t *testing.T) {
	nz := newRU(t)
	rng := rand.New(rand.NewPCG(5, 5))
	for n := 3; n <= 9; n++ {
		for p := range 1000 {
			written := fmt.Sprintf("%03d%09d", p, rng.IntN(1_000_000_000))[:n]
			d := []byte(written)
			if !nz.tooShortInRussia(d, false) {
				continue
			}
			if _, reason := nz.parse(written, d, false); reason != TooShort {
				t.Fatalf("%s: parser says %s, shortcut says too short", written, reason)
			}
		}
	}
}

// The E.164 strings of fast numbers are cut from shared blocks: each must
// stay as it was made while the normalizer makes thousands more, across
// blocks. A block reused rather than replaced when full would fail here.
func TestE164sStayWhole(t *testing.T) {
	nz := newRU(t)
	var kept []Number
	var want []string
	for i := range 5000 {
		nsn := fmt.Sprintf("916%07d", i*1999%10_000_000)
		res := nz.Cell("8" + nsn)
		if len(res) != 1 || res[0].Reason != OK {
			t.Fatalf("8%s: %+v", nsn, res)
		}
		kept = append(kept, res[0].Number)
		want = append(want, "+7"+nsn)
	}
	for i, n := range kept {
		if n.E164 != want[i] {
			t.Fatalf("number %d is %q now, want %q", i, n.E164, want[i])
		}
	}
}
