package numplan

import (
	"bytes"
	"compress/gzip"
	"flag"
	"math/rand/v2"
	"os"
	"reflect"
	"sort"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "regenerate data/plan.bin from data/DEF-9xx.csv.gz")

// planFromCSV builds the embedded plan from the registry file it is generated from.
func planFromCSV(t testing.TB) *Plan {
	t.Helper()
	fh, err := os.Open("data/DEF-9xx.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("DEF-9xx.csv", zr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(EmbeddedDate, f)
	if err != nil {
		t.Fatal(err)
	}
	p.info.Source = "embedded"
	return p
}

// TestEmbedded checks that data/plan.bin is data/DEF-9xx.csv.gz as of EmbeddedDate;
// with -update it writes it.
func TestEmbedded(t *testing.T) {
	want := planFromCSV(t)
	if *update {
		b, err := want.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("data/plan.bin", b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote data/plan.bin: %d bytes; rebuild to embed it", len(b))
		return
	}
	got, err := Decode(embeddedData)
	if err != nil {
		t.Fatalf("data/plan.bin: %v\nTry: go test ./internal/numplan -run TestEmbedded -update", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("data/plan.bin (%+v) is not data/DEF-9xx.csv.gz (%+v)\nTry: go test ./internal/numplan -run TestEmbedded -update",
			got.Info(), want.Info())
	}
	info := Embedded().Info()
	wantInfo := Info{Source: "embedded", Date: "2026-08", DEF: 17059, ABC: 0, Operators: 86, Territories: 98, NoZone: 0}
	if info != wantInfo {
		t.Errorf("Info = %+v, want %+v", info, wantInfo)
	}
	t.Logf("embedded: %d bytes, %+v", len(embeddedData), info)
}

// TestEmbeddedZones: every range of the embedded plan has zones, and every zone loads
// (without system tzdata: the package imports time/tzdata).
func TestEmbeddedZones(t *testing.T) {
	loaded := map[string]bool{}
	for r := range Embedded().Ranges() {
		if len(r.Zones) == 0 {
			t.Errorf("%v %q: no zone", r, r.Territory)
		}
		for _, z := range r.Zones {
			if loaded[z] {
				continue
			}
			if _, err := time.LoadLocation(z); err != nil {
				t.Errorf("%v %q: %v", r, r.Territory, err)
			}
			loaded[z] = true
		}
	}
	if len(loaded) < 20 {
		t.Errorf("only %d zones", len(loaded))
	}
}

// TestNumberZones: zones across the country, as the registry has them.
func TestNumberZones(t *testing.T) {
	tests := []struct {
		e164      uint64
		zones     []string // nil: in no range, unallocated
		territory string
	}{
		{79161234567, moscow, "Город Москва, Московская область"},
		{79241234567, []string{"Asia/Vladivostok"}, "Приморский край"},
		{79841234567, []string{"Asia/Yakutsk"}, "Республика Саха (Якутия)"},
		{79131234567, []string{"Asia/Novokuznetsk"}, "Кемеровская область - Кузбасс"}, // 913 is Siberia, this range Kuzbass
		{79039300000, []string{"Asia/Novosibirsk"}, "Новосибирская область"},
		{79021234567, []string{"Europe/Ulyanovsk"}, "Ульяновская область"},
		{79022912345, []string{"Europe/Samara"}, "Самарская область"},
		{79018612345, []string{"Europe/Samara"}, "Удмуртская Республика"},
		{79003456789, []string{"Europe/Kaliningrad"}, "Калининградская область"},
		{79000412345, []string{"Asia/Yekaterinburg"}, "Свердловская область"},
		{79000212345, []string{"Asia/Yekaterinburg"}, "Челябинская область"},
		{79003912345, []string{"Asia/Yekaterinburg"}, "Ханты-Мансийский автономный округ - Югра"},
		{79018112345, []string{"Asia/Yekaterinburg"}, "Республика Башкортостан"},
		{79006712345, []string{"Asia/Omsk"}, "Омская область"},
		{79029112345, []string{"Asia/Krasnoyarsk"}, "Красноярский край"},
		{79095412345, []string{"Asia/Tomsk"}, "Томская область"},
		{79059812345, []string{"Asia/Barnaul"}, "Алтайский край"},
		{79008412345, []string{"Asia/Irkutsk"}, "Иркутская область"},
		{79141212345, []string{"Asia/Chita"}, "Забайкальский край"},
		{79098012345, []string{"Asia/Vladivostok"}, "Хабаровский край"},
		{79004312345, []string{"Asia/Sakhalin"}, "Сахалинская область"},
		{79004112345, []string{"Asia/Magadan"}, "Магаданская область"},
		{79004412345, []string{"Asia/Kamchatka"}, "Камчатский край"},
		{79140812345, []string{"Asia/Anadyr"}, "Чукотский автономный округ"},
		{79020412345, []string{"Europe/Saratov"}, "Саратовская область"},
		{79781512345, []string{"Europe/Simferopol"}, "Республика Крым, Город Севастополь"},
		{79006212345, moscow, "Город Санкт-Петербург, Ленинградская область"},
		{79541011234, allRF, "Российская Федерация"}, // satellite: every offset of the country
		{79401234567, nil, ""}, // 940 is not issued
		{79071234567, nil, ""}, // nor 907
	}
	p := Embedded()
	for _, tt := range tests {
		r, ok := p.Lookup(tt.e164)
		if ok != (tt.zones != nil) || !reflect.DeepEqual(r.Zones, tt.zones) || r.Territory != tt.territory {
			t.Errorf("Lookup(%d) = %v %q %v, %v; want %q %v", tt.e164, r, r.Territory, r.Zones, ok, tt.territory, tt.zones)
		}
		if !p.Covers(tt.e164) {
			t.Errorf("Covers(%d) = false", tt.e164)
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	p := Embedded()
	if n := testing.AllocsPerRun(1000, func() { p.Lookup(79241234567); p.Lookup(79401234567) }); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
}

func BenchmarkLookup(b *testing.B) {
	p := Embedded()
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, 1<<16)
	for i := range keys {
		keys[i] = 79_000_000_000 + rng.Uint64N(1_000_000_000)
	}
	b.ReportAllocs()
	found, i := 0, 0
	for b.Loop() {
		if _, ok := p.Lookup(keys[i&(len(keys)-1)]); ok {
			found++
		}
		i++
	}
	b.ReportMetric(float64(found)/float64(i), "found/op")
}

// BenchmarkEmbedded is the cost of the first Embedded call.
func BenchmarkEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(embeddedData); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse is the cost of reading a DEF file for numplan load.
func BenchmarkParse(b *testing.B) {
	data := readTestdata(b, "DEF-9xx_2020-08.csv.gz")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("DEF.csv", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLookupAgreesWithSearch holds the sliced index to a plain binary
// search of all the ranges: at both ends of every range and next to them,
// and at random numbers of the whole of +7; in the embedded plan, in
// hand-made ranges at the ends of +7, across slices and codes, and in an
// empty plan.
func TestLookupAgreesWithSearch(t *testing.T) {
	r := func(from, to uint64) Range {
		return Range{From: from, To: to, Operator: "Оператор", Territory: "Москва"}
	}
	made, err := New("x", &File{Name: "x", Ranges: []Range{r(first, first+5), r(first+999_999, first+1_000_001),
		r(74950000000, 74959999999), r(79161234567, 79161234567), r(last-10, last)}})
	if err != nil {
		t.Fatal(err)
	}
	empty := &Plan{} // New refuses to make one
	empty.finish()
	for name, p := range map[string]*Plan{"embedded": Embedded(), "made": made, "empty": empty} {
		want := func(n uint64) (int, bool) {
			i := sort.Search(len(p.to), func(i int) bool { return p.to[i] >= n })
			return i, i < len(p.to) && p.from[i] <= n
		}
		check := func(n uint64) {
			wi, wok := want(n)
			gi, gok := p.find(n)
			if gok != wok || gok && gi != wi {
				t.Fatalf("%s: find(%d) = %d, %v; want %d, %v", name, n, gi, gok, wi, wok)
			}
		}
		for i := range p.from {
			for _, n := range []uint64{p.from[i] - 1, p.from[i], p.from[i] + 1, p.to[i] - 1, p.to[i], p.to[i] + 1} {
				check(n)
			}
		}
		rng := rand.New(rand.NewPCG(3, 4))
		for range 100_000 {
			check(first + rng.Uint64N(last-first+1))
		}
		for _, n := range []uint64{first, last, first - 1, last + 1, 0, first + slice - 1, first + slice} {
			check(n)
		}
	}
}
