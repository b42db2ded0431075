package export

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// CSVRows encodes rows exactly as a CSV Table's Row writes them, into
// bytes. encoding/csv takes a row as []string, and Row takes []any: for a
// table of millions of rows, boxing the cells and encoding them on the one
// goroutine that writes cost more than making the rows. With CSVRows, the
// goroutines that make the rows encode them too, and the writer only
// copies bytes (Table.Encoded).
//
// A row is its cells appended one after the other, then End.
type CSVRows struct {
	comma      byte
	neutralize bool
}

// CSVRows returns the encoder of a CSV table; ok is false for XLSX. Call it
// after ExcelCSV and NeutralizeFormulas, which change the encoding.
func (t *Table) CSVRows() (e CSVRows, ok bool) {
	if t.format != CSV {
		return CSVRows{}, false
	}
	return CSVRows{comma: byte(t.csv.Comma), neutralize: t.neutralize}, true
}

// String appends a string cell, as Row writes a string.
func (e CSVRows) String(dst []byte, s string) []byte { return appendCell(e, dst, s) }

// Bytes is String for a cell held in bytes.
func (e CSVRows) Bytes(dst, s []byte) []byte { return appendCell(e, dst, s) }

// text is a cell's text, held in a string or in bytes: a reader of bytes
// need not make strings of them to encode them.
type text interface{ string | []byte }

func appendCell[T text](e CSVRows, dst []byte, s T) []byte {
	if e.neutralize && len(s) > 0 && isFormulaStart(s[0]) {
		// The apostrophe is the field's first character now: no space
		// starts it, so only the separators and quotes decide.
		return field(e, dst, "'", s, hasSpecial(e, s))
	}
	return field(e, dst, "", s, needsQuotes(e, s))
}

// Checked appends a string cell as String does, for a cell the caller
// found free of separators, quotes and line ends (see Special): only its
// first bytes are looked at.
func (e CSVRows) Checked(dst []byte, s string) []byte { return appendChecked(e, dst, s) }

// CheckedBytes is Checked for a cell held in bytes.
func (e CSVRows) CheckedBytes(dst, s []byte) []byte { return appendChecked(e, dst, s) }

func appendChecked[T text](e CSVRows, dst []byte, s T) []byte {
	if e.neutralize && len(s) > 0 && isFormulaStart(s[0]) {
		return appendCell(e, dst, s)
	}
	return field(e, dst, "", s, len(s) > 0 && (string(s) == `\.` || leadingSpace(s)))
}

// Special tells whether s holds a separator, a quote or a line end. The
// cells of a row looked at together, in one string, take one call.
func (e CSVRows) Special(s string) bool { return hasSpecial(e, s) }

// SpecialBytes is Special for cells held in bytes.
func (e CSVRows) SpecialBytes(s []byte) bool { return hasSpecial(e, s) }

// Appended ends a string cell appended to dst at start, written as
// String would write it: made without a string of its own.
func (e CSVRows) Appended(dst []byte, start int) []byte {
	// Plain when it surely is: led by ASCII that is neither a space nor
	// a formula's start, not `\.`, and without separators, quotes or line
	// ends. Anything else is written by String.
	cell := dst[start:]
	if len(cell) == 0 || (cell[0] < utf8.RuneSelf && !asciiSpace[cell[0]] && !(e.neutralize && isFormulaStart(cell[0])) &&
		string(cell) != `\.` && !hasSpecialBytes(cell, e.comma)) {
		return append(dst, e.comma)
	}
	return appendCell(e, dst[:start], string(cell))
}

// Raw appends a string cell as Row writes a Raw one: never neutralized.
func (e CSVRows) Raw(dst []byte, s string) []byte { return field(e, dst, "", s, needsQuotes(e, s)) }

// Int appends an integer cell.
func (e CSVRows) Int(dst []byte, v int) []byte {
	return append(strconv.AppendInt(dst, int64(v), 10), e.comma)
}

// End ends the row appended last to dst.
func (e CSVRows) End(dst []byte) []byte {
	// Every cell is followed by a separator: the last one becomes the
	// end of the line. A row of no cells is an empty line.
	if n := len(dst); n > 0 && dst[n-1] == e.comma {
		dst[n-1] = '\n'
		return dst
	}
	return append(dst, '\n')
}

// field appends prefix+s, quoted when it must be, and a separator. The
// quoting is encoding/csv's Writer with UseCRLF false, which Table uses.
func field[T text](e CSVRows, dst []byte, prefix string, s T, quote bool) []byte {
	if !quote {
		return append(append(append(dst, prefix...), s...), e.comma)
	}
	dst = append(append(dst, '"'), prefix...)
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"', e.comma)
}

// needsQuotes is encoding/csv's fieldNeedsQuotes for an ASCII separator.
func needsQuotes[T text](e CSVRows, s T) bool {
	if len(s) == 0 {
		return false
	}
	return string(s) == `\.` || hasSpecial(e, s) || leadingSpace(s)
}

// leadingSpace is unicode.IsSpace of the first rune of s, which is not
// empty. Past Latin-1 the first space is U+1680, led by byte 0xE1: the
// Cyrillic that starts most cells of a base is told without decoding it,
// which took a fifth of encoding them.
func leadingSpace[T text](s T) bool {
	switch c := s[0]; {
	case c < utf8.RuneSelf:
		return asciiSpace[c]
	case c == 0xC2: // U+0080..U+00BF: NEL and NBSP are spaces
		return len(s) > 1 && (s[1] == 0x85 || s[1] == 0xA0)
	case c < 0xE1:
		return false
	}
	var r rune
	switch s := any(s).(type) {
	case string:
		r, _ = utf8.DecodeRuneInString(s)
	case []byte:
		r, _ = utf8.DecodeRune(s)
	}
	return unicode.IsSpace(r)
}

// hasSpecial tells whether s holds a line end, a quote or the separator.
// It looks at eight bytes at a time: a row's cells are scanned on every
// row of the output, hundreds of megabytes on a large base.
func hasSpecial[T text](e CSVRows, s T) bool {
	if len(s) < 8 {
		return hasSpecialBytes(s, e.comma)
	}
	comma := uint64(e.comma) * ones
	for i := 0; i < len(s); i += 8 {
		// The last word overlaps the one before. w[:8] bounds-checked
		// once: the loads make one, not eight.
		w := s[min(i, len(s)-8):][:8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		// Line ends are told with the other control bytes below '\r'+1,
		// rare in a cell, and then the bytes are looked at one by one.
		if lessThan(x, '\r'+1)|zeroByte(x^(ones*'"'))|zeroByte(x^comma) != 0 && hasSpecialBytes(w, e.comma) {
			return true
		}
	}
	return false
}

func hasSpecialBytes[T ~string | ~[]byte](s T, comma byte) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\n' || c == '\r' || c == '"' || c == comma {
			return true
		}
	}
	return false
}

const ones = 0x0101010101010101

// zeroByte is not 0 when one of the bytes of x is 0 (the borrow of a
// subtraction only runs past a zero byte, so there are no false alarms).
func zeroByte(x uint64) uint64 { return (x - ones) &^ x & (0x80 * ones) }

// lessThan is not 0 when one of the bytes of x is below n, n <= 128 (as
// zeroByte: a borrow only runs past a byte that is below n).
func lessThan(x uint64, n byte) uint64 { return (x - ones*uint64(n)) &^ x & (0x80 * ones) }

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// isFormulaStart is Neutralize's test of a string's first byte.
func isFormulaStart(c byte) bool {
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'
}

// Encoded writes rows encoded with the table's CSVRows, whole rows only.
func (t *Table) Encoded(rows []byte) error {
	// The header went through encoding/csv's own buffer: it goes first.
	t.csv.Flush()
	if err := t.csv.Error(); err != nil {
		return err
	}
	if len(rows) <= t.buf.Available() || len(rows) < encodedDirect {
		_, err := t.buf.Write(rows)
		return err
	}
	// Many rows at once (clean writes them by the batch) go to the file
	// without a copy through the buffer, once what it holds is out.
	if err := t.buf.Flush(); err != nil {
		return err
	}
	_, err := t.fw.Write(rows)
	return err
}

// encodedDirect is how long a run of encoded rows takes the short way.
const encodedDirect = 16 << 10
