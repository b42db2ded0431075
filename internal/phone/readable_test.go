package phone

import (
	"fmt"
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
