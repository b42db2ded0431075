package gen

import "math/rand/v2"

// The shapes a number is written in. A shape is an index into the list of
// its kind: ruShapes for numbers of country code 7 written as mobiles
// (mobile, 8-800, Kazakhstan, never issued), cityShapes for landlines,
// abroadShapes for other countries.

// ruShapes, for +7 916 123-45-67.
var ruShapes = []struct {
	weight int
	float  bool // a spreadsheet float: no label, no note after it
}{
	{14, false}, // 0  +7 (916) 123-45-67
	{12, false}, // 1  8 916 123 45 67
	{14, false}, // 2  89161234567
	{6, false},  // 3  9161234567
	{4, false},  // 4  7-916-123-4567
	{8, false},  // 5  79161234567
	{10, false}, // 6  +79161234567
	{6, false},  // 7  8(916)123-45-67
	{8, false},  // 8  8-916-123-45-67
	{10, false}, // 9  +7 916 123-45-67
	{3, true},   // 10 79161234567.0
	{4, false},  // 11 8 (916) 1234567
	{1, true},   // 12 7.9161234567E+10
}

// cityShapes, for 8 (4212) 45-67-89.
var cityShapes = []struct {
	weight int
	float  bool
}{
	{16, false}, // 0 8 (4212) 45-67-89
	{8, false},  // 1 +7 (4212) 45-67-89
	{8, false},  // 2 8 4212 45-67-89
	{8, false},  // 3 84212456789
	{5, false},  // 4 (4212) 45-67-89
	{5, false},  // 5 +74212456789
	{4, false},  // 6 8-4212-45-67-89
	{2, true},   // 7 74212456789.0
	{3, false},  // 8 +7 4212 456789
}

// abroadShapes, for +375 29 123-45-67.
var abroadShapes = []int{
	10, // 0 +375 29 123-45-67
	6,  // 1 +375 29 123 4567
	4,  // 2 +375 (29) 123-45-67; +49 (0) 30 12345678
	6,  // 3 810 375 29 123-45-67
	3,  // 4 8 10 375 29 123 4567
	2,  // 5 00 375 29 123 4567
	6,  // 6 +375291234567
	2,  // 7 8-10-375-29-1234567
}

var (
	ruWeights     = cumulative(len(ruShapes), func(i int) int { return ruShapes[i].weight })
	cityWeights   = cumulative(len(cityShapes), func(i int) int { return cityShapes[i].weight })
	abroadWeights = cumulative(len(abroadShapes), func(i int) int { return abroadShapes[i] })
)

func cumulative(n int, w func(int) int) []int {
	c := make([]int, n)
	sum := 0
	for i := range n {
		sum += w(i)
		c[i] = sum
	}
	return c
}

func pickWeighted(r *rand.Rand, cum []int) int {
	x := r.IntN(cum[len(cum)-1])
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

// pickShape chooses a shape for n, other than not when not >= 0.
func pickShape(r *rand.Rand, n number, not int) int {
	cum := ruWeights
	switch n.kind {
	case landline:
		cum = cityWeights
	case abroad:
		cum = abroadWeights
	}
	for {
		s := pickWeighted(r, cum)
		if s != not && !(n.ext != 0 && isFloat(n, s)) {
			return s
		}
	}
}

// isFloat reports whether shape s of n is a spreadsheet float.
func isFloat(n number, s int) bool {
	switch n.kind {
	case landline:
		return cityShapes[s].float
	case abroad:
		return false
	}
	return ruShapes[s].float
}

// appendNum appends v as exactly width digits, zero-padded.
func appendNum(b []byte, v uint64, width int) []byte {
	var d [20]byte
	for i := width - 1; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, d[:width]...)
}

func appendUint(b []byte, v uint64) []byte {
	w := 1
	for x := v; x >= 10; x /= 10 {
		w++
	}
	return appendNum(b, v, w)
}

// appendGrouped appends the width digits of v in groups: 7 digits as
// 123-45-67, 6 as 45-67-89, 5 as 4-56-78.
func appendGrouped(b []byte, v uint64, width int, sep byte) []byte {
	first := width - 4
	b = appendNum(b, v/10000, first)
	b = append(b, sep)
	b = appendNum(b, v/100%100, 2)
	b = append(b, sep)
	return appendNum(b, v%100, 2)
}

// render appends n written in shape s (extension included).
func render(b []byte, n number, s int, r *rand.Rand) []byte {
	switch n.kind {
	case landline:
		b = renderCity(b, n, s)
		if n.ext != 0 {
			e := extensions[r.IntN(len(extensions))]
			b = append(b, e...)
			b = appendUint(b, uint64(n.ext))
			if e == " (доб. " {
				b = append(b, ')')
			}
		}
		return b
	case abroad:
		return renderAbroad(b, n, s)
	}
	return renderRU(b, n.nsn, s)
}

func renderRU(b []byte, nsn uint64, s int) []byte {
	code, sub := nsn/1e7, nsn%1e7
	switch s {
	case 0:
		b = append(b, "+7 ("...)
		b = appendNum(b, code, 3)
		b = append(b, ") "...)
		return appendGrouped(b, sub, 7, '-')
	case 1:
		b = append(b, "8 "...)
		b = appendNum(b, code, 3)
		b = append(b, ' ')
		return appendGrouped(b, sub, 7, ' ')
	case 2:
		b = append(b, '8')
		return appendNum(b, nsn, 10)
	case 3:
		return appendNum(b, nsn, 10)
	case 4:
		b = append(b, "7-"...)
		b = appendNum(b, code, 3)
		b = append(b, '-')
		b = appendNum(b, sub/1e4, 3)
		b = append(b, '-')
		return appendNum(b, sub%1e4, 4)
	case 5:
		b = append(b, '7')
		return appendNum(b, nsn, 10)
	case 6:
		b = append(b, "+7"...)
		return appendNum(b, nsn, 10)
	case 7:
		b = append(b, "8("...)
		b = appendNum(b, code, 3)
		b = append(b, ')')
		return appendGrouped(b, sub, 7, '-')
	case 8:
		b = append(b, "8-"...)
		b = appendNum(b, code, 3)
		b = append(b, '-')
		return appendGrouped(b, sub, 7, '-')
	case 9:
		b = append(b, "+7 "...)
		b = appendNum(b, code, 3)
		b = append(b, ' ')
		return appendGrouped(b, sub, 7, '-')
	case 10:
		b = append(b, '7')
		b = appendNum(b, nsn, 10)
		return append(b, ".0"...)
	case 11:
		b = append(b, "8 ("...)
		b = appendNum(b, code, 3)
		b = append(b, ") "...)
		return appendNum(b, sub, 7)
	default: // 12
		b = append(b, "7."...)
		b = appendNum(b, nsn, 10)
		return append(b, "E+10"...)
	}
}

func renderCity(b []byte, n number, s int) []byte {
	subLen := 10 - int(n.code)
	pow := uint64(1)
	for range subLen {
		pow *= 10
	}
	area, sub := n.nsn/pow, n.nsn%pow
	switch s {
	case 0, 1, 4:
		switch s {
		case 0:
			b = append(b, "8 ("...)
		case 1:
			b = append(b, "+7 ("...)
		default:
			b = append(b, '(')
		}
		b = appendNum(b, area, int(n.code))
		b = append(b, ") "...)
		return appendGrouped(b, sub, subLen, '-')
	case 2:
		b = append(b, "8 "...)
		b = appendNum(b, area, int(n.code))
		b = append(b, ' ')
		return appendGrouped(b, sub, subLen, '-')
	case 3:
		b = append(b, '8')
		return appendNum(b, n.nsn, 10)
	case 5:
		b = append(b, "+7"...)
		return appendNum(b, n.nsn, 10)
	case 6:
		b = append(b, "8-"...)
		b = appendNum(b, area, int(n.code))
		b = append(b, '-')
		return appendGrouped(b, sub, subLen, '-')
	case 7:
		b = append(b, '7')
		b = appendNum(b, n.nsn, 10)
		return append(b, ".0"...)
	default: // 8
		b = append(b, "+7 "...)
		b = appendNum(b, area, int(n.code))
		b = append(b, ' ')
		return appendNum(b, sub, subLen)
	}
}

func renderAbroad(b []byte, n number, s int) []byte {
	restLen := int(n.nsnLen - n.code)
	pow := uint64(1)
	for range restLen {
		pow *= 10
	}
	code, rest := n.nsn/pow, n.nsn%pow
	cc := uint64(n.cc)
	// rest written 123-45-67 (or 12345678), or 123 4567 (or 1234 5678).
	restA := func(b []byte) []byte {
		if restLen == 7 {
			return appendGrouped(b, rest, 7, '-')
		}
		return appendNum(b, rest, restLen)
	}
	restB := func(b []byte) []byte {
		b = appendNum(b, rest/1e4, restLen-4)
		b = append(b, ' ')
		return appendNum(b, rest%1e4, 4)
	}
	switch s {
	case 0, 1, 3, 4, 5:
		// "+375 29 ...", or with a prefix dialled from Russia: "810 ",
		// "8 10 ", "00 "; the rest grouped one way or the other.
		b = append(b, [...]string{"+", "+", "", "810 ", "8 10 ", "00 "}[s]...)
		b = appendUint(b, cc)
		b = append(b, ' ')
		b = appendNum(b, code, 2)
		b = append(b, ' ')
		if s == 0 || s == 3 {
			return restA(b)
		}
		return restB(b)
	case 2:
		b = append(b, '+')
		b = appendUint(b, cc)
		if n.cc == 49 {
			b = append(b, " (0) "...)
			b = appendNum(b, code, 2)
			b = append(b, ' ')
		} else {
			b = append(b, " ("...)
			b = appendNum(b, code, 2)
			b = append(b, ") "...)
		}
		return restA(b)
	case 6:
		b = append(b, '+')
		b = appendUint(b, cc)
		return appendNum(b, n.nsn, int(n.nsnLen))
	default: // 7
		b = append(b, "8-10-"...)
		b = appendUint(b, cc)
		b = append(b, '-')
		b = appendNum(b, code, 2)
		b = append(b, '-')
		return appendNum(b, rest, restLen)
	}
}

// renderLost appends n as a spreadsheet float that lost its last digits:
// 7.91612E+10 (six significant digits, as Excel shows an 11-digit number),
// with a decimal comma in Russian locales. prefix is the leading digit, 7 or 8.
func renderLost(b []byte, nsn uint64, prefix uint64, comma bool) []byte {
	v := prefix*1e10 + nsn
	exp := 10
	m := (v/1e4 + 5) / 10 // six digits, rounded
	if m >= 1e6 {
		m /= 10
		exp++
	}
	b = appendUint(b, m/1e5)
	frac := m % 1e5
	width := 5
	for width > 0 && frac%10 == 0 {
		frac /= 10
		width--
	}
	if width > 0 {
		if comma {
			b = append(b, ',')
		} else {
			b = append(b, '.')
		}
		b = appendNum(b, frac, width)
	}
	b = append(b, "E+"...)
	return appendUint(b, uint64(exp))
}
