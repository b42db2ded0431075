package gen

import "math/rand/v2"

// kind is what a number is.
type kind uint8

const (
	mobile   kind = iota // an issued Russian mobile, +7 9xx
	landline             // a Russian landline of a city's area code
	tollFree             // +7 800
	kazakh               // Kazakhstan, +7 7xx: written like a Russian number
	abroad               // another country: +375, +380, +49, +998
	dead                 // +7 9xx of a code never issued: unallocated
)

// number is one telephone number, before it is written in some shape.
type number struct {
	nsn    uint64 // national significant number: 9161234567, 4212456789, 291234567
	cc     uint16 // country code: 7, 375, ...
	ext    uint16 // extension, 0 when none
	kind   kind
	code   uint8 // digits of the area / operator code at the start of nsn
	nsnLen uint8
	region uint8 // 1 + index into regions, 0 when none
}

// e164 is the number's E.164 digits as an integer: 79161234567.
func (n number) e164() uint64 {
	m := uint64(1)
	for range n.nsnLen {
		m *= 10
	}
	return uint64(n.cc)*m + n.nsn
}

// source is a sequence of numbers that depends on its seed alone: the k-th
// number of seed S is the same in every base, whatever else the base holds.
// That is what lets a second base share numbers with a first (Options.Overlap).
type source struct {
	r *rand.Rand
}

const (
	streamNumbers = 0x6e756d62657273 // "numbers"
	streamRows    = 0x726f7773       // "rows"
)

func newSource(seed uint64) *source {
	return &source{r: rand.New(rand.NewPCG(seed, streamNumbers))}
}

// regionWeights are the cumulative weights of regions.
var regionWeights = func() []int {
	w := make([]int, len(regions))
	sum := 0
	for i, r := range regions {
		sum += r.weight
		w[i] = sum
	}
	return w
}()

func pickRegion(r *rand.Rand) int {
	x := r.IntN(regionWeights[len(regionWeights)-1])
	lo, hi := 0, len(regionWeights)
	for lo < hi {
		m := (lo + hi) / 2
		if regionWeights[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// tollFreeFamous are 8-800 numbers that many companies' bases share.
var tollFreeFamous = []uint64{5553535, 2000600, 1000000, 7000600, 3333333}

// next returns the next number of the sequence. Share of kinds: issued
// mobiles 74%, landlines 17% (a fifth with an extension), 8-800 1%,
// Kazakhstan 1%, other countries 5%, never issued mobiles 2%.
func (s *source) next() number {
	r := s.r
	p := r.IntN(1000)
	switch {
	case p < 740:
		ri := pickRegion(r)
		b := regions[ri].mobile[r.IntN(len(regions[ri].mobile))]
		sub := uint64(b.from) + r.Uint64N(uint64(b.to-b.from)+1)
		return number{nsn: uint64(b.def)*1e7 + sub, cc: 7, kind: mobile, code: 3, nsnLen: 10, region: uint8(ri + 1)}
	case p < 910:
		ri := pickRegion(r)
		area := regions[ri].areas[r.IntN(len(regions[ri].areas))]
		subLen := 10 - len(area)
		pow := uint64(1)
		for range subLen - 1 {
			pow *= 10
		}
		// Subscriber numbers start with 2..9.
		sub := 2*pow + r.Uint64N(8*pow)
		a := uint64(0)
		for i := range len(area) {
			a = a*10 + uint64(area[i]-'0')
		}
		n := number{nsn: a*pow*10 + sub, cc: 7, kind: landline, code: uint8(len(area)), nsnLen: 10, region: uint8(ri + 1)}
		if r.IntN(5) == 0 {
			switch x := r.IntN(10); {
			case x < 5:
				n.ext = uint16(1 + r.IntN(99))
			case x < 9:
				n.ext = uint16(100 + r.IntN(900))
			default:
				n.ext = uint16(1000 + r.IntN(9000))
			}
		}
		return n
	case p < 920:
		sub := 2_000_000 + r.Uint64N(8_000_000)
		if r.IntN(5) == 0 {
			sub = tollFreeFamous[r.IntN(len(tollFreeFamous))]
		}
		return number{nsn: 800*1e7 + sub, cc: 7, kind: tollFree, code: 3, nsnLen: 10}
	case p < 930:
		c := kzCodes[r.IntN(len(kzCodes))]
		return number{nsn: uint64(c)*1e7 + r.Uint64N(1e7), cc: 7, kind: kazakh, code: 3, nsnLen: 10}
	case p < 980:
		var f = foreign[0]
		switch x := r.IntN(20); {
		case x < 7:
			f = foreign[0]
		case x < 12:
			f = foreign[1]
		case x < 15:
			f = foreign[2]
		default:
			f = foreign[3]
		}
		c := f.codes[r.IntN(len(f.codes))]
		pow := uint64(1)
		for range f.rest - 1 {
			pow *= 10
		}
		sub := pow + r.Uint64N(9*pow) // no leading zero
		return number{nsn: uint64(c)*pow*10 + sub, cc: f.cc, kind: abroad, code: 2, nsnLen: 2 + f.rest}
	default:
		d := deadDEF[r.IntN(len(deadDEF))]
		return number{nsn: uint64(d)*1e7 + r.Uint64N(1e7), cc: 7, kind: dead, code: 3, nsnLen: 10}
	}
}
