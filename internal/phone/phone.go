// Package phone turns one spreadsheet cell into zero or more telephone
// numbers, each with its E.164 form, extension, type and country, or a
// named reason why a piece of the cell is not one. It is the only package
// that imports nyaruka/phonenumbers.
//
// The cell is cut and cleaned by hand before phonenumbers sees it, in one
// linear pass without regular expressions: separators (, ; / | tab, new
// line) and words ("или") stand between numbers, labels and comments
// ("тел.", "(Иванова Мария)") are dropped, extensions ("доб. 12") are kept
// apart and spreadsheet floats (7.9161234567E+10) become digits again.
// phonenumbers stays the authority on validity and type; +7 numbers of a
// three-digit prefix it has already judged skip it, and so do numbers of
// other countries in blocks proven to read alike (see plan.go, proof.go).
package phone

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/callbase/callbase/internal/textblock"
)

// Type is the kind of line a number belongs to.
type Type uint8

const (
	Unknown Type = iota
	Mobile
	Fixed
	FixedOrMobile
	TollFree
	PremiumRate
	SharedCost
	VoIP
	Personal
	Pager
	UAN
	Voicemail
)

var typeNames = [...]string{"unknown", "mobile", "fixed", "fixed_or_mobile", "toll_free",
	"premium_rate", "shared_cost", "voip", "personal", "pager", "uan", "voicemail"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// Reason says why a piece of a cell is not a number. OK means it is one.
type Reason uint8

const (
	OK         Reason = iota
	Empty             // the cell is blank
	NoDigits          // text without a single digit: "-", "нет"
	TooShort          // fewer digits than a number needs: "12-34", a local number without its area code
	TooLong           // more digits than a number may have
	Invalid           // the right length, yet not a number in use
	DigitsLost        // a spreadsheet float that kept too few digits: 7.91612E+10
)

var reasonNames = [...]string{"ok", "empty", "no_digits", "too_short", "too_long", "invalid", "digits_lost"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "invalid"
}

// Number is one valid telephone number.
type Number struct {
	E164    string // "+79161234567"; may share a 16 KB block with other numbers': clone it to keep it long
	Ext     string // extension digits, "" when none
	Type    Type
	Country string // ISO 3166-1 alpha-2 region of the number, "001" for non-geographic
}

// Key is the E.164 number as an integer: unique, and cheap to sort and store.
// The extension is not part of it: a switchboard is one line.
func (n Number) Key() uint64 {
	d := strings.TrimPrefix(n.E164, "+")
	if len(d) > 19 { // past what a uint64 surely holds: as ParseUint says
		k, _ := strconv.ParseUint(d, 10, 64)
		return k
	}
	// By hand: an import asks every number's key a few times.
	var k uint64
	for i := 0; i < len(d); i++ {
		c := d[i] - '0'
		if c > 9 {
			return 0
		}
		k = k*10 + uint64(c)
	}
	return k
}

// Result is what one number-like piece of a cell came to.
type Result struct {
	Number        // set when Reason is OK
	Text   string // the piece of the cell it was read from, for reject reports; shares the cell's memory
	Reason Reason
}

// Normalizer reads cells for one default region. It is not safe for
// concurrent use: give each goroutine its own.
type Normalizer struct {
	region string
	// ru: numbers written without "+" are read by the Russian plan.
	ru bool
	// plan is what the parser said about each three-digit prefix of +7 numbers.
	plan [1000]prefixInfo
	// blocks is what is known about blocks of other international numbers.
	blocks map[uint32]*blockInfo
	// regionCC is the region's country calling code, and formats how the
	// blocks of the other codes are formatted (see appendReadableForeign).
	regionCC int
	formats  map[uint32]*intlFormat
	// alone: learns prefixes and blocks by itself, neither taking what
	// other normalizers learned (see learned) nor sharing; for tests that
	// hold the learning to the parser.
	alone bool
	proof prover
	// idd is the region's international prefix when it is plain digits
	// ("810" in Russia), else "".
	idd string
	// ndd is the region's national prefix ("8" in Russia).
	ndd   string
	cache map[string]cached
	key   []byte // scratch for the cache key and the parser's input
	run   run    // scratch for the run being read
	// plain is what plainCell found of the cell being read when it was no
	// valid number: the scanner asks again, and a second question would
	// count as a second meeting of the number's block (see block).
	plain struct {
		valid, plus bool
		d           []byte
		num         Number
		reason      Reason
	}
	// e164s is the block the E.164 strings of fast numbers are cut from:
	// one allocation for a thousand numbers instead of one each, which
	// took a tenth of reading a base's cells.
	e164s textblock.Blocks
}

// ErrUnknownRegion is returned by NewNormalizer for a region phonenumbers
// does not know.
var ErrUnknownRegion = errors.New("unknown region")

// NewNormalizer returns a Normalizer for numbers written without a country
// code in region (ISO 3166-1 alpha-2, e.g. "RU").
func NewNormalizer(region string) (*Normalizer, error) {
	region = strings.ToUpper(strings.TrimSpace(region))
	if !phonenumbers.GetSupportedRegions()[region] {
		return nil, fmt.Errorf("%w %q: want a two-letter country code such as RU", ErrUnknownRegion, region)
	}
	idd := regionMetadata()[region].GetInternationalPrefix()
	if !allDigits(idd) {
		idd = ""
	}
	return &Normalizer{
		region:   region,
		ru:       region == "RU",
		ndd:      phonenumbers.GetNddPrefixForRegion(region, true),
		idd:      idd,
		blocks:   make(map[uint32]*blockInfo),
		regionCC: phonenumbers.GetCountryCodeForRegion(region),
		formats:  make(map[uint32]*intlFormat),
		cache:    make(map[string]cached),
		key:      make([]byte, 0, 32),
		e164s:    textblock.Blocks{Size: 16 << 10},
	}, nil
}

// Cell returns one Result for every number-like piece of cell, in order.
// An empty cell gives one Result with Reason Empty; every cell gives at
// least one Result and at most MaxResults+1.
func (n *Normalizer) Cell(cell string) []Result {
	return n.AppendCell(nil, cell)
}

// AppendCell is Cell appending to dst, to spare allocations in loops.
func (n *Normalizer) AppendCell(dst []Result, cell string) []Result {
	s := trimSpace(cell)
	if s == "" {
		return append(dst, Result{Reason: Empty})
	}
	if res, ok := n.plainCell(s); ok {
		return append(dst, res)
	}
	dst = n.scanCell(dst, s)
	n.plain.valid = false
	return dst
}

// scanCell reads trimmed cell s, not empty, with the scanner.
func (n *Normalizer) scanCell(dst []Result, s string) []Result {
	c := cellScan{n: n, s: s, dst: dst, first: len(dst), pieceFirst: len(dst)}
	c.scan()
	return c.finish()
}

// maxPlainCell bounds the cells plainCell reads.
const maxPlainCell = 32

// plainCell reads trimmed cell s when it is written the way most cells of
// a base are: digits, spaces, brackets and dashes, perhaps after a "+".
// The scanner reads such a cell as one run of all its digits, and when
// they make a valid number, that is the cell's one result, the whole cell
// its text; plainCell gives the same without the scanner's machinery, a
// third of its time. Anything else, valid or not, is the scanner's
// (TestPlainCellsAsScanned, FuzzCell).
func (n *Normalizer) plainCell(s string) (Result, bool) {
	if len(s) > maxPlainCell {
		return Result{}, false
	}
	var d [maxPlainCell]byte
	k := 0
	plus := s[0] == '+'
	i := 0
	if plus {
		i = 1
	}
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '-', '(', ')':
		default:
			if c < '0' || c > '9' {
				return Result{}, false
			}
			d[k] = c
			k++
		}
	}
	num, reason := n.number(d[:k], k, plus)
	if reason != OK {
		p := &n.plain
		p.valid, p.plus, p.d, p.num, p.reason = true, plus, append(p.d[:0], d[:k]...), num, reason
		return Result{}, false
	}
	return Result{Number: num, Text: s}, true
}

// Readable formats an E.164 number for people: the national form for
// numbers of the normalizer's region, the international form otherwise.
func (n *Normalizer) Readable(e164 string) string {
	if n.region == "RU" {
		if s, ok := readableRU(e164); ok {
			return s
		}
	}
	if b, ok := n.appendReadableBlock(make([]byte, 0, 24), e164); ok {
		return string(b)
	}
	return readable(e164, n.region)
}

// AppendReadableBytes is AppendReadable for a number held in bytes: a
// number of Russia is appended without a string made of it.
func (n *Normalizer) AppendReadableBytes(dst, e164 []byte) []byte {
	if n.region == "RU" {
		if b, ok := appendReadableRU(dst, e164); ok {
			return b
		}
	}
	return n.AppendReadable(dst, string(e164))
}

// AppendReadable appends Readable(e164) to dst: for a number of Russia or
// of a block with a known format, without making a string of it.
func (n *Normalizer) AppendReadable(dst []byte, e164 string) []byte {
	if n.region == "RU" {
		if b, ok := appendReadableRU(dst, e164); ok {
			return b
		}
	}
	if b, ok := n.appendReadableBlock(dst, e164); ok {
		return b
	}
	return append(dst, readable(e164, n.region)...)
}

// appendReadableBlock appends the readable form of a number of a proven
// block (plan.go) to dst, without parsing it: there the parser's number is
// the country code and the national digits as they stand, and its region
// is the block's.
func (n *Normalizer) appendReadableBlock(dst []byte, e164 string) ([]byte, bool) {
	if len(e164) < 2 || len(e164) > 1+maxNumberDigits || e164[0] != '+' || !allDigits(e164[1:]) {
		return dst, false
	}
	cc, nsn, _ := n.split([]byte(e164[1:]), true)
	if !blockable(cc, nsn) {
		return dst, false
	}
	digits := e164[len(e164)-len(nsn):]
	if cc != n.regionCC {
		return n.appendReadableForeign(dst, cc, nsn, digits)
	}
	b := n.block(cc, nsn)
	if b == nil || !b.fast {
		return dst, false
	}
	if b.country != n.region {
		if !b.intl.done {
			b.intl = n.proof.intl(cc, block{string(nsn[:3]), len(nsn)})
		}
		if b.intl.ok {
			return b.intl.appendFormat(dst, digits), true
		}
	}
	code := int32(cc)
	national, _ := strconv.ParseUint(string(nsn), 10, 64)
	num := &phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &national}
	if b.country == n.region {
		return append(dst, phonenumbers.Format(num, phonenumbers.NATIONAL)...), true
	}
	return append(dst, phonenumbers.Format(num, phonenumbers.INTERNATIONAL)...), true
}

// appendReadableForeign appends the readable form of a number of another
// country code than the region's. Such a number is never of the region,
// so phonenumbers formats it internationally, by its block's format,
// whatever its type and even when it is not valid: when the parser reads
// the block plain (nsn as it stands), the format is known without learning
// the block, which asks its type of thirteen numbers. Proving the format costs a
// few parses' worth, so a block met once is left to the parser, as block
// does, and so are the blocks past the first maxBlocks met.
func (n *Normalizer) appendReadableForeign(dst []byte, cc int, nsn []byte, digits string) ([]byte, bool) {
	key := blockKey(cc, nsn)
	f, met := n.formats[key]
	if f == nil {
		switch shared := n.sharedFormat(key); {
		case shared != nil:
			f = shared
		case !met:
			if len(n.formats) < maxBlocks {
				n.formats[key] = nil // met once
			}
			return dst, false
		default:
			f = &intlFormat{done: true}
			if b := (block{string(nsn[:3]), len(nsn)}); n.proof.plain(cc, b) {
				*f = n.proof.intl(cc, b)
			}
			n.shareFormat(key, f)
		}
		if met || len(n.formats) < maxBlocks {
			n.formats[key] = f
		}
	}
	if !f.ok {
		return dst, false
	}
	return f.appendFormat(dst, digits), true
}

// readableRU formats a Russian number the way phonenumbers does, "8 (916)
// 123-45-67", without its 40 µs of parsing and pattern matching (a
// differential test holds the two equal). +7 7xx is Kazakhstan: not here.
func readableRU(e164 string) (string, bool) {
	var b [17]byte // one allocation, without concatenating eight pieces
	if _, ok := appendReadableRU(b[:0], e164); !ok {
		return "", false
	}
	return string(b[:]), true
}

// appendReadableRU appends readableRU(e164) to dst.
func appendReadableRU[T string | []byte](dst []byte, e164 T) ([]byte, bool) {
	if len(e164) != 12 || string(e164[:2]) != "+7" || !strings.ContainsRune("3489", rune(e164[2])) {
		return dst, false
	}
	d := e164[2:]
	for i := range len(d) {
		if d[i] < '0' || d[i] > '9' {
			return dst, false
		}
	}
	return append(dst, '8', ' ', '(', d[0], d[1], d[2], ')', ' ', d[3], d[4], d[5], '-', d[6], d[7], '-', d[8], d[9]), true
}

func readable(e164, region string) string {
	num, err := phonenumbers.Parse(e164, region)
	if err != nil {
		return e164
	}
	if phonenumbers.GetRegionCodeForNumber(num) == region {
		return phonenumbers.Format(num, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}
