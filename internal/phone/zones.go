package phone

import (
	"slices"

	"github.com/nyaruka/phonenumbers"
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
func Area(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	area, err := phonenumbers.GetGeocodingForNumber(num, "ru")
	if err != nil {
		return ""
	}
	return area
}
