package numplan

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustParse(t testing.TB, name, data string) *File {
	t.Helper()
	f, err := Parse(name, strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewOverlapAcrossFiles(t *testing.T) {
	a := mustParse(t, "a.csv", "900;0;99;100;Т2;Краснодарский край\n900;100;199;100;Т2;Краснодарский край\n")
	b := mustParse(t, "b.csv", "901;0;99;100;Т2;Краснодарский край\n900;150;150;1;Т2;Краснодарский край\n")
	_, err := New("2026-08", a, b)
	const want = "b.csv:2: range 900 0000150-0000150 overlaps range 900 0000100-0000199 at a.csv:2"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n got %v\nwant %s", err, want)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != "b.csv" || pe.Line != 2 {
		t.Errorf("error %#v", err)
	}
	// Hand-made ranges: no lines, still named.
	_, err = New("x", &File{Name: "x", Ranges: []Range{{From: 79000000000, To: 79000000010}, {From: 79000000005, To: 79000000006}}})
	if err == nil || !strings.Contains(err.Error(), "overlaps range 900 0000000-0000010 of x") {
		t.Errorf("error = %v", err)
	}
	_, err = New("x", &File{Name: "x", Ranges: []Range{{From: 79009999999, To: 79010000000}}})
	if err == nil || !strings.Contains(err.Error(), "spans two ABC/DEF codes") {
		t.Errorf("error = %v", err)
	}
	if _, err = New("x"); err == nil {
		t.Error("a plan of no files")
	}
}

func TestPlanFromFiles(t *testing.T) {
	p, err := New("2026-09", parseTestdata(t, "def-8col.csv"), parseTestdata(t, "abc-4xx.csv"), parseTestdata(t, "abc-3xx.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Source: "def-8col.csv, abc-4xx.csv, abc-3xx.csv", Date: "2026-09", DEF: 5, ABC: 4, Operators: 6, Territories: 9}
	if p.Info() != want {
		t.Errorf("Info = %+v, want %+v", p.Info(), want)
	}
	for _, tt := range []struct {
		e164   uint64
		covers bool
		zone   string // "" not found
	}{
		{79000000000, true, "Europe/Moscow"}, // first number of the first range
		{79000061999, true, "Europe/Moscow"}, // last number of it
		{79000063000, true, ""},              // just after the second
		{79169999999, true, "Europe/Moscow"},
		{74012123456, true, "Europe/Kaliningrad"},
		{73832012345, true, "Asia/Novosibirsk"},
		{73832200000, true, ""},
		{74951099999, true, "Europe/Moscow"},
		{78123456789, false, ""}, // no ABC-8xx file
		{77012345678, false, ""}, // +7 7xx is Kazakhstan
		{7916123456, false, ""},  // too short
		{790000000000, false, ""},
		{0, false, ""},
	} {
		r, ok := p.Lookup(tt.e164)
		if ok != (tt.zone != "") || ok && r.Zones[0] != tt.zone || p.Covers(tt.e164) != tt.covers {
			t.Errorf("%d: Lookup = %v %v, %v; Covers = %v; want %q, covers %v", tt.e164, r, r.Zones, ok, p.Covers(tt.e164), tt.zone, tt.covers)
		}
	}
	var n int
	for r := range p.Ranges() {
		if n > 0 && r.From == 73433000000 {
			t.Error("Ranges is not sorted")
		}
		n++
	}
	if n != p.Len() || n != 9 {
		t.Errorf("Ranges yields %d, Len %d", n, p.Len())
	}
}

func TestCoversEmbedded(t *testing.T) {
	p := Embedded()
	if !p.Covers(79401234567) || p.Covers(74951234567) || p.Covers(73832123456) || p.Covers(78121234567) {
		t.Error("the embedded plan covers DEF +7 9xx, and only that")
	}
}

func TestReplace(t *testing.T) {
	abc, err := New("2026-09", parseTestdata(t, "abc-4xx.csv"))
	if err != nil {
		t.Fatal(err)
	}
	p := Embedded().Replace(abc)
	info := p.Info()
	if info.Source != "abc-4xx.csv + embedded" || info.Date != "2026-09" || info.DEF != Embedded().Info().DEF || info.ABC != 2 {
		t.Errorf("Info = %+v", info)
	}
	if r, ok := p.Lookup(74012123456); !ok || r.Zones[0] != "Europe/Kaliningrad" {
		t.Errorf("ABC range lost: %v %v", r, ok)
	}
	if r, ok := p.Lookup(79241234567); !ok || r.Zones[0] != "Asia/Vladivostok" {
		t.Errorf("DEF range lost: %v %v", r, ok)
	}
	if !p.Covers(74951234567) || p.Covers(73832123456) {
		t.Error("coverage")
	}
	// A newer DEF file replaces the DEF ranges and keeps the ABC ones.
	def, err := New("2026-10", parseTestdata(t, "def-7col.csv"))
	if err != nil {
		t.Fatal(err)
	}
	q := p.Replace(def)
	if q.Info().DEF != 3 || q.Info().ABC != 2 {
		t.Errorf("Info = %+v", q.Info())
	}
	if _, ok := q.Lookup(79241234567); ok {
		t.Error("the old DEF ranges are kept")
	}
	if Embedded().Replace(def) != def {
		t.Error("a plan of every kind replaced is not the new one")
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	plans := []*Plan{Embedded()}
	p, err := New("2026-09", parseTestdata(t, "def-8col.csv"), parseTestdata(t, "abc-4xx.csv"), parseTestdata(t, "def-6col-cp1251.csv"))
	if err == nil {
		t.Fatal("def-8col.csv and def-6col-cp1251.csv overlap, and New took them")
	}
	p, err = New("2026-09", parseTestdata(t, "def-8col.csv"), parseTestdata(t, "abc-4xx.csv"))
	if err != nil {
		t.Fatal(err)
	}
	plans = append(plans, p, Embedded().Replace(p))
	for _, p := range plans {
		b, err := p.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		q, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Errorf("%s: round trip differs: %+v", p.Info().Source, q.Info())
		}
		b2, _ := q.MarshalBinary()
		if !bytes.Equal(b, b2) {
			t.Errorf("%s: encoding is not stable", p.Info().Source)
		}
	}
}

func TestDecodeCorrupt(t *testing.T) {
	p, err := New("2026-09", parseTestdata(t, "def-8col.csv"))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := p.MarshalBinary()
	cases := map[string][]byte{
		"empty":     nil,
		"magic":     []byte("numplan"),
		"version":   append([]byte("numplan\x09"), good[8:]...),
		"not gzip":  []byte("numplan\x01hello"),
		"truncated": good[:len(good)-5],
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	cases["flipped"] = flipped
	for name, data := range cases {
		if _, err := Decode(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// FuzzDecode: damaged data (past gzip's checksum) is an error, never a panic.
func FuzzDecode(f *testing.F) {
	p, err := New("2026-09", parseTestdata(f, "def-8col.csv"), parseTestdata(f, "abc-4xx.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p.appendRaw(nil))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := decodeRaw(raw)
		if err != nil {
			return
		}
		if q, err := decodeRaw(p.appendRaw(nil)); err != nil || !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip: %v", err)
		}
		for r := range p.Ranges() {
			if got, ok := p.Lookup(r.To); !ok || got.From != r.From {
				t.Fatalf("Lookup(%d) = %v, %v", r.To, got, ok)
			}
		}
	})
}

func TestZones(t *testing.T) {
	for _, tt := range []struct {
		territory string
		want      []string
	}{
		{"Приморский край", []string{"Asia/Vladivostok"}},
		{"приморский  КРАЙ", []string{"Asia/Vladivostok"}},
		{"Кемеровская обл.", []string{"Asia/Novokuznetsk"}},
		{"Санкт - Петербург и Ленинградская область", moscow},
		{"г. Норильск|г.о. город Норильск|Красноярский край", []string{"Asia/Krasnoyarsk"}},
		{"г. Норильск|Красноярский край", []string{"Asia/Krasnoyarsk"}},
		{"Агинский Бурятский автономный округ (Читинская область) |Забайкальский край", []string{"Asia/Chita"}},
		{"Ий |Тоджинский |Республика Тыва", []string{"Asia/Krasnoyarsk"}},
		{"Республика Татарстан (Татарстан)", moscow},
		{"Республика Крым * г. Севастополь", []string{"Europe/Simferopol"}},
		{"Калининградская область, Камчатский край", []string{"Asia/Kamchatka", "Europe/Kaliningrad"}},
		{"Самарская область|Оренбургская область", []string{"Asia/Yekaterinburg", "Europe/Samara"}},
		{"Российская Федерация", allRF},
		{"Атлантида", nil},
		{"", nil},
		{"-", nil},
	} {
		if got := Zones(tt.territory); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Zones(%q) = %q, want %q", tt.territory, got, tt.want)
		}
	}
	z := Zones("Приморский край")
	z[0] = "changed"
	if Zones("Приморский край")[0] != "Asia/Vladivostok" {
		t.Error("Zones returns the table's own slice")
	}
}

// TestZoneTable: every zone of the tables loads, and the shared table's one unknown,
// "Российская Федерация ?", is overridden.
func TestZoneTable(t *testing.T) {
	for key, zones := range zoneTable() {
		if len(zones) == 0 {
			t.Errorf("%q: no zone", key)
		}
		for _, z := range zones {
			if _, err := time.LoadLocation(z); err != nil {
				t.Errorf("%q: %v", key, err)
			}
		}
	}
}

func TestLandlineZones(t *testing.T) {
	for _, tt := range []struct {
		e164 uint64
		pn   []string
		want []string
	}{
		{74012123456, []string{"Europe/Bucharest"}, []string{"Europe/Kaliningrad"}},
		{73832123456, []string{"Asia/Novosibirsk"}, []string{"Asia/Novosibirsk"}},
		{74951234567, []string{"Europe/Moscow", "Europe/Moscow"}, moscow},
		{73512123456, []string{"Etc/Unknown"}, nil},
		{74402123456, nil, nil},
	} {
		if got := LandlineZones(tt.e164, tt.pn); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LandlineZones(%d, %q) = %q, want %q", tt.e164, tt.pn, got, tt.want)
		}
	}
}
