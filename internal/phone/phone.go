// Package phone turns one spreadsheet cell into zero or more telephone
// numbers. It is the only package that imports nyaruka/phonenumbers.
package phone

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
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
	OK Reason = iota
	Empty
	NoDigits
	TooShort
	TooLong
	Invalid
	DigitsLost
)

var reasonNames = [...]string{"ok", "empty", "no_digits", "too_short", "too_long", "invalid", "digits_lost"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "invalid"
}

// Reasons lists every reject reason in a stable order, for reports.
func Reasons() []Reason { return []Reason{Empty, NoDigits, TooShort, TooLong, Invalid, DigitsLost} }

// Number is one valid telephone number.
type Number struct {
	E164    string // "+79161234567"
	Ext     string // extension digits, "" when none
	Type    Type
	Country string // ISO 3166-1 alpha-2 region of the number, "001" for non-geographic
}

// Key is the E.164 number as an integer: unique, and cheap to sort and store.
func (n Number) Key() uint64 {
	k, _ := strconv.ParseUint(strings.TrimPrefix(n.E164, "+"), 10, 64)
	return k
}

// Result is what one number-like piece of a cell came to.
type Result struct {
	Number        // set when Reason is OK
	Text   string // the piece of the cell it was read from, for reject reports
	Reason Reason
}

// Normalizer reads cells for one default region. It is not safe for
// concurrent use: give each goroutine its own.
type Normalizer struct {
	region string
}

// NewNormalizer returns a Normalizer for numbers written without a country
// code in region (ISO 3166-1 alpha-2, e.g. "RU").
func NewNormalizer(region string) (*Normalizer, error) {
	return &Normalizer{region: strings.ToUpper(region)}, nil
}

// Cell returns one Result for every number-like piece of cell, in order.
// An empty cell gives one Result with Reason Empty.
func (n *Normalizer) Cell(cell string) []Result {
	return n.AppendCell(nil, cell)
}

// AppendCell is Cell appending to dst, to spare allocations in loops.
func (n *Normalizer) AppendCell(dst []Result, cell string) []Result {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return append(dst, Result{Reason: Empty})
	}
	num, err := phonenumbers.Parse(cell, n.region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return append(dst, Result{Text: cell, Reason: Invalid})
	}
	return append(dst, Result{Text: cell, Number: Number{
		E164:    phonenumbers.Format(num, phonenumbers.E164),
		Country: phonenumbers.GetRegionCodeForNumber(num),
	}})
}

// Readable formats an E.164 number for people: the national form for
// numbers of the normalizer's region, the international form otherwise.
func (n *Normalizer) Readable(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	if phonenumbers.GetRegionCodeForNumber(num) == n.region {
		return phonenumbers.Format(num, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}
