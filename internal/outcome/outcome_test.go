package outcome

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		word string
		want Outcome
	}{
		{"Недозвон", NoAnswer},
		{"Не дозвонились", NoAnswer},
		{"  не   ДОЗВОНИЛИСЬ. ", NoAnswer},
		{"Занято", Busy},
		{"Не существует", NotInService},
		{"Номер не обслуживается", NotInService},
		{"Отказ", Refused},
		{"Не интересно", Refused},
		{"Перезвонить", Callback},
		{"Продажа", Sale},
		{"Сделка", Sale},
		{"Неверный номер", WrongNumber},
		{"Не звонить", DoNotCall},
		{"не звонить!", DoNotCall},
		{"Автоответчик", Voicemail},
		{"answered", Answered},
		{"no answer", NoAnswer},
		{"NO_ANSWER", NoAnswer},
		{"busy", Busy},
		{"Do-Not-Call", DoNotCall},
		{"don't call", DoNotCall},
		{"wrong_number", WrongNumber},
		{"not_in_service", NotInService},
		{"не берёт трубку", NoAnswer},
		{"Заинтересован", Interested},
	} {
		got, err := Parse(c.word)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", c.word, got, err, c.want)
		}
	}
	// Every outcome's own name parses to itself.
	for _, o := range All {
		if got, err := Parse(string(o)); got != o || err != nil {
			t.Errorf("Parse(%q) = %q, %v", o, got, err)
		}
	}
}

func TestParseUnknown(t *testing.T) {
	for _, word := range []string{"", "   ", "Перезвонил клиенту вчера", "maybe", "занятно", strings.Repeat("x", 10000)} {
		got, err := Parse(word)
		if !errors.Is(err, ErrUnknown) || got != "" {
			t.Errorf("Parse(%.20q) = %q, %v; want ErrUnknown", word, got, err)
			continue
		}
		if utf8.RuneCountInString(err.Error()) > 400 {
			t.Errorf("error for a long word is %d runes long", utf8.RuneCountInString(err.Error()))
		}
	}
}

func TestUnanswered(t *testing.T) {
	var n []Outcome
	for _, o := range All {
		if o.Unanswered() {
			n = append(n, o)
		}
	}
	if len(n) != 3 || n[0] != NoAnswer || n[1] != Busy || n[2] != Voicemail {
		t.Errorf("unanswered outcomes %v", n)
	}
}

func FuzzParse(f *testing.F) {
	for _, w := range []string{"Недозвон", "no answer", "НЕ ЗВОНИТЬ!!", "ё", "\xff\xfe", ""} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, word string) {
		o, err := Parse(word)
		if err != nil {
			if o != "" || !errors.Is(err, ErrUnknown) {
				t.Fatalf("Parse(%q) = %q, %v", word, o, err)
			}
			return
		}
		// What parses is in the vocabulary, and parses the same again with
		// other spacing and case.
		found := false
		for _, x := range All {
			found = found || x == o
		}
		if !found {
			t.Fatalf("Parse(%q) = %q, not in the vocabulary", word, o)
		}
		if again, err := Parse(" " + strings.ToUpper(word) + " "); err == nil && again != o {
			t.Fatalf("Parse(%q) = %q but the upper case gives %q", word, o, again)
		}
	})
}
