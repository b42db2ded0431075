package locate

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// TestLandlineCache: the first digits the cache keys on decide area and
// zones for every Russian landline and 8-800 code.
func TestLandlineCache(t *testing.T) {
	l := New(numplan.Embedded())
	rng := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for code := 300; code < 900; code++ {
		if code/100 == 5 || code/100 == 6 || code/100 == 7 {
			continue
		}
		for range 20 {
			// Two numbers of one prefix: the second is answered from the cache.
			prefix := uint64(code)*1e3 + rng.Uint64N(1e3)
			first := phone.Number{E164: "+7" + strconv.FormatUint(prefix*1e4+rng.Uint64N(1e4), 10), Country: "RU"}
			n := phone.Number{E164: "+7" + strconv.FormatUint(prefix*1e4+rng.Uint64N(1e4), 10), Country: "RU"}
			l.Place(first)
			got := l.Place(n)
			want := landline(n.Key(), n.E164)
			if got.Region != want.Region || got.ZoneList() != want.ZoneList() {
				t.Fatalf("%s: cached %+v, direct %+v", n.E164, got, want)
			}
			checked++
		}
	}
	t.Logf("%d numbers checked", checked)
}

func TestSixDigits(t *testing.T) {
	for _, tc := range []struct {
		e164 string
		want int
	}{
		{"+74951234567", 495123},
		{"+78001000000", 800100},
		{"+70000001", 0},
		{"+749512", -1}, // too short
		{"+7495a234567", -1},
	} {
		if got := sixDigits(tc.e164); got != tc.want {
			t.Errorf("sixDigits(%q) = %d, want %d", tc.e164, got, tc.want)
		}
	}
}

// TestLandlineCacheConcurrent: goroutines placing the same landlines at
// once all get the place of each (run with -race).
func TestLandlineCacheConcurrent(t *testing.T) {
	l := New(numplan.Embedded())
	numbers := []string{"+74951234567", "+74012345678", "+73812345678", "+74232345678", "+78612345678"}
	want := make([]string, len(numbers))
	for i, e := range numbers {
		n := phone.Number{E164: e, Country: "RU"}
		p := landline(n.Key(), e)
		want[i] = p.Region + " " + p.ZoneList()
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for round := range 50 {
				i := (g + round) % len(numbers)
				p := l.Place(phone.Number{E164: numbers[i], Country: "RU"})
				if got := p.Region + " " + p.ZoneList(); got != want[i] {
					t.Errorf("%s: %q, want %q", numbers[i], got, want[i])
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkPlaceLandline: Russian landlines the plan does not cover,
// answered from the cache of their prefixes.
func BenchmarkPlaceLandline(b *testing.B) {
	l := New(numplan.Embedded())
	numbers := []phone.Number{{E164: "+74951234567", Country: "RU"}, {E164: "+73812345678", Country: "RU"},
		{E164: "+74232345678", Country: "RU"}, {E164: "+78612345678", Country: "RU"}}
	for b.Loop() {
		for _, n := range numbers {
			l.Place(n)
		}
	}
}
