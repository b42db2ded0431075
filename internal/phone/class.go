package phone

import (
	"unicode"
	"unicode/utf8"
)

// class is what one character of a cell means to the scanner.
type class uint8

const (
	text   class = iota // letters and anything else: never part of a number
	digit               // 0-9
	space               // joins the digit groups of one number
	joiner              // - . ( ) [ ] * and dashes: join digit groups too
	plus                // starts an international number
	sep                 // , ; / \ | tab new line: stands between numbers
)

var asciiClass [utf8.RuneSelf]class

func init() {
	for b := '0'; b <= '9'; b++ {
		asciiClass[b] = digit
	}
	for _, b := range " \v\f" {
		asciiClass[b] = space
	}
	for _, b := range "-.()[]*" { // "*" masks digits: 8 916 *** 45 67
		asciiClass[b] = joiner
	}
	for _, b := range ",;/\\|\t\n\r" {
		asciiClass[b] = sep
	}
	asciiClass['+'] = plus
}

// classAt classifies the character at s[i] and returns its size in bytes.
func classAt(s string, i int) (class, int) {
	if b := s[i]; b < utf8.RuneSelf {
		return asciiClass[b], 1
	}
	return classRune(s, i)
}

// classRune classifies the non-ASCII character at s[i].
func classRune(s string, i int) (class, int) {
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == 0xA0, r >= 0x2000 && r <= 0x200B, r == 0x202F, r == 0x205F,
		r == 0x2060, r == 0x3000, r == 0xFEFF:
		return space, size
	case r >= 0x2010 && r <= 0x2015, r == 0x2212, r == 0xFE63, r == 0xFF0D:
		return joiner, size
	case r == 0xFF0B:
		return plus, size
	case r == 0x85, r == 0x2028, r == 0x2029:
		return sep, size
	}
	return text, size
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func allDigits[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// trimSpace is strings.TrimSpace, quicker on the cells that start or end
// with a letter, Cyrillic mostly: no character from U+00C0 to U+167F is a
// space, so one with a lead byte of 0xC3 to 0xE0 is told without decoding
// it, where strings.TrimSpace decodes and looks it up.
func trimSpace(s string) string {
	start, end := 0, len(s)
	for start < end {
		c := s[start]
		if c < utf8.RuneSelf {
			if !asciiSpace[c] {
				break
			}
			start++
			continue
		}
		if c >= 0xC3 && c < 0xE1 {
			break
		}
		r, size := utf8.DecodeRuneInString(s[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		start += size
	}
	for start < end {
		c := s[end-1]
		if c < utf8.RuneSelf {
			if !asciiSpace[c] {
				break
			}
			end--
			continue
		}
		// After a lead of 0xC3 to 0xE0, the last byte ends a character
		// below U+1680, or is broken UTF-8: no space either way.
		if end-2 >= start && s[end-2] >= 0xC3 && s[end-2] < 0xE1 {
			break
		}
		r, size := utf8.DecodeLastRuneInString(s[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	return s[start:end]
}

// asciiSpace marks the ASCII characters unicode.IsSpace calls spaces.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}
