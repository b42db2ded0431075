package phone

import "unicode/utf8"

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
