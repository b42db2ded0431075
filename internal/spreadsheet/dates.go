package spreadsheet

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// builtinDate reports whether a built-in number format shows a date or time.
func builtinDate(id uint16) bool {
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)
}

// Built-in formats written the way Russian Excel shows them.
var builtinLayouts = map[uint16]string{
	14: "dd.mm.yyyy", 20: "hh:mm", 21: "hh:mm:ss", 22: "dd.mm.yyyy hh:mm",
}

// isDateFormat reports whether a custom number format shows a date or time:
// it has y, m, d, h or s outside quotes, escapes and brackets.
func isDateFormat(code string) bool {
	code = strings.SplitN(code, ";", 2)[0]
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return false
			}
			i += j + 1
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return false
			}
			switch strings.ToLower(code[i+1 : i+j]) {
			case "h", "hh", "m", "mm", "s", "ss":
				return true
			}
			i += j
		case 'y', 'Y', 'm', 'M', 'd', 'D', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}

// excelTime turns a date serial number into a time (UTC).
func excelTime(v float64, date1904 bool) (time.Time, bool) {
	if math.IsNaN(v) || v < 0 || v >= 2958466 {
		return time.Time{}, false
	}
	days := math.Floor(v)
	secs := math.Round((v - days) * 86400)
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 61: // Excel counts a 29 February 1900 that never was
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second), true
}

// formatDate writes a date serial number in the format code: the usual
// tokens (yyyy yy mm m dd d hh h ss s, minutes as mm after h or before s)
// are followed; anything else (month names, AM/PM, elapsed hours) falls back
// to ISO 8601.
func formatDate(v float64, code string, date1904 bool) (string, bool) {
	t, ok := excelTime(v, date1904)
	if !ok {
		return "", false
	}
	if s, ok := applyDateFormat(t, code); ok {
		return s, true
	}
	switch {
	case v < 1:
		return t.Format("15:04:05"), true
	case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
		return t.Format("2006-01-02"), true
	}
	return t.Format("2006-01-02 15:04:05"), true
}

func applyDateFormat(t time.Time, code string) (string, bool) {
	code = strings.SplitN(code, ";", 2)[0]
	if code == "" {
		return "", false
	}
	type token struct {
		kind byte // y m d h s, or 0 for literal text
		n    int
		text string
	}
	var toks []token
	for i := 0; i < len(code); {
		c := code[i]
		switch {
		case c == '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return "", false
			}
			toks = append(toks, token{text: code[i+1 : i+1+j]})
			i += j + 2
		case c == '\\':
			if i+1 >= len(code) {
				return "", false
			}
			toks = append(toks, token{text: code[i+1 : i+2]})
			i += 2
		case c == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 || !strings.HasPrefix(code[i:], "[$") {
				return "", false // colours are harmless, but elapsed time is not
			}
			i += j + 1
		case strings.IndexByte("ymdhsYMDHS", c) >= 0:
			lc := c | 0x20
			j := i
			for j < len(code) && code[j]|0x20 == lc {
				j++
			}
			toks = append(toks, token{kind: lc, n: j - i})
			i = j
		case strings.IndexByte(".-/: ,()", c) >= 0:
			toks = append(toks, token{text: code[i : i+1]})
			i++
		default:
			return "", false
		}
	}
	var b strings.Builder
	for k, tk := range toks {
		switch tk.kind {
		case 0:
			b.WriteString(tk.text)
		case 'y':
			if tk.n <= 2 {
				fmt.Fprintf(&b, "%02d", t.Year()%100)
			} else {
				fmt.Fprintf(&b, "%04d", t.Year())
			}
		case 'm':
			if tk.n > 2 {
				return "", false // month names
			}
			v := int(t.Month())
			if minutesAt(toks[:k], toks[k+1:], func(x token) byte { return x.kind }) {
				v = t.Minute()
			}
			pad(&b, v, tk.n)
		case 'd':
			if tk.n > 2 {
				return "", false // day names
			}
			pad(&b, t.Day(), tk.n)
		case 'h':
			pad(&b, t.Hour(), tk.n)
		case 's':
			pad(&b, t.Second(), tk.n)
		}
	}
	return b.String(), true
}

// minutesAt reports whether an m token means minutes: the nearest date or
// time token before it is an hour, or the nearest after it is a second.
func minutesAt[T any](before, after []T, kind func(T) byte) bool {
	for i := len(before) - 1; i >= 0; i-- {
		if k := kind(before[i]); k != 0 {
			if k == 'h' {
				return true
			}
			break
		}
	}
	for _, x := range after {
		if k := kind(x); k != 0 {
			return k == 's'
		}
	}
	return false
}

func pad(b *strings.Builder, v, n int) {
	if n >= 2 {
		fmt.Fprintf(b, "%02d", v)
	} else {
		fmt.Fprintf(b, "%d", v)
	}
}
