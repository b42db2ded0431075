package locate

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/callbase/callbase/internal/numplan"
	"github.com/callbase/callbase/internal/phone"
)

func TestPlace(t *testing.T) {
	norm, err := phone.NewNormalizer("RU")
	if err != nil {
		t.Fatal(err)
	}
	l := New(numplan.Embedded())
	tests := []struct {
		cell        string
		zones       string
		region      string // a part of the territory
		operator    bool   // an operator is known
		unallocated bool
	}{
		{"+79161234567", "Europe/Moscow", "Москва", true, false},
		{"+79241234567", "Asia/Vladivostok", "Приморский", true, false},
		{"+79841234567", "Asia/Yakutsk", "Саха", true, false},
		{"+79039300000", "Asia/Novosibirsk", "Новосибирск", true, false},
		{"+79131234567", "Asia/Novokuznetsk", "Кемеровская", true, false},
		{"+74012123456", "Europe/Kaliningrad", "Калининградская", false, false}, // phonenumbers says Bucharest
		{"+73832123456", "Asia/Novosibirsk", "Новосибирская", false, false},
		{"+74951234567", "Europe/Moscow", "Моск", false, false},
		{"+74212456789", "Asia/Vladivostok", "Хабаровский край", false, false},
		{"+78005553535", "Europe/Moscow", "", false, false}, // not Asia/Almaty
		{"+79401234567", "", "", false, true},
		{"+79071234567", "", "", false, true},
		{"+493012345678", "Europe/Berlin", "", false, false},
	}
	for _, tt := range tests {
		res := norm.Cell(tt.cell)
		if len(res) != 1 || res[0].Reason != phone.OK {
			t.Fatalf("%s does not normalize: %+v", tt.cell, res)
		}
		p := l.Place(res[0].Number)
		if p.ZoneList() != tt.zones || !strings.Contains(p.Region, tt.region) ||
			(p.Operator != "") != tt.operator || p.Unallocated != tt.unallocated {
			t.Errorf("Place(%s) = %+v; want zones %q, region ~%q, operator %v, unallocated %v",
				tt.cell, p, tt.zones, tt.region, tt.operator, tt.unallocated)
		}
	}
}

func TestMultiZoneTerritory(t *testing.T) {
	// Nationwide ranges ("Российская Федерация") ring anywhere: every zone.
	l := New(numplan.Embedded())
	for r := range l.Plan().Ranges() {
		if r.Territory != "Российская Федерация" {
			continue
		}
		p := l.Place(phone.Number{E164: "+" + strconv.FormatUint(r.From, 10), Country: "RU", Type: phone.Mobile})
		if len(p.Zones) < 2 || !slices.Contains(p.Zones, "Europe/Moscow") || !slices.Contains(p.Zones, "Asia/Kamchatka") {
			t.Errorf("nationwide range %s: zones %v", r, p.Zones)
		}
		return
	}
	t.Fatal("the embedded plan has no nationwide range")
}

func BenchmarkPlace(b *testing.B) {
	l := New(numplan.Embedded())
	n := phone.Number{E164: "+79241234567", Country: "RU", Type: phone.Mobile}
	for b.Loop() {
		l.Place(n)
	}
}
