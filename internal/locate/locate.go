// Package locate tells where a number rings: its operator, territory and
// time zones, from the Russian numbering plan where it knows the number and
// from phonenumbers' metadata elsewhere.
package locate

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/callbase/callbase/internal/numplan"
	"github.com/callbase/callbase/internal/phone"
)

// Place is where a number rings.
type Place struct {
	Operator string
	Region   string   // the plan's territory, or a landline's area from phonenumbers; "" when unknown
	Zones    []string // IANA zones, sorted; several when the territory spans several
	// Unallocated marks a Russian number in no issued range of a plan that
	// covers its kind (a DEF plan for mobiles): it was never issued.
	Unallocated bool
	// ID, when not 0, stands for the place of a Russian number among those
	// its Locator gives: the places of one ID are equal. It spares telling
	// places apart by their strings.
	ID uint32
}

// ZoneList is the zones joined by ",", as stored and printed.
func (p Place) ZoneList() string { return strings.Join(p.Zones, ",") }

// Locator places numbers using one plan. It is safe for concurrent use.
type Locator struct {
	plan *numplan.Plan
	// Places of Russian landlines by their area code, the three digits
	// after +7. phonenumbers' geocoding parses the number again behind a
	// global lock, 30 µs a call; bases repeat area codes.
	landlines landlines
}

// landlines is a cache of places by area code, safe for concurrent use
// without locks. A sync.Map keyed by strings cost a third of placing a
// number (hashing, boxing); this costs one load.
//
// Three digits are enough: phonenumbers' geocoding (in Russian, and in
// English where Russian has no name) and time zones know Russian
// landlines (+7 3, 4 and 8) by no more than them (TestLandlineCache). A
// cache of six digits missed 15,000 times on a base of a million rows.
type landlines [1000]atomic.Pointer[Place]

// areaCode returns the three digits after "+7" in e164 as a number, or -1.
func areaCode(e164 string) int {
	if len(e164) < landlinePrefix {
		return -1
	}
	v := 0
	for _, c := range []byte(e164[2:landlinePrefix]) {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

// Stored returns a Locator over a plan stored in encoded form, or over the
// embedded plan when ok is false (none was loaded).
func Stored(data []byte, ok bool) (*Locator, error) {
	if !ok {
		return New(numplan.Embedded()), nil
	}
	plan, err := numplan.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("the numbering plan in the database: %w\nTry: callbase numplan load FILE...", err)
	}
	return New(plan), nil
}

// New returns a Locator over plan.
func New(plan *numplan.Plan) *Locator { return &Locator{plan: plan} }

// Plan is the plan the Locator uses.
func (l *Locator) Plan() *numplan.Plan { return l.plan }

// Place tells where n rings.
func (l *Locator) Place(n phone.Number) Place { return l.PlaceKey(n, n.Key()) }

// PlaceKey is Place for a number whose key, n.Key(), the caller has.
func (l *Locator) PlaceKey(n phone.Number, key uint64) Place {
	if n.Country != "RU" {
		return Place{Zones: phone.Zones(n.E164)}
	}
	if r, id, ok := l.plan.LookupPlace(key); ok {
		return Place{Operator: r.Operator, Region: r.Territory, Zones: r.Zones, ID: id}
	}
	if l.plan.Covers(key) {
		return Place{Unallocated: true}
	}
	code := areaCode(n.E164)
	if code < 0 { // not a number phone would make: not worth a cache
		return landline(key, n.E164)
	}
	slot := &l.landlines[code]
	if p := slot.Load(); p != nil {
		return *p
	}
	p := landline(key, n.E164)
	if places := l.plan.Places(); places < numplan.MaxPlaces {
		p.ID = uint32(places + 1 + code) // after the plan's
	}
	// A race stores the same place twice.
	slot.Store(&p)
	return p
}

// landlinePrefix is how much of a Russian landline's E.164 decides its area
// and zones ("+7" and three digits); TestLandlineCache holds it.
const landlinePrefix = 5

// landline places a Russian number the plan does not cover. phonenumbers'
// metadata shares +7 with Kazakhstan: 8-800 numbers get Asia/Almaty beside
// Moscow. A Russian number rings in Russia.
func landline(key uint64, e164 string) Place {
	zones := numplan.LandlineZones(key, phone.Zones(e164))
	return Place{
		Region: phone.Area(e164),
		Zones:  slices.DeleteFunc(zones, func(z string) bool { return !russianZones[z] }),
	}
}

// russianZones are the IANA zones of the Russian Federation (zone1970.tab).
var russianZones = map[string]bool{
	"Europe/Kaliningrad": true, "Europe/Moscow": true, "Europe/Simferopol": true, "Europe/Kirov": true,
	"Europe/Volgograd": true, "Europe/Astrakhan": true, "Europe/Saratov": true, "Europe/Ulyanovsk": true,
	"Europe/Samara": true, "Asia/Yekaterinburg": true, "Asia/Omsk": true, "Asia/Novosibirsk": true,
	"Asia/Barnaul": true, "Asia/Tomsk": true, "Asia/Novokuznetsk": true, "Asia/Krasnoyarsk": true,
	"Asia/Irkutsk": true, "Asia/Chita": true, "Asia/Yakutsk": true, "Asia/Khandyga": true,
	"Asia/Vladivostok": true, "Asia/Ust-Nera": true, "Asia/Magadan": true, "Asia/Sakhalin": true,
	"Asia/Srednekolymsk": true, "Asia/Kamchatka": true, "Asia/Anadyr": true,
}
