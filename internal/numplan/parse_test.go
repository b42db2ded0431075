package numplan

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readTestdata returns a file of testdata/, gunzipped if its name ends in .gz.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

func parseTestdata(t testing.TB, name string) *File {
	t.Helper()
	f, err := Parse(name, bytes.NewReader(readTestdata(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var (
	moscow  = []string{"Europe/Moscow"}
	allRF   = []string{"Asia/Irkutsk", "Asia/Kamchatka", "Asia/Krasnoyarsk", "Asia/Magadan", "Asia/Omsk", "Asia/Vladivostok", "Asia/Yakutsk", "Asia/Yekaterinburg", "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara"}
	t2      = `ООО "Т2 МОБАЙЛ"`
	mtsFull = `ПАО "Мобильные ТелеСистемы"`
)

func TestParseLayouts(t *testing.T) {
	tests := []struct {
		file   string
		format string
		ranges []Range
		lines  []int
	}{
		{"def-8col.csv", "8 columns, UTF-8 with BOM", []Range{
			{79000000000, 79000061999, t2, "Краснодарский край", moscow},
			{79000062000, 79000062999, t2, "Ростовская область", moscow},
			{79160000000, 79169999999, mtsFull, "Город Москва, Московская область", moscow},
			{79241200000, 79241399999, `ПАО "МегаФон"`, "Приморский край", []string{"Asia/Vladivostok"}},
			{79541010000, 79541019999, `ЗАО "ДЖИ ТИ ЭН ТИ"`, "Российская Федерация", allRF},
		}, []int{2, 3, 4, 6, 7}},
		{"def-7col.csv", "7 columns, UTF-8", []Range{ // 2023: ИНН, no Территория ГАР
			{79000000000, 79000061999, t2, "Краснодарский край", moscow},
			{79131200000, 79131399999, `ПАО "МТС"`, "Кемеровская обл.", []string{"Asia/Novokuznetsk"}},
			{79841000000, 79841249999, mtsFull, "Республика Саха /Якутия/", []string{"Asia/Yakutsk"}},
		}, []int{2, 3, 4}},
		{"def-6col-rfc.csv", "6 columns, UTF-8", []Range{ // RFC quotes, CRLF, a ';' inside quotes
			{79049500000, 79049509999, `ТМ "САТ`, "Российская Федерация", allRF},
			{79003450000, 79003549999, `ООО "Т2 Мобайл"`, "Калининградская обл.", []string{"Europe/Kaliningrad"}},
			{79141200000, 79141499999, `ПАО "МТС"; Забайкалье`, "Забайкальский край", []string{"Asia/Chita"}},
		}, []int{2, 3, 4}},
		{"def-6col-cp1251.csv", "6 columns, Windows-1251", []Range{ // 2014: numbers not padded
			{79000000000, 79000099999, "Телеком Евразия", "Краснодарский край", moscow},
			{79000100000, 79000199999, "Смоленская Сотовая Связь", "Тверская область", moscow},
			{79022900000, 79022999999, "Мегафон", "Самарская область", []string{"Europe/Samara"}},
			{79140800000, 79140829999, "МТС", "Чукотский АО", []string{"Asia/Anadyr"}},
			{79004350000, 79004449999, "Камчатка Сотовая", "Корякский автономный округ (Камчатская область) |Камчатский край", []string{"Asia/Kamchatka"}},
		}, []int{2, 3, 4, 5, 6}},
		{"def-noheader.csv", "8 columns, UTF-8", []Range{
			{79000000000, 79000061999, t2, "Краснодарский край", moscow},
			{79021200000, 79021239999, t2, "Ульяновская область", []string{"Europe/Ulyanovsk"}},
		}, []int{1, 2}},
		{"abc-4xx.csv", "8 columns, UTF-8", []Range{
			{74012100000, 74012199999, `ПАО "Ростелеком"`, "г. Калининград|г.о. город Калининград|Калининградская область", []string{"Europe/Kaliningrad"}},
			{74951000000, 74951099999, `ПАО "Московская городская телефонная сеть"`, "Город Москва", moscow},
		}, []int{2, 3}},
		{"abc-3xx.csv", `8 columns, UTF-8, separated by '\t'`, []Range{
			{73832000000, 73832099999, `ПАО "Ростелеком"`, "г. Новосибирск|г.о. город Новосибирск|Новосибирская область", []string{"Asia/Novosibirsk"}},
			{73433000000, 73433099999, `ПАО "Ростелеком"`, "г. Екатеринбург|г.о. город Екатеринбург|Свердловская область", []string{"Asia/Yekaterinburg"}},
		}, []int{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := parseTestdata(t, tt.file)
			if f.Format != tt.format {
				t.Errorf("Format = %q, want %q", f.Format, tt.format)
			}
			if !reflect.DeepEqual(f.Ranges, tt.ranges) {
				t.Errorf("Ranges:\n got %q\nwant %q", f.Ranges, tt.ranges)
			}
			if !reflect.DeepEqual(f.lines, tt.lines) {
				t.Errorf("lines = %v, want %v", f.lines, tt.lines)
			}
		})
	}
}

// TestParseLegacy reads the two older published copies of the DEF registry.
func TestParseLegacy(t *testing.T) {
	tests := []struct {
		file   string
		format string
		ranges int
		find   map[uint64]string // number -> territory
	}{
		{"DEF-9xx_2020-08.csv.gz", "6 columns, UTF-8", 7931, map[uint64]string{
			79161234567: "г. Москва и Московская область",
			79241234567: "Приморский край",
			79000350000: "Свердловская обл.",
		}},
		{"DEF-9xx_2014-11_cp1251.csv.gz", "6 columns, Windows-1251", 66002, map[uint64]string{
			79000000000: "Краснодарский край",
			79000350000: "Свердловская область",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := parseTestdata(t, tt.file)
			if f.Format != tt.format || len(f.Ranges) != tt.ranges {
				t.Errorf("got %s, %d ranges; want %s, %d", f.Format, len(f.Ranges), tt.format, tt.ranges)
			}
			p, err := New(strings.Split(tt.file, "_")[1][:7], f)
			if err != nil {
				t.Fatal(err)
			}
			if p.Info().NoZone != 0 {
				for r := range p.Ranges() {
					if len(r.Zones) == 0 {
						t.Errorf("%v %q: no zone", r, r.Territory)
					}
				}
			}
			for n, territory := range tt.find {
				if r, ok := p.Lookup(n); !ok || r.Territory != territory {
					t.Errorf("Lookup(%d) = %q, %v; want %q", n, r.Territory, ok, territory)
				}
			}
			t.Logf("%s: %+v", tt.file, p.Info())
		})
	}
}

func TestParseMalformed(t *testing.T) {
	const header = "АВС/ DEF;От;До;Емкость;Оператор;Регион;Территория ГАР;ИНН\n"
	const good = "900;0000000;0061999;62000;ООО \"Т2 МОБАЙЛ\";-;Краснодарский край;7743895280\n"
	tests := []struct {
		name, data, want string
	}{
		{"bad number", header + good + "900;00A2000;0062999;1000;Т2;-;Ростовская область;1\n",
			`bad.csv:3: От "00A2000" is not a number of up to 7 digits`},
		{"8 digits", header + good + "900;0062000;00629999;1000;Т2;-;Ростовская область;1\n",
			`bad.csv:3: До "00629999" is not a number of up to 7 digits`},
		{"code of 2 digits", header + "90;0062000;0062999;1000;Т2;-;Ростовская область;1\n",
			`bad.csv:2: АВС/ DEF code "90" is not 3 digits`},
		{"wrong column count", header + good + "\n900;0062000;0062999;1000;Т2\n",
			"bad.csv:4: 5 columns, want 8"},
		{"too many columns", header + good + "900;0062000;0062999;1000;Т2;-;Ростовская область;1;x\n",
			"bad.csv:3: 9 columns, want 8"},
		{"capacity mismatch", header + good + "900;0062000;0062999;1001;Т2;-;Ростовская область;1\n",
			"bad.csv:3: Емкость 1001 does not match От 0062000 До 0062999 (1000 numbers)"},
		{"reversed", header + "900;0062999;0062000;1000;Т2;-;Ростовская область;1\n",
			"bad.csv:2: От 0062999 is after До 0062000"},
		{"no operator", header + "900;0062000;0062999;1000;;-;Ростовская область;1\n",
			"bad.csv:2: Оператор is empty"},
		{"overlap", header + good + "900;0062000;0062999;1000;Т2;-;Ростовская область;1\n" +
			"900;0050000;0050999;1000;Т2;-;Ростовская область;1\n",
			"bad.csv:4: range 900 0050000-0050999 overlaps range 900 0000000-0061999 on line 2"},
		{"duplicate row", header + good + good, "bad.csv:3: range 900 0000000-0061999 overlaps range 900 0000000-0061999 on line 2"},
		{"binary junk", "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xa1\xb2\n\x01\x02",
			"bad.csv:1: binary data: not a CSV file"},
		{"junk text", "hello, world\n", "bad.csv:1: header has no АВС/ DEF column"},
		{"headerless 5 columns", "900;0;99;100;Т2\n", "bad.csv:1: 5 columns"},
		{"header lacks a column", "АВС/ DEF;От;До;Оператор;Регион\n", "bad.csv:1: header has no Емкость column"},
		{"empty", "", "bad.csv: no number ranges"},
		{"header only", header + "\n\n", "bad.csv: no number ranges"},
		{"BOM with bad UTF-8", "\xef\xbb\xbf" + header + "900;0;1;2;\xff\xfe;-;x;1\n", "bad.csv:2: starts with a UTF-8 byte-order mark"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("bad.csv", strings.NewReader(tt.data))
			if err == nil {
				t.Fatalf("no error; ranges %v", f.Ranges)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error:\n got %q\nwant %q", err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "bad.csv" {
				t.Errorf("error %v is not a *ParseError of bad.csv", err)
			}
		})
	}
}

// TestParseLenient: what real files hold that is not an error.
func TestParseLenient(t *testing.T) {
	const data = "\n" +
		"\"АВС/ DEF\";\"От\";\"До\";\"Емкость\";\"Оператор\";\"Регион\";;\n" + // quoted header, trailing empty columns
		"  900 ; 0 ; 99 ; 100 ;\"ООО \"Т2 МОБАЙЛ\"\";Краснодарский край;;\n" + // spaces, quotes not escaped
		";;;;;\n" + // an empty row
		"900;100;199;100;\"Вымпелком\" ПАО;-\n" // a field starting with a bare quote; region "-"
	f, err := Parse("ok.csv", strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Range{
		{79000000000, 79000000099, t2, "Краснодарский край", moscow},
		{79000000100, 79000000199, `"Вымпелком" ПАО`, "", nil},
	}
	if !reflect.DeepEqual(f.Ranges, want) {
		t.Errorf("Ranges:\n got %q\nwant %q", f.Ranges, want)
	}
	if !reflect.DeepEqual(f.lines, []int{3, 5}) {
		t.Errorf("lines = %v, want [3 5]", f.lines)
	}
}

func TestParseUTF16(t *testing.T) {
	const text = "АВС/ DEF\tОт\tДо\tЕмкость\tОператор\tРегион\r\n924\t1200000\t1399999\t200000\tМегаФон\tПриморский край\r\n"
	b := []byte{0xff, 0xfe}
	for _, r := range text {
		b = append(b, byte(r), byte(r>>8))
	}
	f, err := Parse("excel.txt", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Ranges) != 1 || f.Ranges[0].Zones[0] != "Asia/Vladivostok" || f.Format != `6 columns, UTF-16, separated by '\t'` {
		t.Errorf("got %s %q", f.Format, f.Ranges)
	}
}

func FuzzParse(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".csv") {
			f.Add(readTestdata(f, e.Name()))
		}
	}
	f.Add([]byte("900;0;99;100;\"a\"\"b\";x\n900;100;199;100;\"a\" b;\"x\n"))
	f.Add([]byte("\xff\xfe9\x000\x000\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.csv", bytes.NewReader(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.csv" {
				t.Fatalf("error %v is not a *ParseError of fuzz.csv", err)
			}
			return
		}
		p, err := New("fuzz", file)
		if err != nil {
			t.Fatalf("Parse accepted what New refuses: %v", err)
		}
		for i, r := range file.Ranges {
			got, ok := p.Lookup(r.From)
			if !ok || got.From != r.From || got.To != r.To || got.Operator != r.Operator {
				t.Fatalf("range %d %v: Lookup(%d) = %v, %v", i, r, r.From, got, ok)
			}
		}
		b, err := p.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		q, err := Decode(b)
		if err != nil || !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
