package when

import (
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"2026-11-27T14:05:00+03:00", time.Date(2026, 11, 27, 11, 5, 0, 0, time.UTC)},
		{"2026-11-27T11:05:00Z", time.Date(2026, 11, 27, 11, 5, 0, 0, time.UTC)},
		{"2026-11-27 14:05:00+10:00", time.Date(2026, 11, 27, 4, 5, 0, 0, time.UTC)},
		{"2026-11-27 14:05", time.Date(2026, 11, 27, 14, 5, 0, 0, msk)},
		{"2026-11-27T14:05:30", time.Date(2026, 11, 27, 14, 5, 30, 0, msk)},
		{"2026-11-27", time.Date(2026, 11, 27, 0, 0, 0, 0, msk)},
		{"27.11.2026 14:05", time.Date(2026, 11, 27, 14, 5, 0, 0, msk)},
		{" 27.11.2026 14:05:09 ", time.Date(2026, 11, 27, 14, 5, 9, 0, msk)},
		{"7.1.2026 9:05", time.Date(2026, 1, 7, 9, 5, 0, 0, msk)},
		{"27.11.26", time.Date(2026, 11, 27, 0, 0, 0, 0, msk)},
	} {
		got, err := Parse(c.in, msk)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{"", "вчера", "31.02.2026", "2026-13-01", "2026-11-27 25:00", "27/11/2026", "0001-01-01",
		"9999-01-01", "2026-11-27 14:05 и ещё очень много текста после даты"} {
		if got, err := Parse(in, time.UTC); !errors.Is(err, ErrBadTime) {
			t.Errorf("Parse(%q) = %v, %v; want ErrBadTime", in, got, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-11-27 14:05", "27.11.2026", "2026-11-27T14:05:00+03:00", "31.02.2026", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s, time.UTC)
		if err != nil {
			if !errors.Is(err, ErrBadTime) {
				t.Fatalf("Parse(%q): error %v does not wrap ErrBadTime", s, err)
			}
			return
		}
		if y := got.Year(); y < minYear || y > maxYear {
			t.Fatalf("Parse(%q) = %v, out of range", s, got)
		}
		// A time read again from its RFC 3339 form is the same instant.
		again, err := Parse(got.Format(time.RFC3339), time.UTC)
		if err != nil || !again.Equal(got) {
			t.Fatalf("Parse(%q) = %v; its RFC 3339 form reads back as %v, %v", s, got, again, err)
		}
	})
}
