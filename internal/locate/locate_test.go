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

// TestLandlineCache: the area code the cache keys on decides area and
// zones for every Russian landline and 8-800 number. For each code, valid
// numbers under each digit that follows it, and more at random, are placed
// as the code's first is; and the cache answers as placing directly does.
func TestLandlineCache(t *testing.T) {
	norm, err := phone.NewNormalizer("RU")
	if err != nil {
		t.Fatal(err)
	}
	l := New(numplan.Embedded())
	rng := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for code := uint64(300); code < 900; code++ {
		if code/100 == 5 || code/100 == 6 || code/100 == 7 {
			continue
		}
		var first *Place
		for i := range 40 {
			national := code*1e7 + rng.Uint64N(1e7)
			if i < 20 { // the next digit in turn
				national = code*1e7 + uint64(i%10)*1e6 + rng.Uint64N(1e6)
			}
			res := norm.AppendCell(nil, "+7"+strconv.FormatUint(national, 10))
			if len(res) != 1 || res[0].Reason != phone.OK {
				continue // only valid numbers are placed
			}
			n := res[0].Number
			direct := landline(n.Key(), n.E164)
			if first == nil {
				first = &direct
			} else if direct.Region != first.Region || direct.ZoneList() != first.ZoneList() {
				t.Fatalf("%s: placed %+v, the first of its area code %+v", n.E164, direct, *first)
			}
			if _, ok := l.plan.Lookup(n.Key()); !ok {
				if got := l.Place(n); got.Region != direct.Region || got.ZoneList() != direct.ZoneList() {
					t.Fatalf("%s: cached %+v, direct %+v", n.E164, got, direct)
				}
			}
			checked++
		}
	}
	if checked < 3000 {
		t.Fatalf("only %d valid numbers checked", checked)
	}
	t.Logf("%d numbers checked", checked)
}

func TestAreaCode(t *testing.T) {
	for _, tc := range []struct {
		e164 string
		want int
	}{
		{"+74951234567", 495},
		{"+78001000000", 800},
		{"+70000001", 0},
		{"+749", -1}, // too short
		{"+74a5234567", -1},
	} {
		if got := areaCode(tc.e164); got != tc.want {
			t.Errorf("areaCode(%q) = %d, want %d", tc.e164, got, tc.want)
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

// TestPlaceID: the places of one ID are equal, places of the plan and
// of landlines never share an ID, and only Russian numbers placed by the
// plan or by area code have one.
func TestPlaceID(t *testing.T) {
	norm, err := phone.NewNormalizer("RU")
	if err != nil {
		t.Fatal(err)
	}
	l := New(numplan.Embedded())
	rng := rand.New(rand.NewPCG(3, 4))
	byID := map[uint32]Place{}
	ids := 0
	for range 200_000 {
		var cell string
		switch rng.IntN(4) {
		case 0, 1: // a mobile, in the plan or not
			cell = "+79" + strconv.FormatUint(rng.Uint64N(1e9), 10)
		case 2: // a landline
			cell = "+7" + strconv.Itoa(300+rng.IntN(600)) + strconv.FormatUint(1e6+rng.Uint64N(9e6), 10)
		default: // foreign
			cell = "+375" + strconv.Itoa(25+rng.IntN(20)) + strconv.FormatUint(1e6+rng.Uint64N(9e6), 10)
		}
		res := norm.Cell(cell)
		if len(res) != 1 || res[0].Reason != phone.OK {
			continue
		}
		n := res[0].Number
		p := l.Place(n)
		if (p.ID != 0) != (n.Country == "RU" && !p.Unallocated) {
			t.Fatalf("%s: %+v has ID %d", n.E164, p, p.ID)
		}
		if p.ID == 0 {
			continue
		}
		if _, inPlan := l.plan.Lookup(n.Key()); inPlan != (int(p.ID) <= l.plan.Places()) {
			t.Fatalf("%s: in the plan %v, ID %d of %d places", n.E164, inPlan, p.ID, l.plan.Places())
		}
		if q, ok := byID[p.ID]; !ok {
			byID[p.ID] = p
		} else if q.Operator != p.Operator || q.Region != p.Region || q.ZoneList() != p.ZoneList() {
			t.Fatalf("%s: ID %d is %+v and %+v", n.E164, p.ID, q, p)
		}
		ids++
	}
	if ids < 50_000 || len(byID) < 500 {
		t.Fatalf("only %d numbers of %d IDs checked", ids, len(byID))
	}
}
