package phone

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

// Most of a Russian base is +7 followed by ten digits, and in phonenumbers'
// metadata for RU (mobile 9\d{9}, fixed lines and 8-800 by area code) the
// first three of them decide validity, type and region. So the parser is
// asked once per three-digit prefix, at four points of it, and numbers of a
// prefix it called valid, all of one type, skip the parser from then on.
// The differential test holds this to what the parser says for every
// four-digit prefix.
//
// Numbers of other countries, and Kazakhstan's +7 7xx, are learned the same
// way by block: country code, first three national digits, national
// length. A block skips the parser only once proof.go has shown that every
// pattern the parser consults treats all its numbers alike, and samples at
// every fourth digit agree.

// prefixInfo is what the parser said about one prefix of +7 numbers, or
// one block.
type prefixInfo struct {
	learned bool
	fast    bool // every sample was valid, of one type and region
	typ     Type
	country string
}

// blockInfo is what is known about one block of international numbers.
type blockInfo struct {
	prefixInfo
	// russian: in Russia 8 7xx..., 7 7xx... and 7xx... read as +7 7xx....
	russian bool
	intl    intlFormat // worked out when first needed (format.go)
}

const (
	// maxBlocks bounds the blocks remembered; numbers of further blocks go
	// to the parser.
	maxBlocks = 1 << 12
	// minBlockDigits: shorter national numbers go to the parser.
	minBlockDigits = 4
)

// nationalPrefix7 returns the ten national digits of a +7 number for the
// first digits Russia uses (3, 4, 8, 9), whichever way split found them:
// +7 916..., 810 7 916..., and in Russia also 8 916..., 7 916..., 916...
func nationalPrefix7(nsn []byte) []byte {
	if len(nsn) == 10 && strings.IndexByte("3489", nsn[0]) >= 0 {
		return nsn
	}
	return nil
}

// split cuts digits d into a country calling code and a national number
// the way the parser would: after "+" (or an international prefix) the
// country code comes first; in Russia 8 or 7 may lead ten national digits
// of +7 instead, or nothing at all. national reports the latter.
func (nz *Normalizer) split(d []byte, plus bool) (cc int, nsn []byte, national bool) {
	if !plus && nz.idd != "" && len(d) > len(nz.idd) && string(d[:len(nz.idd)]) == nz.idd && d[len(nz.idd)] != '0' {
		d, plus = d[len(nz.idd):], true // 810 375 29 ... is +375 29 ...: the parser reads the prefix first
	}
	if plus {
		cc, n := callingCode(d)
		return cc, d[n:], false
	}
	if nz.ru && len(d) == 11 && (d[0] == '7' || d[0] == '8') {
		return 7, d[1:], true
	}
	if nz.ru && len(d) == 10 {
		return 7, d, true
	}
	return 0, nil, false
}

// fastNumber reads d through the prefix tables, or reports that the parser
// must.
func (nz *Normalizer) fastNumber(d []byte, plus bool) (Number, bool) {
	cc, nsn, national := nz.split(d, plus)
	if !blockable(cc, nsn) {
		return Number{}, false
	}
	var info *prefixInfo
	if cc == 7 && nationalPrefix7(nsn) != nil {
		info = nz.prefix7(nsn)
	} else {
		b := nz.block(cc, nsn)
		if b == nil || (national && !b.russian) {
			return Number{}, false
		}
		info = &b.prefixInfo
	}
	if !info.fast {
		return Number{}, false
	}
	var e [1 + maxNumberDigits]byte
	e164 := append(strconv.AppendInt(append(e[:0], '+'), int64(cc), 10), nsn...)
	return Number{E164: nz.e164s.Cut(e164), Type: info.typ, Country: info.country}, true
}

// blockable reports whether national number nsn of country code cc is
// of a length blocks are kept for.
func blockable(cc int, nsn []byte) bool {
	return cc != 0 && len(nsn) >= minBlockDigits && len(nsn) <= phonenumbers.MAX_LENGTH_FOR_NSN
}

// prefix7 returns what is known about the prefix of ten +7 digits nsn,
// asking the parser first when nothing is.
func (nz *Normalizer) prefix7(nsn []byte) *prefixInfo {
	p := int(nsn[0]-'0')*100 + int(nsn[1]-'0')*10 + int(nsn[2]-'0')
	info := &nz.plan[p]
	if !info.learned {
		k := learnedKey{nz.region, 1 << 31, uint32(p)}
		if l, ok := nz.learnedBy(k); ok {
			*info = l.prefixInfo
		} else {
			nz.learn(info, nsn)
			nz.share(k, blockInfo{prefixInfo: *info})
		}
	}
	return info
}

// learned shares what the normalizers of a process learned of prefixes
// and blocks: a list's rows are formatted, and a base's cells read, by
// several at once, and learning a block takes a proof and a parse, and
// twelve questions more. Its entries are copied, never changed; what a learned
// block says does not depend on the number it was learned from, since a
// block is fast only when proven uniform.
var (
	learned      sync.Map // learnedKey -> blockInfo, intl not worked out
	learnedCount atomic.Int32
)

// formatsShared shares the international formats of blocks (see
// appendReadableForeign) the same way, by block: they do not depend on the
// region that asks. An intlFormat is never changed once made.
var (
	formatsShared      sync.Map // blockKey -> *intlFormat
	formatsSharedCount atomic.Int32
)

func (nz *Normalizer) sharedFormat(key uint32) *intlFormat {
	if nz.alone {
		return nil
	}
	if f, ok := formatsShared.Load(key); ok {
		return f.(*intlFormat)
	}
	return nil
}

func (nz *Normalizer) shareFormat(key uint32, f *intlFormat) {
	if !nz.alone && formatsSharedCount.Load() < 4*maxBlocks {
		if _, loaded := formatsShared.LoadOrStore(key, f); !loaded {
			formatsSharedCount.Add(1)
		}
	}
}

// learnedKey is a normalizer's region with a prefix (kind 1<<31) or a
// block (kind 0, key blockKey).
type learnedKey struct {
	region string
	kind   uint32
	key    uint32
}

// learnedBy returns what another normalizer learned of k.
func (nz *Normalizer) learnedBy(k learnedKey) (blockInfo, bool) {
	if nz.alone {
		return blockInfo{}, false
	}
	l, ok := learned.Load(k)
	if !ok {
		return blockInfo{}, false
	}
	return l.(blockInfo), true
}

// share keeps what a normalizer learned for the others, up to about a
// bound (concurrent learners may pass it by a few).
func (nz *Normalizer) share(k learnedKey, info blockInfo) {
	if !nz.alone && learnedCount.Load() < 4*maxBlocks {
		if _, loaded := learned.LoadOrStore(k, info); !loaded {
			learnedCount.Add(1)
		}
	}
}

// learn asks the parser about the prefix of nsn: the number itself and
// three more numbers of the prefix must all be valid and agree.
func (nz *Normalizer) learn(info *prefixInfo, nsn []byte) {
	info.learned = true
	prefix := "+7" + string(nsn[:3])
	var first Number
	for i, sample := range [...]string{"+7" + string(nsn), prefix + "0000000", prefix + "5555555", prefix + "9999999"} {
		num, reason := nz.parse(sample, nil, true)
		if reason != OK {
			return
		}
		if i == 0 {
			first = num
		} else if num.Type != first.Type || num.Country != first.Country {
			return
		}
	}
	info.fast, info.typ, info.country = true, first.Type, first.Country
}

// block returns what is known about the block of national number nsn of
// country code cc, or nil at its first meeting. A block is learned when met
// again, so that a number alone in its block costs one parse, not a proof
// as well.
func (nz *Normalizer) block(cc int, nsn []byte) *blockInfo {
	key := blockKey(cc, nsn)
	info, ok := nz.blocks[key]
	if !ok {
		if len(nz.blocks) >= maxBlocks {
			return nil
		}
		if info, ok := nz.learnedBy(learnedKey{nz.region, 0, key}); ok {
			// A copy: intl is this normalizer's to work out.
			nz.blocks[key] = &info
			return &info
		}
		nz.blocks[key] = &blockInfo{}
		return nil
	}
	if !info.learned {
		nz.learnBlock(info, cc, nsn)
		nz.share(learnedKey{nz.region, 0, key}, blockInfo{prefixInfo: info.prefixInfo, russian: info.russian})
	}
	return info
}

// blockKey packs a country code (< 1000), three digits and a length (< 32).
func blockKey(cc int, nsn []byte) uint32 {
	p := int(nsn[0]-'0')*100 + int(nsn[1]-'0')*10 + int(nsn[2]-'0')
	return uint32(cc)<<15 | uint32(p)<<5 | uint32(len(nsn))
}

// learnBlock proves the block of nsn uniform and asks the parser about the
// number itself and twelve more of the block: the first three digits
// followed by each digit then 5s, by 0s and by 9s. All must be valid and
// of one type and region, and the number itself must keep its digits as
// the parser's E.164.
//
// Only the number itself is parsed. The proof has shown that the parser
// reads every number of the block as the country code and the national
// digits as they stand, so the twelve are asked as such numbers: what the
// parser would say of them without the parsing, which was two thirds of
// learning a block.
func (nz *Normalizer) learnBlock(info *blockInfo, cc int, nsn []byte) {
	info.learned = true
	b := block{string(nsn[:3]), len(nsn)}
	if !nz.proof.plain(cc, b) {
		return
	}
	input := "+" + strconv.Itoa(cc) + string(nsn)
	first, reason := nz.parse(input, nil, true)
	if reason != OK || first.E164 != input {
		return
	}
	code := int32(cc)
	for _, sample := range blockSamples(string(nsn))[1:] {
		national, err := strconv.ParseUint(sample, 10, 64)
		if err != nil {
			return
		}
		pn := &phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &national}
		t := phonenumbers.GetNumberType(pn)
		if t == phonenumbers.UNKNOWN || typeOf(t) != first.Type || phonenumbers.GetRegionCodeForNumber(pn) != first.Country {
			return
		}
	}
	info.fast, info.typ, info.country = true, first.Type, first.Country
	info.russian = nz.ru && cc == 7 && nz.proof.russianForms(b)
}

// blockSamples returns nsn and twelve more national numbers of its block.
func blockSamples(nsn string) []string {
	prefix, rest := nsn[:3], len(nsn)-3
	samples := []string{nsn, prefix + strings.Repeat("0", rest), prefix + strings.Repeat("9", rest)}
	for d := '0'; d <= '9'; d++ {
		samples = append(samples, prefix+string(d)+strings.Repeat("5", rest-1))
	}
	return samples
}

// callingCodes marks the country calling codes phonenumbers knows.
var callingCodes = sync.OnceValue(func() *[1000]bool {
	var known [1000]bool
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		if cc > 0 && cc < len(known) {
			known[cc] = true
		}
	}
	return &known
})

// callingCode returns the country calling code d starts with and its
// length in digits, or 0, 0. Country codes are prefix-free: the parser
// takes the shortest known one, and so does this.
func callingCode(d []byte) (cc, n int) {
	known := callingCodes()
	if len(d) == 0 || d[0] == '0' {
		return 0, 0
	}
	for n = 1; n <= 3 && n <= len(d); n++ {
		cc = cc*10 + int(d[n-1]-'0')
		if known[cc] {
			return cc, n
		}
	}
	return 0, 0
}

// tooShortInRussia: in Russia every number has ten national digits, so
// fewer digits without "+" are too short, unless they start with the
// international prefix 810. The parser agrees (see the differential test).
func (nz *Normalizer) tooShortInRussia(d []byte, plus bool) bool {
	return nz.ru && !plus && len(d) < 10 && !(len(d) >= 3 && d[0] == '8' && d[1] == '1' && d[2] == '0')
}
