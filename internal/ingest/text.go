package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/callbase/callbase/internal/callbase"
)

// peekBytes is how much of the head of a text file is looked at to detect
// its encoding and delimiter.
const peekBytes = 1 << 20

// Encodings by canonical name.
const (
	encAuto    = ""
	encUTF8    = "utf-8"
	encUTF16   = "utf-16" // endianness from the BOM, little-endian without one
	encUTF16LE = "utf-16le"
	encUTF16BE = "utf-16be"
	enc1251    = "windows-1251"
	encKOI8R   = "koi8-r"
	enc866     = "cp866"
)

func parseEncoding(name string) (string, error) {
	n := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(name)))
	switch n {
	case "", "auto":
		return encAuto, nil
	case "utf8":
		return encUTF8, nil
	case "utf16", "unicode", "ucs2":
		return encUTF16, nil
	case "utf16le", "ucs2le":
		return encUTF16LE, nil
	case "utf16be", "ucs2be":
		return encUTF16BE, nil
	case "cp1251", "windows1251", "win1251", "1251":
		return enc1251, nil
	case "koi8r", "koi8":
		return encKOI8R, nil
	case "cp866", "ibm866", "866", "dos":
		return enc866, nil
	}
	return "", callbase.Usagef("unknown encoding %q: want auto, utf-8, utf-16, utf-16le, utf-16be, cp1251, koi8-r or cp866", name)
}

func parseDelimiter(s string) (byte, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return 0, nil
	case ";", "semicolon":
		return ';', nil
	case ",", "comma":
		return ',', nil
	case "\t", `\t`, "tab":
		return '\t', nil
	case "|", "pipe":
		return '|', nil
	}
	return 0, callbase.Usagef("unknown delimiter %q: want auto, ';', ',', tab or '|'", s)
}

func delimiterName(d byte) string {
	if d == '\t' {
		return "tab"
	}
	return fmt.Sprintf("'%c'", d)
}

// csvSource reads the records of a CSV file.
type csvSource struct {
	path  string
	f     *os.File
	size  int64
	enc   string
	delim byte
	guard *guard
	cr    *csvReader
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func openCSV(path string, f *os.File, enc string, delim byte, progress *atomic.Int64) (*csvSource, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, &callbase.InputError{File: path, Err: err}
	}
	s := &csvSource{path: path, f: f, size: fi.Size()}
	peek := int(min(max(s.size, 4096), peekBytes))
	br := bufio.NewReaderSize(countingReader{f, progress}, peek)
	head, err := br.Peek(peek)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, &callbase.InputError{File: path, Err: err}
	}
	atEOF := len(head) < peek || int64(len(head)) >= s.size
	if len(head) == 0 {
		return s, nil // NextTable reports the empty file
	}

	bom := 0
	detected := enc == encAuto
	if detected {
		if enc, bom, err = detectEncoding(head, atEOF); err != nil {
			return nil, &callbase.InputError{File: path, Err: err,
				Hint: "Try: save the base as CSV (UTF-8) or XLSX"}
		}
	} else {
		bom = bomLength(head, enc)
	}
	if enc == encUTF16 {
		enc = encUTF16LE
		if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
			enc = encUTF16BE
		}
	}
	s.enc = enc
	if _, err := br.Discard(bom); err != nil {
		return nil, &callbase.InputError{File: path, Err: err}
	}
	head = head[bom:]

	// Decode the head for what follows.
	text := decodeSample(head, enc, atEOF)
	if err := notATable(text); err != nil {
		return nil, &callbase.InputError{File: path, Err: err, Hint: "Try: open it in Excel or LibreOffice and save it as XLSX"}
	}
	if delim == 0 {
		delim = sniffDelimiter(text)
	}
	s.delim = delim

	var r io.Reader = br
	if dec := decoder(enc, detected); dec != nil {
		r = transform.NewReader(r, dec)
	}
	if !strings.Contains(text, "\n") && strings.Contains(text, "\r") {
		r = crReader{r} // classic Mac line ends
	}
	s.guard = &guard{r: r, delim: delim, line: 1, strictUTF8: enc == encUTF8 && detected}
	s.cr = newCSVReader(s.guard, delim)
	return s, nil
}

func (s *csvSource) format() string {
	if s.enc == "" {
		return "csv"
	}
	return fmt.Sprintf("csv %s %s", s.enc, delimiterName(s.delim))
}

func (s *csvSource) close() error {
	if s.f == nil {
		return nil
	}
	f := s.f
	s.f = nil
	return f.Close()
}

func (s *csvSource) next() (Row, error) {
	if s.cr == nil {
		return Row{}, io.EOF
	}
	rec, err := s.cr.Read()
	if err == io.EOF {
		return Row{}, io.EOF
	}
	if err != nil {
		var ge *guardError
		if errors.As(err, &ge) {
			ie := &callbase.InputError{File: s.path, Row: ge.line, Err: ge.err, Hint: ge.hint}
			if ge.field >= 0 {
				ie.Column = ColumnName(ge.field)
			}
			return Row{}, ie
		}
		return Row{}, &callbase.InputError{File: s.path, Err: err}
	}
	line, last := s.cr.Lines()
	s.guard.mark(last+1, s.cr.InputOffset())
	if len(rec) > MaxColumns {
		return Row{}, &callbase.InputError{File: s.path, Row: line,
			Err: fmt.Errorf("%w: %d fields, at most %d", ErrTooLarge, len(rec), MaxColumns)}
	}
	for i, f := range rec {
		if len(f) > MaxField {
			return Row{}, &callbase.InputError{File: s.path, Row: line, Column: ColumnName(i),
				Err:  fmt.Errorf("%w: a field of %d bytes, at most %d", ErrTooLarge, len(f), MaxField),
				Hint: "Try: look for a quote (\") that is opened and never closed"}
		}
	}
	return Row{Line: line, Cells: rec}, nil
}

// guard sits between the decoded text and the CSV parser. It counts lines
// and stops with a clear error on NUL bytes, invalid UTF-8 (when UTF-8 was
// only guessed), and records that grow past the limits, before the parser
// buffers them.
type guard struct {
	r          io.Reader
	delim      byte
	strictUTF8 bool
	line       int    // line of the next byte
	since      int64  // bytes since the last record ended
	delims     int    // delimiters since the last record ended
	quotes     int    // quotes since the last record ended
	sinceLine  int    // line where the current record (about) starts
	head       []byte // the first bytes of the current record
	recent     []byte // the last bytes passed, which start at offset recentAt:
	recentAt   int64  // the parser reads ahead of the record it returns
	pending    []byte // what the parser read ahead of the last record marked, not counted yet
	carry      []byte
	err        error
}

type guardError struct {
	line  int
	field int // 0-based field the fault is in, -1 when unknown
	err   error
	hint  string
}

func (e *guardError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }

// mark tells the guard a record was taken; the next one starts at line,
// at byte offset. What the parser already read of it is counted again, at
// the next Read: the parser reads up to csvChunk (16 KB) ahead, hundreds
// of records, and counting (and keeping the head of) all of it at every
// record cost more than reading the file.
func (g *guard) mark(line int, offset int64) {
	g.since, g.delims, g.quotes, g.sinceLine = 0, 0, 0, line
	g.head, g.pending = g.head[:0], nil
	if i := offset - g.recentAt; i >= 0 && i <= int64(len(g.recent)) {
		g.pending = g.recent[i:]
		g.since = int64(len(g.pending))
	}
}

// settle counts what mark left pending, before anything more is read.
func (g *guard) settle() {
	if ahead := g.pending; ahead != nil {
		g.pending = nil
		g.delims = bytes.Count(ahead, []byte{g.delim})
		g.quotes = bytes.Count(ahead, []byte{'"'})
		g.keepHead(ahead)
	}
}

const headBytes = 4 << 10

func (g *guard) keepHead(b []byte) {
	if room := headBytes - len(g.head); room > 0 {
		g.head = append(g.head, b[:min(room, len(b))]...)
	}
}

// field tells which field of the current record its head ends in: the
// delimiters outside quotes before it. -1 when the head holds the whole
// record's start but no clue (it is empty).
func (g *guard) field() int {
	if len(g.head) == 0 {
		return -1
	}
	field, quoted := 0, false
	for _, c := range g.head {
		switch {
		case c == '"':
			quoted = !quoted
		case c == g.delim && !quoted:
			field++
		case c == '\n' && !quoted:
			return -1 // the head ran past the record: no field is at fault
		}
	}
	return field
}

// keep remembers the last bytes passed, for mark: at least 64 KB, which
// is far more than the parser reads ahead, trimmed only now and then.
func (g *guard) keep(b []byte) {
	const keepBytes = 64 << 10
	g.recent = append(g.recent, b...)
	if drop := len(g.recent) - keepBytes; drop > keepBytes {
		g.recent = append(g.recent[:0], g.recent[drop:]...)
		g.recentAt += int64(drop)
	}
}

func (g *guard) fail(line int, err error, hint string) (int, error) {
	g.err = &guardError{line: line, field: -1, err: err, hint: hint}
	return 0, g.err
}

// failTooLarge stops on a record past the limits, naming the field its
// first bytes end in: that one has grown past all measure.
func (g *guard) failTooLarge(err error) (int, error) {
	hint := "Try: check the file; a base's cell is never this large"
	if g.quotes > 0 {
		hint = "Try: look for a quote (\") that is opened and never closed"
	}
	g.err = &guardError{line: g.sinceLine, field: g.field(), err: err, hint: hint}
	return 0, g.err
}

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	g.settle() // before keep, which may move recent, where pending lies
	n, err := g.r.Read(p)
	b := p[:n]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return g.fail(g.line+bytes.Count(b[:i], []byte{'\n'}),
			fmt.Errorf("%w: a NUL byte", ErrNotText), "Try: check that the file is a CSV text file, or give --encoding")
	}
	if g.strictUTF8 {
		if bad := g.checkUTF8(b, err == io.EOF); bad >= 0 {
			return g.fail(g.line+bytes.Count(b[:bad], []byte{'\n'}),
				errors.New("invalid UTF-8: the file mixes encodings or is not UTF-8"),
				"Try: --encoding cp1251, or --encoding utf-8 to read bad bytes as \uFFFD")
		}
	}
	g.keep(b)
	g.keepHead(b)
	g.since += int64(n)
	g.delims += bytes.Count(b, []byte{g.delim})
	g.quotes += bytes.Count(b, []byte{'"'})
	if g.since > MaxRecord+64<<10 {
		return g.failTooLarge(fmt.Errorf("%w: a record longer than %d MB", ErrTooLarge, MaxRecord>>20))
	}
	// The parser spends up to 24 bytes on every field: a record of nothing but
	// delimiters must stop well before the size limit. Delimiters inside
	// quotes are counted too, hence the margin.
	if g.delims > 100*MaxColumns {
		return g.failTooLarge(fmt.Errorf("%w: more than %d fields in a record", ErrTooLarge, MaxColumns))
	}
	g.line += bytes.Count(b, []byte{'\n'})
	if err == io.EOF && len(g.carry) > 0 {
		return g.fail(g.line, errors.New("invalid UTF-8 at the end of the file"),
			"Try: --encoding cp1251, or --encoding utf-8 to read bad bytes as \uFFFD")
	}
	return n, err
}

// checkUTF8 validates b, continuing a sequence cut at the end of the last
// read; it returns the offset of the first bad byte, or -1.
func (g *guard) checkUTF8(b []byte, atEOF bool) int {
	start := 0
	if len(g.carry) > 0 {
		need := utf8Len(g.carry[0]) - len(g.carry)
		if need > len(b) {
			for _, c := range b {
				if c&0xC0 != 0x80 {
					return 0
				}
			}
			g.carry = append(g.carry, b...)
			return -1
		}
		seq := append(g.carry, b[:need]...)
		g.carry = g.carry[:0]
		if !utf8.Valid(seq) {
			return 0
		}
		start = need
	}
	rest := b[start:]
	tail := 0
	if !atEOF {
		tail = incompleteTail(rest)
	}
	if !validUTF8(rest[:len(rest)-tail]) {
		for i := 0; i < len(rest)-tail; {
			r, size := utf8.DecodeRune(rest[i:])
			if r == utf8.RuneError && size == 1 {
				return start + i
			}
			i += size
		}
		return start
	}
	g.carry = append(g.carry[:0], rest[len(rest)-tail:]...)
	return -1
}

func utf8Len(c byte) int {
	switch {
	case c >= 0xF0:
		return 4
	case c >= 0xE0:
		return 3
	case c >= 0xC0:
		return 2
	}
	return 1
}

// incompleteTail returns how many bytes at the end of b start a UTF-8
// sequence that b does not finish.
func incompleteTail(b []byte) int {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c&0xC0 == 0x80 {
			continue // continuation byte: look further back
		}
		if c >= 0xC0 && utf8Len(c) > i {
			return i
		}
		return 0
	}
	return 0
}

// crReader turns lone carriage returns into line feeds.
type crReader struct{ r io.Reader }

func (c crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := range p[:n] {
		if p[i] == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

func bomLength(head []byte, enc string) int {
	switch {
	case enc == encUTF8 && bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return 3
	case (enc == encUTF16 || enc == encUTF16LE) && bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return 2
	case (enc == encUTF16 || enc == encUTF16BE) && bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return 2
	}
	return 0
}

func decoder(enc string, detected bool) *encoding.Decoder {
	switch enc {
	case encUTF8:
		if detected {
			return nil // checked by the guard instead
		}
		return xunicode.UTF8.NewDecoder() // bad bytes become U+FFFD
	case encUTF16LE:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewDecoder()
	case encUTF16BE:
		return xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM).NewDecoder()
	case enc1251:
		return charmap.Windows1251.NewDecoder()
	case encKOI8R:
		return charmap.KOI8R.NewDecoder()
	case enc866:
		return charmap.CodePage866.NewDecoder()
	}
	return nil
}

// decodeSample decodes the head of the file, cut at the last line end when
// the file goes on.
func decodeSample(head []byte, enc string, atEOF bool) string {
	if len(head) > 256<<10 {
		head, atEOF = head[:256<<10], false
	}
	if (enc == encUTF16LE || enc == encUTF16BE) && len(head)%2 == 1 {
		head = head[:len(head)-1]
	}
	var text string
	if dec := decoder(enc, false); dec != nil {
		b, err := dec.Bytes(head)
		if err != nil {
			return ""
		}
		text = string(b)
	} else {
		text = string(head)
	}
	if !atEOF {
		if i := strings.LastIndexAny(text, "\n\r"); i > 0 {
			text = text[:i+1]
		}
	}
	return text
}

// detectEncoding guesses the encoding of a text file from its head: a BOM,
// else UTF-16 by its zero bytes, else UTF-8 when valid, else the Cyrillic
// code page whose letters read most like Russian.
func detectEncoding(head []byte, atEOF bool) (enc string, bom int, err error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return encUTF8, 3, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return encUTF16LE, 2, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return encUTF16BE, 2, nil
	}
	if e := utf16Guess(head); e != "" {
		return e, 0, nil
	}
	if kind := binaryKind(head); kind != "" {
		return "", 0, fmt.Errorf("%w: it looks like %s", ErrNotText, kind)
	}
	valid := head
	if !atEOF {
		valid = head[:len(head)-incompleteTail(head)]
	}
	if utf8.Valid(valid) {
		return encUTF8, 0, nil
	}
	return guessCyrillic(head), 0, nil
}

// utf16Guess recognises UTF-16 without a BOM: most code units of Russian or
// Latin text have a high byte of 0x00 or 0x04.
func utf16Guess(b []byte) string {
	n := min(len(b), 4096) / 2
	if n < 4 {
		return ""
	}
	var evenHigh, oddHigh, evenZero, oddZero int
	for i := range n {
		e, o := b[2*i], b[2*i+1]
		if e == 0 || e == 4 {
			evenHigh++
		}
		if o == 0 || o == 4 {
			oddHigh++
		}
		if e == 0 {
			evenZero++
		}
		if o == 0 {
			oddZero++
		}
	}
	switch {
	case oddHigh*10 >= n*9 && oddZero > 0 && evenZero*20 < n:
		return encUTF16LE
	case evenHigh*10 >= n*9 && evenZero > 0 && oddZero*20 < n:
		return encUTF16BE
	}
	return ""
}

// binaryKind names what a non-text file seems to be, or returns "" for text.
func binaryKind(b []byte) string {
	magics := []struct{ magic, kind string }{
		{"%PDF", "a PDF document"}, {"\x1f\x8b", "a gzip archive"}, {"Rar!", "a RAR archive"},
		{"7z\xbc\xaf", "a 7-Zip archive"}, {"\x89PNG", "a PNG image"}, {"\xff\xd8\xff", "a JPEG image"},
		{"MZ", "a Windows program"}, {"\x7fELF", "a program"}, {"{\\rtf", "an RTF document"},
	}
	for _, m := range magics {
		if bytes.HasPrefix(b, []byte(m.magic)) {
			return m.kind
		}
	}
	sample := b[:min(len(b), 64<<10)]
	if bytes.IndexByte(sample, 0) >= 0 {
		return "binary data (it has NUL bytes)"
	}
	ctrl := 0
	for _, c := range sample {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1A {
			ctrl++
		}
	}
	if ctrl*100 > len(sample) {
		return "binary data"
	}
	return ""
}

// notATable recognises text formats that are not CSV but are often named
// .xls: web pages and Excel 2003 XML.
func notATable(text string) error {
	head := strings.ToLower(strings.TrimLeftFunc(text[:min(len(text), 4096)], unicode.IsSpace))
	switch {
	case strings.HasPrefix(head, "<!doctype html"), strings.HasPrefix(head, "<html"),
		strings.HasPrefix(head, "<table"), strings.HasPrefix(head, "<meta"):
		return fmt.Errorf("%w: an HTML page (a web export), not CSV", ErrUnsupported)
	case strings.HasPrefix(head, "<?xml") && strings.Contains(head, "urn:schemas-microsoft-com:office:spreadsheet"):
		return fmt.Errorf("%w: an Excel 2003 XML spreadsheet", ErrUnsupported)
	case strings.HasPrefix(head, "<?xml"):
		return fmt.Errorf("%w: an XML document, not CSV", ErrUnsupported)
	}
	return nil
}

// Letter frequencies of Russian text, in percent.
var russianFreq = map[rune]float64{
	'о': 10.97, 'е': 8.45, 'а': 8.01, 'и': 7.35, 'н': 6.70, 'т': 6.26, 'с': 5.47, 'р': 4.73,
	'в': 4.54, 'л': 4.40, 'к': 3.49, 'м': 3.21, 'д': 2.98, 'п': 2.81, 'у': 2.62, 'я': 2.01,
	'ы': 1.90, 'ь': 1.74, 'г': 1.70, 'з': 1.65, 'б': 1.59, 'ч': 1.44, 'й': 1.21, 'х': 0.97,
	'ж': 0.94, 'ш': 0.73, 'ю': 0.64, 'ц': 0.48, 'щ': 0.36, 'э': 0.32, 'ф': 0.26, 'ъ': 0.04, 'ё': 0.04,
}

// cyrillicTables holds, for each candidate code page, what its high bytes
// are: the frequency of the Russian letter (0 for none) and whether it is a
// capital.
var cyrillicTables = func() (t [3][128]struct {
	freq  float64
	upper bool
}) {
	for i, cm := range []*charmap.Charmap{charmap.Windows1251, charmap.KOI8R, charmap.CodePage866} {
		for b := range 128 {
			r := cm.DecodeByte(byte(b + 0x80))
			lower := unicode.ToLower(r)
			t[i][b].freq = russianFreq[lower]
			t[i][b].upper = r != lower
		}
	}
	return t
}()

// guessCyrillic chooses among Windows-1251, KOI8-R and CP866 the one whose
// reading of the high bytes gives the most Russian-looking text: frequent
// letters, and capitals only at the start of words.
func guessCyrillic(b []byte) string {
	b = b[:min(len(b), 256<<10)]
	names := [3]string{enc1251, encKOI8R, enc866}
	best, bestScore := enc1251, -1e18
	for i, table := range cyrillicTables {
		score := 0.0
		prevLower := false
		for _, x := range b {
			if x < 0x80 {
				prevLower = x >= 'a' && x <= 'z'
				continue
			}
			c := table[x-0x80]
			if c.freq == 0 {
				score-- // a byte that is no Russian letter here
				prevLower = false
				continue
			}
			score += c.freq
			if c.upper && prevLower {
				score -= 10 // "хБЮМНБ": capitals inside words
			}
			prevLower = !c.upper
		}
		if score > bestScore {
			best, bestScore = names[i], score
		}
	}
	return best
}

// sniffDelimiter picks among ; , tab | the one that splits the sample into
// the most consistent number of fields (at least two).
func sniffDelimiter(text string) byte {
	if len(text) > 64<<10 {
		if i := strings.LastIndexByte(text[:64<<10], '\n'); i > 0 {
			text = text[:i+1]
		}
	}
	best, bestScore, bestFields := byte(0), 0.0, 0
	for _, d := range []byte{';', ',', '\t', '|'} {
		if strings.IndexByte(text, d) < 0 {
			continue
		}
		r := newCSVReader(strings.NewReader(text), d)
		var fields []int
		for len(fields) < 200 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			fields = append(fields, len(rec))
		}
		total := len(fields)
		slices.Sort(fields)
		mode, modeN := 0, 0
		for i := 0; i < len(fields); {
			j := i
			for j < len(fields) && fields[j] == fields[i] {
				j++
			}
			if j-i >= modeN { // ties go to the larger count of fields
				mode, modeN = fields[i], j-i
			}
			i = j
		}
		if mode < 2 || total == 0 {
			continue
		}
		score := float64(modeN) / float64(total)
		if score > bestScore+1e-9 || (score > bestScore-1e-9 && mode > bestFields) {
			best, bestScore, bestFields = d, score, mode
		}
	}
	if best == 0 {
		// One column: any delimiter that does not occur will do.
		for _, d := range []byte{';', ',', '\t', '|'} {
			if strings.IndexByte(text, d) < 0 {
				return d
			}
		}
		return ';'
	}
	return best
}
