package phone

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
)

// Formatting a foreign number internationally, phonenumbers picks the
// first of its country's formats whose leading digits and pattern match the
// national number, then rewrites the number with the pattern's groups: two
// to a dozen regular expressions, most of Readable's 10 µs. In a proven
// block (plan.go) the prover shows which format every number of the block
// takes; when that format's pattern is a row of groups of fixed widths,
// the groups sit at the same places in every number, and so does every
// digit in the rewritten number: regexp's own Expand, run once on the
// places of the digits rather than the digits, gives the layout every
// number of the block is written by. Anything else stays with
// phonenumbers. The differential tests of blocks_test.go compare the two.

// intlFormat is how the numbers of one block are formatted internationally.
type intlFormat struct {
	done   bool // worked out: ok tells whether it can be used
	ok     bool
	prefix string // "+" country code " "
	// layout is the national number formatted, with each digit given as
	// its place in the number (a byte below ' ', never in a format's rule)
	// and the rule's own characters as they stand.
	layout string
}

// intl works out the international format of block b of country code cc.
func (p *prover) intl(cc int, b block) intlFormat {
	f := intlFormat{done: true, prefix: "+" + strconv.Itoa(cc) + " "}
	metas := ccMetadata()[cc]
	if len(metas) == 0 {
		return f
	}
	formats := metas[0].GetIntlNumberFormat() // the main region holds the formats
	if len(formats) == 0 {
		formats = metas[0].GetNumberFormat()
	}
	for _, nf := range formats {
		if ld := nf.GetLeadingDigitsPattern(); len(ld) > 0 {
			match, ok := p.uniform("^(?:"+ld[len(ld)-1]+")", b)
			if !ok {
				return f
			}
			if !match {
				continue
			}
		}
		match, ok := p.uniform("^(?:"+nf.GetPattern()+")$", b)
		if !ok {
			return f
		}
		if !match {
			continue
		}
		re, err := compiled(nf.GetPattern())
		if err != nil {
			return f
		}
		spans, ok := fixedSpans(nf.GetPattern(), b.n)
		if !ok || strings.ContainsFunc(nf.GetFormat(), func(r rune) bool { return r < ' ' }) {
			return f
		}
		f.ok, f.layout = true, string(re.ExpandString(nil, nf.GetFormat(), places(b.n), spans))
		return f
	}
	// No format: phonenumbers leaves the digits as they are.
	f.ok, f.layout = true, places(b.n)
	return f
}

// places returns the places of n digits, 0 to n-1, one byte each.
func places(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}

// patterns are the formats' patterns compiled, once for the process: many
// blocks share one, and the formats of up to thousands of blocks are kept.
var patterns sync.Map // pattern -> *regexp.Regexp

func compiled(pattern string) (*regexp.Regexp, error) {
	if re, ok := patterns.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	re2, _ := patterns.LoadOrStore(pattern, re)
	return re2.(*regexp.Regexp), nil
}

// appendFormat appends nsn, a national number of the block, formatted.
func (f *intlFormat) appendFormat(dst []byte, nsn string) []byte {
	dst = append(dst, f.prefix...)
	for i := 0; i < len(f.layout); i++ {
		if c := f.layout[i]; c < ' ' {
			dst = append(dst, nsn[c])
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// fixedSpans returns where the match of expr and each of its groups lie in
// any string of n digits it matches whole, when expr is a row of pieces of
// fixed widths adding up to n, none of its groups repeated or in an
// alternative: then the leftmost match ReplaceAllString finds is the whole
// string, cut the same way whatever the digits. The very last piece may
// be a greedy repeat of a varying count (Germany's (\d{2})(\d{3,13})): it
// takes the rest of the digits, as it must for the whole to match.
func fixedSpans(expr string, n int) ([]int, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false
	}
	spans := make([]int, 2*(re.MaxCap()+1))
	for i := range spans {
		spans[i] = -1
	}
	w, ok := place(re, 0, n, spans, true, true)
	if !ok || w != n || w == 0 {
		return nil, false
	}
	spans[0], spans[1] = 0, n
	for _, s := range spans {
		if s < 0 {
			return nil, false
		}
	}
	return spans, true
}

// place returns the width of re, which starts at offset at of n digits,
// and records where its groups lie; groups only where placed is true (not
// repeated, not in an alternative). last: nothing follows re.
func place(re *syntax.Regexp, at, n int, spans []int, placed, last bool) (int, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine:
		return 0, true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r >= 0x80 {
				return 0, false
			}
		}
		return len(re.Rune), true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1, true // one digit: the input is ASCII digits
	case syntax.OpCapture:
		if !placed {
			return 0, false
		}
		w, ok := place(re.Sub[0], at, n, spans, true, last)
		spans[2*re.Cap], spans[2*re.Cap+1] = at, at+w
		return w, ok
	case syntax.OpConcat:
		total := 0
		for i, sub := range re.Sub {
			w, ok := place(sub, at+total, n, spans, placed, last && i == len(re.Sub)-1)
			if !ok {
				return 0, false
			}
			total += w
		}
		return total, true
	case syntax.OpRepeat:
		w, ok := place(re.Sub[0], at, n, spans, false, false)
		if !ok || re.Min == re.Max {
			return w * re.Min, ok
		}
		rest := n - at
		if !last || re.Flags&syntax.NonGreedy != 0 || w == 0 || rest%w != 0 ||
			rest/w < re.Min || re.Max >= 0 && rest/w > re.Max {
			return 0, false
		}
		return rest, true
	case syntax.OpAlternate:
		width := -1
		for _, sub := range re.Sub {
			w, ok := place(sub, at, n, spans, false, false)
			if !ok || width >= 0 && w != width {
				return 0, false
			}
			width = w
		}
		return width, width >= 0
	}
	return 0, false
}
