package phone

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// inFastBlock reports whether e164 lies in a block nz has proven.
func inFastBlock(nz *Normalizer, e164 string) bool {
	d := []byte(e164[1:])
	cc, k := callingCode(d)
	if cc == 0 || len(d)-k < minBlockDigits {
		return false
	}
	b, ok := nz.blocks[blockKey(cc, d[k:])]
	return ok && b.fast
}

// Every cell of a generated base reads the same through learned blocks as
// through the parser alone: the reference Normalizer forgets its blocks
// before each cell, so that each of their numbers meets the parser. Every
// number of a proven block is formatted as phonenumbers formats it.
func TestBlocksAgreeOnGeneratedBase(t *testing.T) {
	t.Parallel()
	warm, ref := newRU(t), newColdRU(t)
	fast := map[string]bool{}
	for _, cell := range cellsOf(t) {
		clear(ref.blocks)
		got, want := warm.Cell(cell), ref.Cell(cell)
		if !slices.Equal(got, want) {
			t.Fatalf("Cell(%q): blocks say %v, parser %v", cell, got, want)
		}
		for _, r := range got {
			if r.Reason == OK && inFastBlock(warm, r.E164) {
				fast[r.E164] = true
			}
		}
	}
	if len(fast) < 10_000 {
		t.Errorf("only %d numbers of the base lie in proven blocks", len(fast))
	}
	for e164 := range fast {
		if got, want := warm.Readable(e164), readable(e164, "RU"); got != want {
			t.Fatalf("Readable(%s) = %q, phonenumbers says %q", e164, got, want)
		}
	}
	checkBlocks(t, warm, 20, true)
}

// The blocks of the example numbers phonenumbers gives for every region
// and type put the proof to patterns of every country; read from
// Kazakhstan too, where +7 7xx is national.
func TestBlocksAgreeAcrossCountries(t *testing.T) {
	t.Parallel()
	for _, home := range []string{"RU", "KZ"} {
		nz, err := NewNormalizer(home)
		if err != nil {
			t.Fatal(err)
		}
		for region := range phonenumbers.GetSupportedRegions() {
			for typ := phonenumbers.FIXED_LINE; typ <= phonenumbers.VOICEMAIL; typ++ {
				if ex := phonenumbers.GetExampleNumberForType(region, typ); ex != nil {
					meet(nz, phonenumbers.Format(ex, phonenumbers.E164))
				}
			}
		}
		for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
			if ex := phonenumbers.GetExampleNumberForNonGeoEntity(cc); ex != nil {
				meet(nz, phonenumbers.Format(ex, phonenumbers.E164))
			}
		}
		n := checkBlocks(t, nz, 3, true)
		t.Logf("%s: %d blocks of %d proven", home, n, len(nz.blocks))
		if n < 300 {
			t.Errorf("%s: only %d blocks proven", home, n)
		}
	}
}

// meet shows nz a number twice, so that its block is learned.
func meet(nz *Normalizer, e164 string) {
	for range 2 {
		nz.number([]byte(e164[1:]), len(e164)-1, true)
	}
}

// checkBlocks compares, for each proven block of nz, perBlock random
// numbers (and its samples when asked) with the parser, in every written
// form the block is read in, and Readable with phonenumbers' formatting.
// It returns how many blocks it checked.
func checkBlocks(t *testing.T, nz *Normalizer, perBlock int, samples bool) int {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	checked := 0
	for key, b := range nz.blocks {
		if !b.fast {
			continue
		}
		checked++
		cc, prefix, n := int(key>>15), fmt.Sprintf("%03d", key>>5&1023), int(key&31)
		var nsns []string
		if samples {
			nsns = blockSamples(prefix + strings.Repeat("1", n-3))
		}
		for range perBlock {
			nsns = append(nsns, prefix+randomDigits(rng, n-3))
		}
		for _, nsn := range nsns {
			e164 := "+" + strconv.Itoa(cc) + nsn
			forms := []string{e164, nz.idd + e164[1:]} // number turns 00 into + before any of this
			if b.russian {
				forms = append(forms, "8"+nsn, "7"+nsn, nsn)
			}
			for _, written := range forms {
				checkFast(t, nz, written)
			}
			if got, want := nz.Readable(e164), readable(e164, nz.region); got != want {
				t.Fatalf("Readable(%s) = %q, phonenumbers says %q", e164, got, want)
			}
		}
	}
	return checked
}

// checkFast holds what number reads from written to what the parser reads.
func checkFast(t *testing.T, nz *Normalizer, written string) {
	t.Helper()
	plus := written[0] == '+'
	d := []byte(strings.TrimPrefix(written, "+"))
	got, ok := nz.fastNumber(d, plus)
	if !ok {
		t.Fatalf("%s: not read through its block", written)
	}
	want, reason := nz.parse(written, d, plus)
	if reason != OK || got != want {
		t.Fatalf("%s: block says %+v, parser %+v %s", written, got, want, reason)
	}
}

func randomDigits(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.IntN(10))
	}
	return string(b)
}

// Blocks not proven stay with the parser, whatever the samples say.
func TestBlockProof(t *testing.T) {
	var p prover
	for _, tc := range []struct {
		cc      int
		b       block
		plain   bool
		russian bool
	}{
		{375, block{"291", 9}, true, false},  // Belarus mobile
		{380, block{"501", 9}, true, false},  // Ukraine mobile
		{49, block{"301", 10}, true, false},  // Berlin
		{998, block{"901", 9}, true, false},  // Uzbekistan mobile
		{7, block{"701", 10}, true, true},    // Kazakhstan mobile
		{7, block{"800", 10}, true, false},   // the national prefix 8 stays: 800 is viable, 00... is not
		{49, block{"030", 11}, false, false}, // +49 (0) 30: the 0 is stripped
		{375, block{"801", 10}, false, false},
		{7, block{"710", 10}, false, true},   // Kazakh landlines differ by the fifth digit
		{998, block{"612", 9}, false, false}, // so do Uzbek ones by the sixth
		{1, block{"650", 10}, false, false},  // NANP: regions by area code and more
		{7, block{"701", 2}, false, false},
		{999, block{"123", 9}, false, false}, // no such country code
	} {
		if got := p.plain(tc.cc, tc.b); got != tc.plain {
			t.Errorf("plain(%d, %v) = %v, want %v", tc.cc, tc.b, got, tc.plain)
		}
		if tc.cc == 7 && tc.b.n == 10 {
			if got := p.russianForms(tc.b); got != tc.russian {
				t.Errorf("russianForms(%v) = %v, want %v", tc.b, got, tc.russian)
			}
		}
	}
}

// uniform must say what regexp says of every number of a block, for the
// patterns of a few countries' metadata and blocks small enough to list.
func TestUniformMatchesRegexp(t *testing.T) {
	var p prover
	rng := rand.New(rand.NewPCG(8, 9))
	checked := 0
	for _, region := range []string{"RU", "KZ", "BY", "UA", "DE", "UZ", "US", "GB", "IT", "AR"} {
		m := regionMetadata()[region]
		exprs := []string{"^(?:" + m.GetNationalPrefixForParsing() + ")", "^(?:" + m.GetLeadingDigits() + ")"}
		for _, d := range descs(m) {
			exprs = append(exprs, "^(?:"+d.GetNationalNumberPattern()+")$")
		}
		for _, expr := range exprs {
			re := regexp.MustCompile(expr)
			for range 6 {
				start := randomDigits(rng, 1+rng.IntN(3))
				b := block{start, len(start) + 1 + rng.IntN(3)}
				some, all := false, true
				for i := range pow10(b.n - len(start)) {
					s := start + fmt.Sprintf("%0*d", b.n-len(start), i)
					match := re.MatchString(s)
					some, all = some || match, all && match
				}
				match, ok := p.uniform(expr, b)
				if ok != (all || !some) || ok && match != all {
					t.Fatalf("uniform(%q, %v) = %v, %v; regexp: some %v, all %v", expr, b, match, ok, some, all)
				}
				checked++
			}
		}
	}
	t.Logf("%d patterns and blocks checked", checked)
}

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}

// A number alone in its block costs one parse: the block is learned when
// met again, and only so many blocks are remembered.
func TestBlocksBounded(t *testing.T) {
	forgetLearned()
	nz := newRU(t)
	d := []byte("375291234567")
	if _, ok := nz.fastNumber(d, true); ok {
		t.Error("a block was read fast at its first meeting")
	}
	if _, ok := nz.fastNumber(d, true); !ok {
		t.Error("a block was not learned at its second meeting")
	}
	for i := range 2 * maxBlocks { // each of another block: 1000 prefixes, lengths 4 to 17
		nsn := fmt.Sprintf("%03d", i%1000) + strings.Repeat("5", 1+i/1000%14)
		nz.fastNumber([]byte("49"+nsn), true)
	}
	if len(nz.blocks) > maxBlocks {
		t.Errorf("%d blocks remembered, want at most %d", len(nz.blocks), maxBlocks)
	}
}

// forgetLearned empties what the normalizers of the test binary shared.
func forgetLearned() {
	learned.Clear()
	learnedCount.Store(0)
	formatsShared.Clear()
	formatsSharedCount.Store(0)
}

// A foreign block's format is worked out at its second meeting, not its
// first (a number alone in its block costs one parse), and shared: another
// normalizer formats the block by it at its first meeting. A normalizer
// that learns alone takes nothing shared.
func TestFormatsShared(t *testing.T) {
	forgetLearned()
	defer forgetLearned()
	first, second, alone := newRU(t), newRU(t), newColdRU(t)
	const e164 = "+375291234567"
	key := blockKey(375, []byte("291234567"))
	first.Readable(e164)
	if f, met := first.formats[key]; f != nil || !met {
		t.Fatalf("after one meeting: format %v, met %v; want none, met", f, met)
	}
	want := first.Readable(e164)
	if f := first.formats[key]; f == nil || !f.ok {
		t.Fatalf("after two meetings: format %+v, want one that applies", f)
	}
	if got := second.Readable("+375291765432"); got != readable("+375291765432", "RU") || second.formats[key] == nil {
		t.Errorf("another normalizer's first meeting: %q, format %v", got, second.formats[key])
	}
	if alone.Readable(e164) != want || alone.formats[key] != nil {
		t.Error("a normalizer that learns alone took the shared format")
	}
	for range 2 {
		alone.Readable("+375331234567") // another block, proven by alone
	}
	if f := alone.formats[blockKey(375, []byte("331234567"))]; f == nil || !f.ok {
		t.Errorf("alone did not prove a block it met twice: %+v", f)
	}
	if formatsSharedCount.Load() != 1 {
		t.Errorf("%d formats shared, want 1 (not alone's)", formatsSharedCount.Load())
	}
}

// TestLearnedShared: a block or prefix one normalizer learned, another
// reads fast at its first meeting, and says the same of it; a normalizer
// of another region learns its own.
func TestLearnedShared(t *testing.T) {
	forgetLearned()
	first, second := newRU(t), newRU(t)
	d := []byte("375291234567")
	first.fastNumber(d, true)
	want, ok := first.fastNumber(d, true)
	if !ok {
		t.Fatal("the block was not learned at its second meeting")
	}
	if got, ok := second.fastNumber(d, true); !ok || got != want {
		t.Errorf("another normalizer's first meeting: %v, %v; want %v, fast", got, ok, want)
	}
	if _, ok := second.fastNumber([]byte("375291234568"), true); !ok {
		t.Error("another number of the block was not read fast")
	}
	by, err := NewNormalizer("BY")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := by.fastNumber(d, true); ok {
		t.Error("a normalizer of another region took the block learned for RU")
	}
	prefix := first.prefix7([]byte("9161234567"))
	if got := *second.prefix7([]byte("9169999999")); got != *prefix || !got.fast {
		t.Errorf("the prefix 916 for another normalizer: %+v, want %+v, fast", got, *prefix)
	}
	if learnedCount.Load() != 2 {
		t.Errorf("%d entries shared, want 2 (the block and the prefix)", learnedCount.Load())
	}
	alone := newColdRU(t)
	if _, ok := alone.fastNumber(d, true); ok {
		t.Error("a normalizer that learns alone took a shared block")
	}
	other := []byte("375331234567")
	alone.fastNumber(other, true)
	if _, ok := alone.fastNumber(other, true); !ok || learnedCount.Load() != 2 {
		t.Errorf("a normalizer that learns alone: fast %v, %d entries shared; want fast, 2", ok, learnedCount.Load())
	}
	for i := range 5 * maxBlocks {
		second.share(learnedKey{"RU", 0, uint32(i) + 1<<20}, blockInfo{})
	}
	if n := learnedCount.Load(); n != 4*maxBlocks {
		t.Errorf("%d entries shared, want the bound, %d", n, 4*maxBlocks)
	}
	forgetLearned()
}

// Most proven blocks of a generated base are formatted without
// phonenumbers (format.go); TestBlocksAgreeOnGeneratedBase holds the
// result to phonenumbers' for every number of them.
func TestIntlFormatTaken(t *testing.T) {
	nz := newRU(t)
	for _, cell := range cellsOf(t) {
		for _, r := range nz.Cell(cell) {
			if r.Reason == OK && r.Country != "RU" {
				nz.Readable(r.E164)
			}
		}
	}
	taken, declined := 0, []string{}
	count := func(key uint32, f intlFormat) {
		if f.ok {
			taken++
		} else {
			declined = append(declined, fmt.Sprintf("+%d %03d.. (%d digits)", key>>15, key>>5&1023, key&31))
		}
	}
	for key, b := range nz.blocks { // +7 7xx
		if b.fast && b.intl.done {
			count(key, b.intl)
		}
	}
	for key, f := range nz.formats { // other country codes, met more than once
		if f != nil {
			count(key, *f)
		}
	}
	t.Logf("%d blocks formatted by template, declined: %v", taken, declined)
	if taken < 4*len(declined) || taken == 0 {
		t.Errorf("only %d blocks formatted by template, %d declined", taken, len(declined))
	}
}

func TestFixedSpans(t *testing.T) {
	tests := []struct {
		expr  string
		n     int
		spans []int // nil: not fixed
	}{
		{`(\d{3})(\d{3})(\d{4})`, 10, []int{0, 10, 0, 3, 3, 6, 6, 10}},
		{`([1-9]\d)(\d{3})(\d{2})(\d{2})`, 9, []int{0, 9, 0, 2, 2, 5, 5, 7, 7, 9}},
		{`(\d)(\d{4})`, 5, []int{0, 5, 0, 1, 1, 5}},
		{`(\d{3})(\d{3})(\d{4})`, 9, nil},                    // another length
		{`(\d{2,3})(\d{4})`, 7, nil},                         // a width that varies, not at the end
		{`(\d{2})(\d{3,13})`, 10, []int{0, 10, 0, 2, 2, 10}}, // at the end: the rest
		{`(\d{2})(\d{3,13}?)`, 10, nil},                      // not greedy
		{`(\d{2})(\d{3,4})`, 10, nil},                        // the rest is too long for it
		{`(\d{2})(\d{3,13})\d`, 10, nil},                     // something follows it
		{`(\d{3})(\d{3})(\d{3,4})`, 10, []int{0, 10, 0, 3, 3, 6, 6, 10}},
		{`(9(?:1|2)\d)(\d{4})`, 7, []int{0, 7, 0, 3, 3, 7}},
		{`((?:9|10)\d)(\d{4})`, 7, nil},        // alternatives of unequal width
		{`(\d)+`, 3, nil},                      // a repeated group
		{`(\d{3})(?:(\d{2})|(\d{3}))`, 5, nil}, // a group in an alternative
		{`(\d{3}`, 3, nil},                     // does not compile
	}
	for _, tt := range tests {
		got, ok := fixedSpans(tt.expr, tt.n)
		if ok != (tt.spans != nil) || !slices.Equal(got, tt.spans) {
			t.Errorf("fixedSpans(%q, %d) = %v, %v; want %v", tt.expr, tt.n, got, ok, tt.spans)
		}
	}
}

// Readable formats a number of another country code than the region's by
// its block's format without learning the block (appendReadableForeign): for
// numbers of random blocks of every country code, valid or not, from a
// normalizer that has met none of them, it must say what phonenumbers
// says. Read from Russia, the United States (+1 is shared by many
// countries) and Kazakhstan (+7 is shared with Russia).
func TestReadableForeignAgrees(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, home := range []string{"RU", "US", "KZ"} {
		nz, err := NewNormalizer(home)
		if err != nil {
			t.Fatal(err)
		}
		nz.alone = true
		numbers := 0
		for cc := range callingCodes() {
			if !callingCodes()[cc] || cc == nz.regionCC {
				continue
			}
			for range 12 {
				// Mostly lengths the country uses, some any length.
				n := 4 + rng.IntN(phonenumbers.MAX_LENGTH_FOR_NSN-3)
				if ex := exampleNSN(cc); ex != "" && rng.IntN(3) > 0 {
					n = len(ex)
				}
				prefix := randomDigits(rng, 3)
				if ex := exampleNSN(cc); ex != "" && rng.IntN(2) == 0 && len(ex) >= 3 {
					prefix = ex[:3]
				}
				for range 3 {
					e164 := "+" + strconv.Itoa(cc) + prefix + randomDigits(rng, n-3)
					numbers++
					if got, want := nz.Readable(e164), readable(e164, home); got != want {
						t.Fatalf("%s: Readable(%s) = %q, phonenumbers says %q", home, e164, got, want)
					}
				}
			}
		}
		taken := 0
		for _, f := range nz.formats {
			if f != nil && f.ok {
				taken++
			}
		}
		t.Logf("%s: %d numbers, %d of %d blocks formatted by template", home, numbers, taken, len(nz.formats))
		if taken < len(nz.formats)/3 {
			t.Errorf("%s: only %d of %d blocks formatted by template", home, taken, len(nz.formats))
		}
	}
}

// exampleNSN is the national number of the example fixed line of country
// code cc's main region, or "".
func exampleNSN(cc int) string {
	region := phonenumbers.GetRegionCodeForCountryCode(cc)
	ex := phonenumbers.GetExampleNumberForType(region, phonenumbers.FIXED_LINE)
	if ex == nil {
		ex = phonenumbers.GetExampleNumberForNonGeoEntity(cc)
	}
	if ex == nil {
		return ""
	}
	return phonenumbers.GetNationalSignificantNumber(ex)
}
