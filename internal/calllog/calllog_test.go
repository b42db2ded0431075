package calllog

import "testing"

func TestParseDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"95", 95, true}, {"0", 0, true}, {"1:35", 95, true}, {" 0:01:35 ", 95, true}, {"2:00:00", 7200, true},
		{"1:60", 0, false}, {"-5", 0, false}, {"1:2:3:4", 0, false}, {"abc", 0, false}, {"", 0, false},
		{"25:00:00", 0, false}, {"99999999999999999999", 0, false},
	} {
		got, err := ParseDuration(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseDuration(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"95", "1:35", "0:01:35", "1:60", "-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseDuration(s)
		if err == nil && (n < 0 || n > 24*3600) {
			t.Fatalf("ParseDuration(%q) = %d", s, n)
		}
	})
}
