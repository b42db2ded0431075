package phone

import (
	"unicode"
	"unicode/utf8"
)

const maxExtDigits = 8

// extMarkers are the words that put an extension after a number, lower case.
var extMarkers = [...]string{
	"доб", "добав", "добавочный", "доп", "д", "вн", "внутр", "внутренний",
	"ext", "extn", "extension", "x", "х", // the last one is the Cyrillic letter
}

// extension reads an extension written after a number ending at s[p]:
// " доб. 12", ", доб 12", " (вн. 12)", "x12", " #12". It returns the digits
// and where the extension ends.
func extension(s string, p int) (ext string, end int, ok bool) {
	j := p
	bracket := false
	for j < len(s) {
		cl, size := classAt(s, j)
		if cl == space || s[j] == ',' || s[j] == '-' {
			j += size
			continue
		}
		if s[j] == '(' && !bracket {
			bracket = true
			j++
			continue
		}
		break
	}
	if j >= len(s) {
		return "", 0, false
	}
	if s[j] == '#' {
		j++
	} else {
		var ok bool
		if j, ok = extMarker(s, j); !ok {
			return "", 0, false
		}
	}
	for j < len(s) {
		cl, size := classAt(s, j)
		if cl != space && s[j] != '.' && s[j] != ':' && s[j] != '-' {
			break
		}
		j += size
	}
	start := j
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == start || j-start > maxExtDigits {
		return "", 0, false
	}
	ext, end = s[start:j], j
	if bracket {
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j < len(s) && s[j] == ')' {
			end = j + 1
		}
	}
	return ext, end, true
}

// extMarker reports whether the word at s[i] is an extension marker and
// returns its end.
func extMarker(s string, i int) (int, bool) {
	var buf [24]byte
	n := 0
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsLetter(r) {
			break
		}
		r = unicode.ToLower(r)
		if n+utf8.RuneLen(r) > len(buf) {
			return 0, false // longer than any marker
		}
		n += utf8.EncodeRune(buf[n:], r)
		j += size
	}
	word := buf[:n]
	for _, m := range extMarkers {
		if string(word) == m {
			return j, true
		}
	}
	return 0, false
}
