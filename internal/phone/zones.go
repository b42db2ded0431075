package phone

import (
	"slices"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Zones returns the IANA time zones phonenumbers' metadata gives the number
// (by the longest prefix it knows), without "Etc/Unknown". For Russian
// mobiles it says Europe/Moscow whatever the region: numplan knows better.
func Zones(e164 string) []string {
	zones, err := phonenumbers.GetTimezonesForPrefix(e164)
	if err != nil {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(zones), func(z string) bool { return z == phonenumbers.UNKNOWN_TIMEZONE })
}

// Area returns the place phonenumbers' geocoding data gives the number's
// area code, in Russian ("Хабаровский край"), or "" when it knows none. It
// takes a global lock inside phonenumbers: call it for landlines only.
//
// Russian landline and 8-800 codes are answered from areaNames, made from
// phonenumbers (TestAreaNames), and where that has none, by the country's
// name, as phonenumbers would: asking phonenumbers itself there made it
// load its English names of every area of the world (14 MB, 0.1 s), which
// then weighed on every garbage collection.
func Area(e164 string) string {
	num := russianNumber(e164)
	if num == nil {
		var err error
		if num, err = phonenumbers.Parse(e164, ""); err != nil {
			return ""
		}
	} else if code := num.GetNationalNumber() / 1e7; code < uint64(len(areaNames)) {
		if name := areaNames[code]; name != "" {
			return name
		}
		return countryName(num)
	}
	area, err := phonenumbers.GetGeocodingForNumber(num, "ru")
	if err != nil {
		return ""
	}
	return area
}

// countryName is what phonenumbers' geocoding says of a number where
// neither its Russian nor its English data names the area: the name of
// the number's country in Russian, or "" when the number has none.
func countryName(num *phonenumbers.PhoneNumber) string {
	region, err := language.ParseRegion(phonenumbers.GetRegionCodeForNumber(num))
	if err != nil {
		return ""
	}
	return display.Regions(language.Russian).Name(region)
}

// russianNumber builds the parser's number for a Russian E.164 number (+7
// and ten digits from 3, 4, 8 or 9) without parsing it, which costs more
// than the geocoding lookup: the parser takes the ten digits as they stand
// (TestAreaMatchesParser). nil for any other number.
func russianNumber(e164 string) *phonenumbers.PhoneNumber {
	if len(e164) != 12 || e164[:2] != "+7" || strings.IndexByte("3489", e164[2]) < 0 || !allDigits(e164[2:]) {
		return nil
	}
	national, err := strconv.ParseUint(e164[2:], 10, 64)
	if err != nil {
		return nil
	}
	cc := int32(7)
	return &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &national}
}
