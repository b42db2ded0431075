package numplan

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	_ "time/tzdata" // zones must load on machines without system tzdata
)

// Territory to zone tables: territory<TAB>zone. The first is the shared copy, kept as
// published; the second holds spellings of older registry files and multi-zone territories
// (zones separated by spaces) and wins over the first. A zone "?" means unknown.
var (
	//go:embed data/territory-zones.tsv
	zonesTSV string
	//go:embed data/territory-zones-extra.tsv
	zonesExtraTSV string
)

// zoneTable maps a normalized territory to its zones.
var zoneTable = sync.OnceValue(func() map[string][]string {
	m := make(map[string][]string, 256)
	for _, tsv := range []string{zonesTSV, zonesExtraTSV} {
		for l := range strings.Lines(tsv) {
			territory, zone, ok := strings.Cut(strings.TrimRight(l, "\r\n"), "\t")
			if !ok || territory == "territory" || strings.HasPrefix(territory, "#") {
				continue
			}
			var zones []string
			for z := range strings.FieldsSeq(zone) {
				if z != "?" {
					zones = append(zones, z)
				}
			}
			m[normTerritory(territory)] = normZones(zones)
		}
	}
	return m
})

// Zones returns the IANA time zones of a territory of the registry (a Территория ГАР or
// Регион string, or a common spelling of a federal subject), sorted. A string joining several
// places ("Город Москва, Московская область", "г. Норильск|г.о. город Норильск|Красноярский
// край", "Республика Крым и г. Севастополь") yields the zones of every place it names that is
// known; "Российская Федерация" yields one zone of each of Russia's eleven offsets. Nil when
// no place is known.
func Zones(territory string) []string {
	return slices.Clone(zonesOf(territory))
}

func zonesOf(territory string) []string {
	t := zoneTable()
	if z, ok := t[normTerritory(territory)]; ok {
		return z
	}
	var zones []string
	for _, part := range splitPlaces(territory) {
		if z, ok := t[normTerritory(part)]; ok {
			zones = append(zones, z...)
			continue
		}
		// "Агинский Бурятский автономный округ (Читинская область)": both places.
		for _, br := range []string{"()", "//"} {
			i := strings.IndexByte(part, br[0])
			if i < 0 {
				continue
			}
			j := strings.IndexByte(part[i+1:], br[1])
			if j < 0 {
				continue
			}
			inner, outer := part[i+1:i+1+j], part[:i]+part[i+2+j:]
			zones = append(zones, t[normTerritory(outer)]...)
			zones = append(zones, t[normTerritory(inner)]...)
			break
		}
	}
	return normZones(zones)
}

// splitPlaces splits a territory that joins several places.
func splitPlaces(s string) []string {
	parts := []string{s}
	for _, sep := range []string{"|", ",", ";", " * ", " и "} {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	return parts
}

// normTerritory folds the spellings registry files use for one place into one key:
// case, ё, spaces around hyphens, "обл." for "область", "АО" for "автономный округ",
// and a leading "г."/"город".
func normTerritory(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, "\u00a0", " "))
	s = strings.ReplaceAll(s, "ё", "е")
	words := strings.Fields(s)
	out := make([]string, 0, len(words)+2)
	for i, w := range words {
		switch {
		case w == "обл." || w == "обл":
			w = "область"
		case w == "ао":
			w = "автономный округ"
		case w == "г." && i == 0 || w == "город" && i == 0:
			continue
		}
		out = append(out, w)
	}
	s = strings.Join(out, " ")
	s = strings.ReplaceAll(s, " -", "-")
	s = strings.ReplaceAll(s, "- ", "-")
	return s
}

// LandlineZones returns the zones of a landline (ABC) number given the zones
// nyaruka/phonenumbers finds for it, sorted, without "Etc/Unknown", and with the one
// mistake of its metadata fixed: area code 401 (Kaliningrad) is Europe/Kaliningrad, not
// Europe/Bucharest. A plan that holds the ABC files gives zones of its own (Lookup).
func LandlineZones(e164 uint64, phonenumbersZones []string) []string {
	if e164/block == 7401 {
		return []string{"Europe/Kaliningrad"}
	}
	zones := make([]string, 0, len(phonenumbersZones))
	for _, z := range phonenumbersZones {
		if z != "" && z != "Etc/Unknown" {
			zones = append(zones, z)
		}
	}
	return normZones(zones)
}
