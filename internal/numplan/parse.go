package numplan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// ParseError is a registry file that cannot be read, with the place at fault.
type ParseError struct {
	File string
	Line int // 0 when the error is not about one line
	Err  error
}

func (e *ParseError) Error() string {
	switch {
	case e.File == "":
		return e.Err.Error()
	case e.Line == 0:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// maxFile bounds what Parse reads; the largest published file (ABC-3xx) is about 20 MB.
const maxFile = 256 << 20

// Column roles of a registry file.
const (
	colCode = iota
	colFrom
	colTo
	colCap
	colOperator
	colRegion
	colTerritory
	colINN
	nRoles
)

var roleNames = [nRoles]string{"АВС/ DEF", "От", "До", "Емкость", "Оператор", "Регион", "Территория ГАР", "ИНН"}

const layoutHint = "want the registry layout АВС/ DEF;От;До;Емкость;Оператор;Регион[;Территория ГАР][;ИНН]"

// Parse reads one registry file (DEF-9xx.csv, ABC-3xx.csv, ABC-4xx.csv, ABC-8xx.csv) in any
// layout published since 2014: 6, 7 or 8 columns, with or without a header row, UTF-8 with
// or without a BOM, Windows-1251 or UTF-16, numbers zero-padded or not, operator names with
// RFC-escaped or bare quotes, separated by ';' (or a tab, or ','). Empty lines are skipped.
// Errors are *ParseError naming name:line; overlapping ranges are one.
func Parse(name string, r io.Reader) (*File, error) {
	fail := func(line int, format string, args ...any) error {
		return &ParseError{File: name, Line: line, Err: fmt.Errorf(format, args...)}
	}
	data, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, &ParseError{File: name, Err: err}
	}
	if len(data) > maxFile {
		return nil, fail(0, "larger than %d MB: not a numbering-plan file", maxFile>>20)
	}
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, &ParseError{File: name, Line: lineOf(data, badUTF8(data)), Err: err}
	}
	if i := strings.IndexByte(text, 0); i >= 0 {
		return nil, fail(lineOf([]byte(text), i), "binary data: not a CSV file")
	}

	f := &File{Name: name}
	p := parser{zones: map[string][]string{}}
	var fields []string
	line := 0
	for len(text) > 0 {
		line++
		var l string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			l, text = text[:i], text[i+1:]
		} else {
			l, text = text, ""
		}
		l = strings.TrimSuffix(l, "\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if p.sep == 0 {
			p.sep = separator(l)
		}
		fields = splitFields(fields[:0], l, p.sep)
		for i, v := range fields {
			if strings.Contains(v, "\u00a0") {
				v = strings.ReplaceAll(v, "\u00a0", " ")
			}
			fields[i] = strings.TrimSpace(v)
		}
		for len(fields) > 0 && fields[len(fields)-1] == "" {
			fields = fields[:len(fields)-1]
		}
		if len(fields) == 0 {
			continue
		}
		if p.ncols == 0 {
			if err := p.layout(fields); err != nil {
				return nil, fail(line, "%v\n%s", err, layoutHint)
			}
			if p.header {
				continue
			}
		}
		r, err := p.row(fields)
		if err != nil {
			return nil, fail(line, "%v", err)
		}
		f.Ranges = append(f.Ranges, r)
		f.lines = append(f.lines, line)
	}
	if len(f.Ranges) == 0 {
		return nil, fail(0, "no number ranges in the file\n%s", layoutHint)
	}
	f.Format = fmt.Sprintf("%d columns, %s", p.ncols, enc)
	if p.sep != ';' {
		f.Format += fmt.Sprintf(", separated by %q", p.sep)
	}
	if err := checkOverlaps(f); err != nil {
		return nil, err
	}
	return f, nil
}

// decodeText detects the encoding: a UTF-16 BOM, else valid UTF-8 (a BOM dropped), else
// Windows-1251, in which every byte is a character.
func decodeText(data []byte) (text, enc string, err error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", "", fmt.Errorf("bad UTF-16: %w", err)
		}
		return string(b), "UTF-16", nil
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		if !utf8.Valid(data) {
			return "", "", errors.New("starts with a UTF-8 byte-order mark but is not valid UTF-8")
		}
		return string(data[3:]), "UTF-8 with BOM", nil
	case utf8.Valid(data):
		return string(data), "UTF-8", nil
	}
	b, err := charmap.Windows1251.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", fmt.Errorf("neither UTF-8 nor Windows-1251: %w", err)
	}
	return string(b), "Windows-1251", nil
}

// badUTF8 is the offset of the first byte that is not UTF-8, or len(data).
func badUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// lineOf is the 1-based line of byte offset i.
func lineOf(data []byte, i int) int {
	return bytes.Count(data[:min(i, len(data))], []byte{'\n'}) + 1
}

// separator picks ';', else a tab, else ',' from the first line: territories hold ", ".
func separator(line string) byte {
	for _, sep := range []byte{';', '\t', ','} {
		if strings.IndexByte(line, sep) >= 0 {
			return sep
		}
	}
	return ';'
}

// splitFields splits one line. A field that is well-formed RFC 4180 quoting ("ООО ""Т2""")
// is unquoted; any other field is taken as written up to the next separator, so bare quotes
// (ООО "Т2 МОБАЙЛ") stay, and a quoted field never runs past its line.
func splitFields(dst []string, line string, sep byte) []string {
	for {
		var field string
		ok := false
		if strings.HasPrefix(line, `"`) {
			field, line, ok = unquote(line, sep)
		}
		if !ok {
			i := strings.IndexByte(line, sep)
			if i < 0 {
				field, line = line, ""
			} else {
				field, line = line[:i], line[i:]
			}
			if len(field) >= 2 && field[0] == '"' && field[len(field)-1] == '"' {
				field = field[1 : len(field)-1] // "ООО "Т2 МОБАЙЛ"" quoted without escaping
			}
		}
		dst = append(dst, field)
		if line == "" {
			return dst
		}
		line = line[1:]
	}
}

// unquote reads the quoted field at the start of s and returns it with the rest of s from
// the separator on, or false if the field is not well-formed quoting.
func unquote(s string, sep byte) (field, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '"' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '"':
			b.WriteByte('"')
			i++
		case i+1 == len(s) || s[i+1] == sep:
			return b.String(), s[i+1:], true
		default:
			return "", s, false
		}
	}
	return "", s, false
}

type parser struct {
	sep    byte
	header bool
	ncols  int                 // columns of the layout
	col    [nRoles]int         // column of each role, -1 when absent
	need   int                 // columns a row must have
	zones  map[string][]string // territory -> zones, cached
}

// layout learns the columns from the header row, or from the first data row.
func (p *parser) layout(fields []string) error {
	for i := range p.col {
		p.col[i] = -1
	}
	p.ncols = len(fields)
	if !digits(strings.TrimPrefix(fields[0], "\ufeff")) {
		p.header = true
		for i, h := range fields {
			r := role(h)
			if r < 0 {
				continue // a column we do not use
			}
			if p.col[r] >= 0 {
				return fmt.Errorf("header has two %s columns", roleNames[r])
			}
			p.col[r] = i
		}
		for _, r := range []int{colCode, colFrom, colTo, colCap, colOperator} {
			if p.col[r] < 0 {
				return fmt.Errorf("header has no %s column", roleNames[r])
			}
		}
		if p.col[colRegion] < 0 && p.col[colTerritory] < 0 {
			return errors.New("header has neither a Регион nor a Территория ГАР column")
		}
	} else {
		switch p.ncols {
		case 6, 7, 8:
			for r := colCode; r <= colRegion; r++ {
				p.col[r] = r
			}
			if p.ncols == 8 || p.ncols == 7 && !digits(fields[6]) {
				p.col[colTerritory] = 6
			}
			if p.ncols == 8 {
				p.col[colINN] = 7
			} else if p.ncols == 7 && digits(fields[6]) {
				p.col[colINN] = 6
			}
		default:
			return fmt.Errorf("%d columns", p.ncols)
		}
	}
	for _, r := range []int{colCode, colFrom, colTo, colCap, colOperator, colRegion, colTerritory} {
		p.need = max(p.need, p.col[r]+1)
	}
	return nil
}

// role tells what a header column holds, or -1.
func role(h string) int {
	h = strings.ToLower(strings.Join(strings.Fields(strings.Trim(h, "\ufeff\"")), ""))
	h = strings.ReplaceAll(h, "ё", "е")
	switch {
	case strings.Contains(h, "def"), strings.Contains(h, "abc"), strings.Contains(h, "авс"),
		strings.Contains(h, "абс"), h == "код":
		return colCode
	case h == "от", h == "from":
		return colFrom
	case h == "до", h == "to":
		return colTo
	case strings.HasPrefix(h, "емкость"), h == "capacity":
		return colCap
	case strings.HasPrefix(h, "оператор"), h == "operator":
		return colOperator
	case strings.HasPrefix(h, "территория"), h == "territory":
		return colTerritory
	case strings.HasPrefix(h, "регион"), h == "region":
		return colRegion
	case h == "инн", h == "inn":
		return colINN
	}
	return -1
}

func (p *parser) row(fields []string) (Range, error) {
	if len(fields) < p.need || len(fields) > p.ncols {
		return Range{}, fmt.Errorf("%d columns, want %d like the first row", len(fields), p.ncols)
	}
	get := func(r int) string {
		if c := p.col[r]; c >= 0 && c < len(fields) {
			return fields[c]
		}
		return ""
	}
	code := get(colCode)
	if len(code) != 3 || !digits(code) {
		return Range{}, fmt.Errorf("АВС/ DEF code %q is not 3 digits", code)
	}
	c, _ := strconv.ParseUint(code, 10, 64)
	num := func(r int) (uint64, error) {
		s := get(r)
		if len(s) == 0 || len(s) > 7 || !digits(s) {
			return 0, fmt.Errorf("%s %q is not a number of up to 7 digits", roleNames[r], s)
		}
		n, _ := strconv.ParseUint(s, 10, 64)
		return n, nil
	}
	from, err := num(colFrom)
	if err != nil {
		return Range{}, err
	}
	to, err := num(colTo)
	if err != nil {
		return Range{}, err
	}
	if from > to {
		return Range{}, fmt.Errorf("От %s is after До %s", get(colFrom), get(colTo))
	}
	capacity := get(colCap)
	if len(capacity) == 0 || len(capacity) > 8 || !digits(capacity) {
		return Range{}, fmt.Errorf("Емкость %q is not a number", capacity)
	}
	if n, _ := strconv.ParseUint(capacity, 10, 64); n != to-from+1 {
		return Range{}, fmt.Errorf("Емкость %d does not match От %s До %s (%d numbers)",
			n, get(colFrom), get(colTo), to-from+1)
	}
	operator := get(colOperator)
	if operator == "" {
		return Range{}, errors.New("Оператор is empty")
	}
	territory := get(colTerritory)
	if territory == "" || territory == "-" {
		territory = get(colRegion)
	}
	if territory == "-" {
		territory = ""
	}
	zones, ok := p.zones[territory]
	if !ok {
		zones = Zones(territory)
		p.zones[territory] = zones
	}
	base := first + c*block
	return Range{From: base + from, To: base + to, Operator: operator, Territory: territory, Zones: zones}, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkOverlaps rejects ranges of one file that overlap, naming both lines.
func checkOverlaps(f *File) error {
	order := make([]int, len(f.Ranges))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmpU(f.Ranges[x].From, f.Ranges[y].From) })
	for k := 1; k < len(order); k++ {
		a, b := order[k-1], order[k]
		if f.Ranges[b].From <= f.Ranges[a].To {
			if a > b {
				a, b = b, a
			}
			return &ParseError{File: f.Name, Line: f.lines[b], Err: fmt.Errorf(
				"range %v overlaps range %v on line %d", f.Ranges[b], f.Ranges[a], f.lines[a])}
		}
	}
	return nil
}
