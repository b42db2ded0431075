package phone

import (
	"errors"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

const (
	// maxNumberDigits is the longest number phonenumbers accepts: a country
	// code and 17 national digits. E.164 says 15, yet Germany, for one, has
	// valid numbers longer than that.
	maxNumberDigits = 3 + 17
	// maxDialled allows for an international prefix before it: 8 10 49 ...
	maxDialled = maxNumberDigits + 3
	cacheSize  = 4096
)

// cached is what the parser said about one digit string.
type cached struct {
	num    Number
	reason Reason
}

// number turns the digits of one run into a number. n counts every digit
// of the run, d holds the first of them.
func (nz *Normalizer) number(d []byte, n int, plus bool) (Number, Reason) {
	if p := &nz.plain; p.valid && p.plus == plus && len(p.d) == n && string(p.d) == string(d) {
		return p.num, p.reason // asked already by plainCell, for this cell
	}
	if !plus && len(d) >= 2 && d[0] == '0' && d[1] == '0' {
		plus, d, n = true, d[2:], n-2 // 00 49 30 ... is the international prefix of most of the world
	}
	switch {
	case n < 3:
		return Number{}, TooShort
	case n > maxDialled, n > len(d): // with "+" too: +49 (0) 30 ... has a trunk 0 the parser drops
		return Number{}, TooLong
	}
	if num, ok := nz.fastNumber(d, plus); ok {
		return num, OK
	}
	if nz.tooShortInRussia(d, plus) {
		return Number{}, TooShort
	}
	key := nz.key[:0]
	if plus {
		key = append(key, '+')
	}
	key = append(key, d...)
	nz.key = key
	if c, ok := nz.cache[string(key)]; ok {
		return c.num, c.reason
	}
	input := string(key)
	num, reason := nz.parse(input, d, plus)
	if len(nz.cache) >= cacheSize {
		clear(nz.cache) // crude, but keeps the cache bounded and its hits cheap
	}
	nz.cache[input] = cached{num, reason}
	return num, reason
}

// parse asks phonenumbers, the authority on validity and type, about
// digits d (written with a leading "+" when plus).
func (nz *Normalizer) parse(input string, d []byte, plus bool) (Number, Reason) {
	pn := &phonenumbers.PhoneNumber{}
	if err := phonenumbers.ParseToNumber(input, nz.region, pn); err != nil {
		switch {
		case errors.Is(err, phonenumbers.ErrNumTooLong):
			return Number{}, TooLong
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
			return Number{}, Invalid
		default: // not viable, too short, nothing after the international prefix
			return Number{}, TooShort
		}
	}
	// A number is valid exactly when its type is known: IsValidNumber and
	// GetNumberType both match it against the patterns of its own region
	// (TestTypeTellsValidity holds them to that), and asking both did the
	// work twice.
	if t := phonenumbers.GetNumberType(pn); t != phonenumbers.UNKNOWN {
		return Number{
			E164:    phonenumbers.Format(pn, phonenumbers.E164),
			Type:    typeOf(t),
			Country: phonenumbers.GetRegionCodeForNumber(pn),
		}, OK
	}
	nsn := len(phonenumbers.GetNationalSignificantNumber(pn))
	shortest := shortestNumber()[pn.GetCountryCode()]
	switch phonenumbers.IsPossibleNumberWithReason(pn) {
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return Number{}, TooShort
	case phonenumbers.TOO_LONG:
		return Number{}, TooLong
	case phonenumbers.INVALID_LENGTH:
		if nsn > shortest {
			return Number{}, TooLong
		}
		return Number{}, TooShort
	}
	// The parser keeps the national prefix when dropping it leaves too few
	// digits: 8 916 123 45 6 is a mobile missing a digit, not a strange number.
	if !plus && nz.ndd != "" && len(d) > len(nz.ndd) && string(d[:len(nz.ndd)]) == nz.ndd &&
		len(d)-len(nz.ndd) < shortest {
		return Number{}, TooShort
	}
	return Number{}, Invalid
}

// shortestNumber maps a country calling code to the fewest national digits
// any of its numbers has.
var shortestNumber = sync.OnceValue(func() map[int32]int {
	shortest := make(map[int32]int)
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return shortest
	}
	for _, m := range coll.GetMetadata() {
		for _, l := range m.GetGeneralDesc().GetPossibleLength() {
			cc := m.GetCountryCode()
			if cur, ok := shortest[cc]; !ok || int(l) < cur {
				shortest[cc] = int(l)
			}
		}
	}
	return shortest
})

var types = [...]Type{
	phonenumbers.FIXED_LINE:           Fixed,
	phonenumbers.MOBILE:               Mobile,
	phonenumbers.FIXED_LINE_OR_MOBILE: FixedOrMobile,
	phonenumbers.TOLL_FREE:            TollFree,
	phonenumbers.PREMIUM_RATE:         PremiumRate,
	phonenumbers.SHARED_COST:          SharedCost,
	phonenumbers.VOIP:                 VoIP,
	phonenumbers.PERSONAL_NUMBER:      Personal,
	phonenumbers.PAGER:                Pager,
	phonenumbers.UAN:                  UAN,
	phonenumbers.VOICEMAIL:            Voicemail,
	phonenumbers.UNKNOWN:              Unknown,
}

func typeOf(t phonenumbers.PhoneNumberType) Type {
	if t >= 0 && int(t) < len(types) {
		return types[t]
	}
	return Unknown
}
