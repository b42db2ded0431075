package phone

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// want is one expected result; Text is checked only when set.
type want struct {
	E164    string
	Ext     string
	Type    Type
	Country string
	Reason  Reason
	Text    string
}

func mob(e164 string) want   { return want{E164: e164, Type: Mobile, Country: "RU"} }
func fixed(e164 string) want { return want{E164: e164, Type: Fixed, Country: "RU"} }
func num(e164 string, t Type, country string) want {
	return want{E164: e164, Type: t, Country: country}
}
func rej(r Reason) want { return want{Reason: r} }

func (w want) ext(ext string) want   { w.Ext = ext; return w }
func (w want) text(text string) want { w.Text = text; return w }

var (
	mobile916 = mob("+79161234567")
	mobile903 = mob("+79031234567")
	moscow    = fixed("+74951234567")
)

// cellCases is what purchased Russian bases really hold. It also seeds FuzzCell.
var cellCases = []struct {
	cell string
	want []want
}{
	// One mobile, written every way people write it.
	{"+7 (916) 123-45-67", []want{mobile916.text("+7 (916) 123-45-67")}},
	{"8 916 123 45 67", []want{mobile916}},
	{"89161234567", []want{mobile916}},
	{"9161234567", []want{mobile916}},
	{"7-916-123-4567", []want{mobile916}},
	{"79161234567", []want{mobile916}},
	{"+79161234567", []want{mobile916}},
	{"8(916)1234567", []want{mobile916}},
	{"+7(916)123-45-67", []want{mobile916}},
	{"8-916-123-45-67", []want{mobile916}},
	{"8.916.123.45.67", []want{mobile916}},
	{"+7 916 1234567", []want{mobile916}},
	{"  +7 916 123 45 67  ", []want{mobile916.text("+7 916 123 45 67")}},
	{"8\u00a0916\u00a0123\u00a045\u00a067", []want{mobile916}},
	{"8 – 916 – 123 – 45 – 67", []want{mobile916}},
	{"'89161234567", []want{mobile916}},
	{`="89161234567"`, []want{mobile916}},
	{"+ 7 916 123 45 67", []want{mobile916}},
	{"(+7) 916 123-45-67", []want{mobile916}},

	// Labels before, names and comments after.
	{"тел. 8 916 123 45 67", []want{mobile916.text("тел. 8 916 123 45 67")}},
	{"Тел: +7 916 123-45-67", []want{mobile916}},
	{"моб. 89161234567", []want{mobile916}},
	{"мобильный: 8-916-123-45-67", []want{mobile916}},
	{"раб. 8 (495) 123-45-67", []want{moscow}},
	{"сот.89161234567", []want{mobile916}},
	{"tel: +7 916 123 45 67", []want{mobile916}},
	{"phone +79161234567", []want{mobile916}},
	{"+7 916 123-45-67 (моб.)", []want{mobile916.text("+7 916 123-45-67 (моб.)")}},
	{"89161234567 Иван", []want{mobile916}},
	{"8 916 1234567 (Иванова Мария)", []want{mobile916}},
	{"89161234567 (звонить после 18)", []want{mobile916}},
	{"89161234567 звонить после 18", []want{mobile916}},
	{"дом. 8 (4212) 45-67-89", []want{fixed("+74212456789")}},
	{"Тел/факс: 8 (495) 123-45-67", []want{moscow}},

	// Extensions are kept apart; the number is keyed without them.
	{"8 (4212) 45-67-89 доб. 12", []want{fixed("+74212456789").ext("12").text("8 (4212) 45-67-89 доб. 12")}},
	{"8 495 123-45-67 доб 123", []want{moscow.ext("123")}},
	{"8 (495) 123-45-67, доб. 1234", []want{moscow.ext("1234")}},
	{"8 (495) 123-45-67 (доб. 12)", []want{moscow.ext("12")}},
	{"+7 495 123-45-67 ext. 55", []want{moscow.ext("55")}},
	{"+7 495 123 45 67 x 101", []want{moscow.ext("101")}},
	{"+7 495 123 45 67 х101", []want{moscow.ext("101")}}, // Cyrillic х
	{"84951234567#7", []want{moscow.ext("7")}},
	{"8 495 123-45-67 вн. 3344", []want{moscow.ext("3344")}},
	{"8 495 123-45-67 внутр. 012", []want{moscow.ext("012")}},
	{"8 495 123-45-67 д. 12", []want{moscow.ext("12")}},
	{"8 495 123-45-67 Доб.12 Сергей", []want{moscow.ext("12")}},
	{"8 495 123-45-67 доб.", []want{moscow}},

	// Several numbers in one cell, in order.
	{"89161234567;84951234567", []want{mobile916.text("89161234567"), moscow.text("84951234567")}},
	{"89161234567, 84951234567", []want{mobile916, moscow}},
	{"8-916-123-45-67 / 8-495-123-45-67", []want{mobile916.text("8-916-123-45-67"), moscow.text("8-495-123-45-67")}},
	{"89161234567 | 89031234567", []want{mobile916, mobile903}},
	{"+7 916 123 45 67\n+7 903 123 45 67", []want{mobile916, mobile903}},
	{"89161234567\r\n89031234567", []want{mobile916, mobile903}},
	{"89161234567\t89031234567", []want{mobile916, mobile903}},
	{"89161234567 или 84951234567", []want{mobile916.text("89161234567"), moscow.text("84951234567")}},
	{"+79161234567 or +79031234567", []want{mobile916, mobile903}},
	{"89161234567 84951234567", []want{mobile916.text("89161234567"), moscow.text("84951234567")}},
	{"8 916 123-45-67 (495) 123-45-67", []want{mobile916.text("8 916 123-45-67"), moscow.text("(495) 123-45-67")}},
	{"моб. 8 916 123-45-67, раб. 8 (495) 123-45-67 доб. 12", []want{mobile916.text("моб. 8 916 123-45-67"), moscow.ext("12")}},
	{"89161234567, 89161234567", []want{mobile916, mobile916}},
	{"+79161234567+79031234567", []want{mobile916, mobile903}},
	{"89161234567, нет", []want{mobile916}},
	{"89161234567; 89031234567; 89261234567", []want{mobile916, mobile903, mob("+79261234567")}},
	{"8 (495) 123-45-67, 123-45-68", []want{moscow, rej(TooShort).text("123-45-68")}},
	{"89161234567 8 (495) 123-45-67 доб. 5", []want{mobile916, moscow.ext("5")}},
	{"1) 89161234567; 2) 89031234567", []want{mobile916.text("1) 89161234567"), mobile903}},
	{"1. 8 916 123-45-67", []want{mobile916}},
	{"(8) 916 123-45-67", []want{mobile916}},
	{"8. 916 123 45 67", []want{mobile916}},
	{"89161234567 (Иван, Петр)", []want{mobile916.text("89161234567 (Иван, Петр)")}},
	{"89161234567 - 89031234567", []want{mobile916, mobile903}},
	{"8 916 123 45 67 89 03 123 45 67", []want{mobile916, mobile903}},

	// International: the 810 and 00 prefixes, and + numbers of other countries.
	{"810 375 29 123-45-67", []want{num("+375291234567", Mobile, "BY")}},
	{"8 10 375 29 123 45 67", []want{num("+375291234567", Mobile, "BY")}},
	{"8-10-49-30-1234567", []want{num("+49301234567", Fixed, "DE")}},
	{"00 49 30 1234567", []want{num("+49301234567", Fixed, "DE")}},
	{"+375 29 123-45-67", []want{num("+375291234567", Mobile, "BY")}},
	{"+380 50 123 4567", []want{num("+380501234567", Mobile, "UA")}},
	{"+49 30 1234567", []want{num("+49301234567", Fixed, "DE")}},
	{"+77011234567", []want{num("+77011234567", Mobile, "KZ")}},
	{"87011234567", []want{num("+77011234567", Mobile, "KZ")}},
	{"+998 90 123 45 67", []want{num("+998901234567", Mobile, "UZ")}},
	{"+1 650 253 0000", []want{num("+16502530000", FixedOrMobile, "US")}},
	{"+44 20 7946 0958", []want{num("+442079460958", Fixed, "GB")}},
	{"+49 (0) 30 1234567", []want{num("+49301234567", Fixed, "DE")}},
	{"+7 (8) 916 123-45-67", []want{mobile916}},

	// Toll free.
	{"8-800-555-35-35", []want{num("+78005553535", TollFree, "RU")}},
	{"8 (800) 200-06-00", []want{num("+78002000600", TollFree, "RU")}},
	{"+7 800 555 35 35", []want{num("+78005553535", TollFree, "RU")}},

	// Spreadsheet floats: recovered while every digit is there.
	{"79161234567.0", []want{mobile916.text("79161234567.0")}},
	{"79161234567,0", []want{mobile916}},
	{"89161234567.00", []want{mobile916}},
	{"7.9161234567E+10", []want{mobile916}},
	{"7,9161234567E10", []want{mobile916}},
	{"8.9161234567e+10", []want{mobile916}},
	{"9.161234567E+9", []want{mobile916}},
	{"7.91612E+10", []want{rej(DigitsLost).text("7.91612E+10")}},
	{"7,91612E+10", []want{rej(DigitsLost)}},
	{"7.916123456E+10", []want{rej(DigitsLost)}},
	{"7.91612345678E+10", []want{rej(Invalid)}},
	{"7.91612E+10; 89031234567", []want{rej(DigitsLost), mobile903}},

	// Rejects, each with its own reason.
	{"", []want{rej(Empty)}},
	{"   ", []want{rej(Empty)}},
	{"\t\n", []want{rej(Empty)}},
	{"-", []want{rej(NoDigits).text("-")}},
	{"нет", []want{rej(NoDigits).text("нет")}},
	{"тел.", []want{rej(NoDigits)}},
	{"12-34", []want{rej(TooShort).text("12-34")}},
	{"123456", []want{rej(TooShort)}},
	{"123-45-67", []want{rej(TooShort)}},
	{"8 916 123 45 6", []want{rej(TooShort)}},
	{"+7 916 123 45", []want{rej(TooShort)}},
	{"(звонить после 18)", []want{rej(TooShort)}},
	{"12-34, 56-78", []want{rej(TooShort).text("12-34"), rej(TooShort).text("56-78")}},
	{"891612345678", []want{rej(TooLong)}},
	{"8 916 123 45 67 8", []want{rej(TooLong)}},
	{"+7 916 123 45 67 89", []want{rej(TooLong)}},
	{"1234567890123456789012345", []want{rej(TooLong)}},
	{"+7 000 000-00-00", []want{rej(Invalid)}},
	{"8 000 000 00 00", []want{rej(Invalid)}},
	{"+999 123 456 789", []want{rej(Invalid)}},
	{"+79401234567", []want{mob("+79401234567")}}, // phonenumbers says RU mobiles are 9\d{9}
}

func TestCell(t *testing.T) {
	nz := newRU(t)
	for _, tc := range cellCases {
		got := nz.Cell(tc.cell)
		if len(got) != len(tc.want) {
			t.Errorf("Cell(%q) = %d results %v, want %d", tc.cell, len(got), got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			g := got[i]
			if g.E164 != w.E164 || g.Ext != w.Ext || g.Type != w.Type || g.Country != w.Country || g.Reason != w.Reason {
				t.Errorf("Cell(%q)[%d] = {%s %q %s %s %s}, want {%s %q %s %s %s}", tc.cell, i,
					g.E164, g.Ext, g.Type, g.Country, g.Reason, w.E164, w.Ext, w.Type, w.Country, w.Reason)
			}
			if w.Text != "" && g.Text != w.Text {
				t.Errorf("Cell(%q)[%d].Text = %q, want %q", tc.cell, i, g.Text, w.Text)
			}
		}
	}
}

func TestCellBounded(t *testing.T) {
	nz := newRU(t)
	long := strings.Repeat("9", 1000)
	got := nz.Cell(long)
	if len(got) != 1 || got[0].Reason != TooLong || len(got[0].Text) > maxText+len("…") {
		t.Errorf("Cell(1000 digits) = %v, want one TooLong with clipped text", got)
	}

	many := strings.Repeat("89161234567;", 3*MaxResults)
	got = nz.Cell(many)
	if len(got) != MaxResults+1 {
		t.Fatalf("Cell(%d numbers) gave %d results, want %d", 3*MaxResults, len(got), MaxResults+1)
	}
	for _, r := range got[:MaxResults] {
		if r.E164 != "+79161234567" {
			t.Errorf("result %v, want +79161234567", r)
		}
	}
	if last := got[MaxResults]; last.Reason != TooLong {
		t.Errorf("last result %v, want TooLong for the rest of the cell", last)
	}

	// Shapes that would make a careless scanner quadratic: 200 KB each must
	// take milliseconds, not minutes.
	for _, unit := range []string{"1 ", "(", "1(", "7.", "1) ", ", ", "8 916 (", "+", "доб. ", "(а 1"} {
		cell := "1 " + strings.Repeat(unit, 200_000/len(unit)) + "1"
		start := time.Now()
		got := nz.Cell(cell)
		if len(got) == 0 || len(got) > MaxResults+1 {
			t.Errorf("Cell(%q × many) gave %d results", unit, len(got))
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Cell(%q × many) took %v", unit, d)
		}
	}
}

func TestAppendCellKeepsDst(t *testing.T) {
	nz := newRU(t)
	dst := nz.Cell("89161234567")
	dst = nz.AppendCell(dst, "12-34; 84951234567, 89031234567 Иван")
	want := []string{"+79161234567", "+74951234567", "+79031234567"}
	if len(dst) != len(want) {
		t.Fatalf("got %v, want %v", dst, want)
	}
	for i, w := range want {
		if dst[i].E164 != w {
			t.Errorf("dst[%d] = %s, want %s", i, dst[i].E164, w)
		}
	}
}

func TestNewNormalizer(t *testing.T) {
	for _, region := range []string{"RU", "ru", " KZ ", "BY", "US"} {
		if _, err := NewNormalizer(region); err != nil {
			t.Errorf("NewNormalizer(%q): %v", region, err)
		}
	}
	for _, region := range []string{"", "XX", "RUS", "001", "7"} {
		if _, err := NewNormalizer(region); !errors.Is(err, ErrUnknownRegion) {
			t.Errorf("NewNormalizer(%q) = %v, want ErrUnknownRegion", region, err)
		}
	}
}

func TestOtherRegion(t *testing.T) {
	nz, err := NewNormalizer("BY")
	if err != nil {
		t.Fatal(err)
	}
	for cell, e164 := range map[string]string{
		"+7 916 123-45-67": "+79161234567",
		"8 029 123-45-67":  "+375291234567",
		"29 123-45-67":     "+375291234567",
	} {
		if got := nz.Cell(cell); len(got) != 1 || got[0].E164 != e164 {
			t.Errorf("BY Cell(%q) = %v, want %s", cell, got, e164)
		}
	}
}

func TestReadable(t *testing.T) {
	nz := newRU(t)
	for e164, want := range map[string]string{
		"+79161234567":  "8 (916) 123-45-67",
		"+78005553535":  "8 (800) 555-35-35",
		"+74951234567":  "8 (495) 123-45-67",
		"+375291234567": "+375 29 123-45-67",
		"+77011234567":  "+7 701 123 4567",
		"garbage":       "garbage",
	} {
		if got := nz.Readable(e164); got != want {
			t.Errorf("Readable(%q) = %q, want %q", e164, got, want)
		}
	}
}

// TestKey: the key is what strconv.ParseUint makes of the digits, 0 when
// they are not all digits.
func TestKey(t *testing.T) {
	for _, e164 := range []string{"+79161234567", "+4930123456", "+999999999999999", "79161234567",
		"", "+", "+7916a234567", "+7 916", "++7916", "+-7916", "+18446744073709551615", "+18446744073709551616",
		"+99999999999999999999", "+1234567890123456789"} {
		n := Number{E164: e164, Ext: "12"}
		want, _ := strconv.ParseUint(strings.TrimPrefix(e164, "+"), 10, 64)
		if got := n.Key(); got != want {
			t.Errorf("Key(%q) = %d, want %d", e164, got, want)
		}
	}
}

// TestNamesAreDistinct: reasons and types are stored and reported by name.
func TestNamesAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for r := OK; r <= DigitsLost; r++ {
		seen[r.String()] = true
	}
	for ty := Unknown; ty <= Voicemail; ty++ {
		seen[ty.String()] = true
	}
	if want := int(DigitsLost) + 1 + int(Voicemail) + 1; len(seen) != want {
		t.Errorf("%d distinct names, want %d", len(seen), want)
	}
}

func newRU(t testing.TB) *Normalizer {
	t.Helper()
	nz, err := NewNormalizer("RU")
	if err != nil {
		t.Fatal(err)
	}
	return nz
}

// newColdRU returns a Russian normalizer that learns alone: its answers
// come from the parser and its own learning, not from what other
// normalizers of the test binary learned.
func newColdRU(t testing.TB) *Normalizer {
	nz := newRU(t)
	nz.alone = true
	return nz
}

// parse takes a number's type being known for its validity, as
// phonenumbers' code has it (IsValidNumber and GetNumberType both match
// the number against its own region's patterns). This holds the two to
// each other on the example numbers of every region and type, on numbers
// near them, and on random digits after every country code, so that a
// release of phonenumbers that parts them fails here.
func TestTypeTellsValidity(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var inputs []string
	for region := range phonenumbers.GetSupportedRegions() {
		for typ := phonenumbers.FIXED_LINE; typ <= phonenumbers.VOICEMAIL; typ++ {
			if ex := phonenumbers.GetExampleNumberForType(region, typ); ex != nil {
				e164 := phonenumbers.Format(ex, phonenumbers.E164)
				inputs = append(inputs, e164, e164[:len(e164)-1], e164+"1", e164[:len(e164)-2]+strconv.Itoa(10+rng.IntN(90)))
			}
		}
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		for n := 4; n <= 14; n++ {
			digits := make([]byte, n)
			for i := range digits {
				digits[i] = byte('0' + rng.IntN(10))
			}
			inputs = append(inputs, "+"+strconv.Itoa(cc)+string(digits))
		}
	}
	valid := 0
	for _, in := range inputs {
		pn, err := phonenumbers.Parse(in, "RU")
		if err != nil {
			continue
		}
		v, typ := phonenumbers.IsValidNumber(pn), phonenumbers.GetNumberType(pn)
		if v != (typ != phonenumbers.UNKNOWN) {
			t.Errorf("%s: valid %v, type %v", in, v, typ)
		}
		if v {
			valid++
		}
	}
	if valid < len(inputs)/5 {
		t.Errorf("only %d of %d numbers valid: the test tells little", valid, len(inputs))
	}
}
