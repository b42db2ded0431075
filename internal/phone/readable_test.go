package phone

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestReadableRUMatchesPhonenumbers holds the hand-written Russian format
// equal to phonenumbers' for every three-digit code it applies to.
func TestReadableRUMatchesPhonenumbers(t *testing.T) {
	checked := 0
	for code := 300; code < 1000; code++ {
		if code/100 == 5 || code/100 == 6 || code/100 == 7 {
			continue
		}
		for _, rest := range []string{"1234567", "2003040", "9999999"} {
			e164 := fmt.Sprintf("+7%d%s", code, rest)
			if num, err := phonenumbers.Parse(e164, ""); err != nil || !phonenumbers.IsValidNumber(num) {
				continue // Readable is given valid numbers only
			}
			checked++
			fast, ok := readableRU(e164)
			if !ok {
				t.Fatalf("readableRU(%s) declined", e164)
			}
			if slow := readable(e164, "RU"); fast != slow {
				t.Errorf("%s: %q, phonenumbers says %q", e164, fast, slow)
			}
		}
	}
	if checked < 500 {
		t.Errorf("only %d valid numbers checked", checked)
	}
	for _, e164 := range []string{"+77011234567", "+375291234567", "+7916123456", "+7916123456x"} {
		if s, ok := readableRU(e164); ok {
			t.Errorf("readableRU(%s) = %q, want it declined", e164, s)
		}
	}
}

// AppendReadable appends phonenumbers' readable form after what dst
// holds, for Russian, Kazakh, foreign and malformed numbers, from Russia
// and from elsewhere, meeting each number's block a first and a second
// time.
func TestAppendReadable(t *testing.T) {
	for _, region := range []string{"RU", "BY"} {
		nz, err := NewNormalizer(region)
		if err != nil {
			t.Fatal(err)
		}
		for _, e164 := range []string{"+79161234567", "+74951234567", "+78001234567", "+77011234567",
			"+375291234567", "+4930123456", "+7916123456", "+7916123456x", "+7", "", "x"} {
			want := "before:" + readable(e164, region)
			for range 2 {
				if got := string(nz.AppendReadable([]byte("before:"), e164)); got != want {
					t.Errorf("%s: AppendReadable(%s) = %q, want %q", region, e164, got, want)
				}
				if got := string(nz.AppendReadableBytes([]byte("before:"), []byte(e164))); got != want {
					t.Errorf("%s: AppendReadableBytes(%s) = %q, want %q", region, e164, got, want)
				}
			}
		}
	}
}

// Area builds Russian numbers without the parser; the parser must read
// them alike, for every four-digit prefix Russia uses, and the area must
// be the same.
func TestAreaMatchesParser(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	built := 0
	for p := range 10_000 {
		e164 := fmt.Sprintf("+7%04d%06d", p, rng.IntN(1_000_000))
		num := russianNumber(e164)
		if num == nil {
			continue
		}
		built++
		parsed, err := phonenumbers.Parse(e164, "")
		if err != nil {
			t.Fatalf("%s: %v", e164, err)
		}
		if parsed.GetCountryCode() != num.GetCountryCode() || parsed.GetNationalNumber() != num.GetNationalNumber() ||
			parsed.GetItalianLeadingZero() || parsed.GetExtension() != "" {
			t.Fatalf("%s: parser reads %v, built %v", e164, parsed, num)
		}
		want, _ := phonenumbers.GetGeocodingForNumber(parsed, "ru")
		if got := Area(e164); got != want {
			t.Fatalf("Area(%s) = %q, parser's number gives %q", e164, got, want)
		}
	}
	if built != 4000 {
		t.Errorf("built %d numbers, want one for each of 4000 prefixes", built)
	}
}
