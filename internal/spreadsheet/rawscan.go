package spreadsheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The raw values of a row whose formatted values may have lost digits
// (xlsx.go) come from a second reading of the sheet. Through excelize that
// reading costs as much as the first: encoding/xml is most of the time of
// an XLSX import. A sheet scan finds them at a small part of that cost: it
// reads the sheet's XML straight from the archive, byte by byte, and keeps
// of each cell only its column, type, style and <v> text. Whatever it does
// not understand (prefixed names, entities in a value, cells out of order,
// a row missing) makes it answer "don't know", and the row is taken from
// excelize's raw reading as before; it never guesses.

// errScanGaveUp: the scan met XML it does not read; excelize must.
var errScanGaveUp = errors.New("sheet scan gave up")

// sheetScan reads the rows of one worksheet part.
type sheetScan struct {
	zr       io.ReadCloser
	r        *bufio.Reader
	in       bool    // inside <sheetData>
	cur      scanRow // the row last asked for, or before it
	ahead    scanRow // the row after cur, once read
	hasCur   bool
	hasAhead bool
	err      error  // what ended the scan (io.EOF at the end of the rows)
	tag      []byte // scratch: the tag being read
	text     []byte // scratch: the text being read
}

// scanRow is one <row> of a sheet.
type scanRow struct {
	num   int
	cells []scanCell
}

// scanCell is one <c> of a row.
type scanCell struct {
	col     int    // 1-based
	t       string // the type attribute
	s       int    // the style index
	v       string // the text of <v>
	vExact  bool   // v is the text as XML gives it (no entity, no CR, no CDATA)
	formula bool
}

// openSheetScan opens the worksheet part of the named sheet of the
// workbook at file, found the way excelize finds it.
func openSheetScan(file, sheet string) (*sheetScan, error) {
	z, err := zip.OpenReader(file)
	if err != nil {
		return nil, err
	}
	parts := map[string]*zip.File{}
	for _, f := range z.File {
		parts[strings.ReplaceAll(f.Name, "\\", "/")] = f
	}
	part, err := sheetPart(parts, sheet)
	if err != nil {
		z.Close()
		return nil, err
	}
	rc, err := part.Open()
	if err != nil {
		z.Close()
		return nil, err
	}
	return &sheetScan{zr: readCloser{rc, z}, r: bufio.NewReaderSize(rc, 1<<16)}, nil
}

type readCloser struct {
	io.ReadCloser
	z *zip.ReadCloser
}

func (r readCloser) Close() error { return errors.Join(r.ReadCloser.Close(), r.z.Close()) }

func (s *sheetScan) close() error { return s.zr.Close() }

// relationships of an OOXML part, by the local names of their attributes.
type relationships struct {
	Rel []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// sheetPart follows the package's relationships to the part of sheet: the
// office document (the workbook), then the sheet's relationship in it.
func sheetPart(parts map[string]*zip.File, sheet string) (*zip.File, error) {
	var root relationships
	if err := readXMLPart(parts, "_rels/.rels", &root); err != nil {
		return nil, err
	}
	workbook := ""
	for _, r := range root.Rel {
		if r.Type == excelize.SourceRelationshipOfficeDocument {
			workbook = strings.TrimPrefix(r.Target, "/")
			break
		}
	}
	if workbook == "" {
		return nil, errScanGaveUp
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"id,attr"` // r:id
		} `xml:"sheets>sheet"`
	}
	if err := readXMLPart(parts, workbook, &wb); err != nil {
		return nil, err
	}
	var rels relationships
	if err := readXMLPart(parts, path.Join(path.Dir(workbook), "_rels", path.Base(workbook)+".rels"), &rels); err != nil {
		return nil, err
	}
	for _, sh := range wb.Sheets {
		if sh.Name != sheet {
			continue
		}
		for _, r := range rels.Rel {
			if r.ID != sh.ID {
				continue
			}
			target := strings.ReplaceAll(r.Target, "\\", "/")
			name := path.Join(path.Dir(workbook), target)
			if strings.HasPrefix(target, "/") {
				name = path.Clean(target)
			}
			if part, ok := parts[strings.TrimPrefix(name, "/")]; ok {
				return part, nil
			}
		}
	}
	return nil, errScanGaveUp
}

func readXMLPart(parts map[string]*zip.File, name string, v any) error {
	f, ok := parts[name]
	if !ok || f.UncompressedSize64 > xlsxInMemory {
		return errScanGaveUp
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(rc).Decode(v)
}

// rowAt returns the row numbered n, reading on to it; nil when the sheet
// has no such row element or the scan cannot tell. Rows are asked for in
// increasing order.
func (s *sheetScan) rowAt(n int) *scanRow {
	for !s.hasCur || s.cur.num < n {
		if s.hasAhead {
			s.cur, s.ahead = s.ahead, s.cur
			s.hasAhead = false
			continue
		}
		if s.err != nil {
			return nil
		}
		prev := s.cur.num
		if s.err = s.nextRow(&s.cur, prev); s.err != nil {
			return nil
		}
		s.hasCur = true
	}
	if s.cur.num != n {
		return nil
	}
	// Excelize reads a row up to the start of a row numbered after it: a
	// row element numbered no higher would be read into this one. So the
	// next one is read first, and must come after it (nextRow checks).
	if !s.hasAhead && s.err == nil {
		s.err = s.nextRow(&s.ahead, s.cur.num)
		s.hasAhead = s.err == nil
	}
	if !s.hasAhead && s.err != io.EOF {
		return nil
	}
	return &s.cur
}

// token kinds
const (
	tokStart = iota
	tokEnd
	tokEmpty // a self-closing element
)

// nextRow reads the next <row> into row; prev is the number of the row
// before it.
func (s *sheetScan) nextRow(row *scanRow, prev int) error {
	for {
		kind, name, err := s.token()
		if err != nil {
			return err
		}
		if !s.in {
			if kind == tokStart && string(name) == "sheetData" {
				s.in = true
			} else if kind == tokEmpty && string(name) == "sheetData" {
				return io.EOF
			}
			continue
		}
		switch {
		case kind == tokEnd && string(name) == "sheetData":
			return io.EOF
		case kind != tokEnd && string(name) == "row":
			return s.readRow(row, prev, kind == tokEmpty)
		default:
			return errScanGaveUp
		}
	}
}

// readRow reads the cells of the row whose start tag is in s.tag.
// Excelize numbers a row by its r attribute, else by the row before; rows
// out of order are left to it.
func (s *sheetScan) readRow(row *scanRow, prev int, empty bool) error {
	num := prev + 1
	r, ok, exact := attr(s.tag, "r")
	if !exact {
		return errScanGaveUp
	}
	if ok {
		n, err := strconv.Atoi(r)
		if err != nil || n < num || n > excelize.TotalRows {
			return errScanGaveUp
		}
		num = n
	}
	row.num, row.cells = num, row.cells[:0]
	if empty {
		return nil
	}
	col := 0
	for {
		kind, name, err := s.token()
		if err != nil {
			return err
		}
		switch {
		case kind == tokEnd && string(name) == "row":
			return nil
		case kind != tokEnd && string(name) == "c":
			c := scanCell{col: col + 1, vExact: true} // no <v>: ""
			r, rOK, rExact := attr(s.tag, "r")
			st, sOK, sExact := attr(s.tag, "s")
			t, _, tExact := attr(s.tag, "t")
			if !rExact || !sExact || !tExact {
				return errScanGaveUp
			}
			if rOK {
				if c.col, _, err = excelize.CellNameToCoordinates(r); err != nil {
					return errScanGaveUp
				}
			}
			if c.col <= col { // excelize would append it after the cells before
				return errScanGaveUp
			}
			col = c.col
			if sOK {
				if c.s, err = strconv.Atoi(st); err != nil || c.s < 0 {
					return errScanGaveUp
				}
			}
			c.t = t
			if kind == tokStart {
				if err := s.readCell(&c); err != nil {
					return err
				}
			}
			row.cells = append(row.cells, c)
		default:
			return errScanGaveUp
		}
	}
}

// readCell reads the children of a <c>: <v>, <f> and <is>.
func (s *sheetScan) readCell(c *scanCell) error {
	for {
		kind, name, err := s.token()
		if err != nil {
			return err
		}
		switch {
		case kind == tokEnd && string(name) == "c":
			return nil
		case kind == tokEmpty && string(name) == "v":
			c.v, c.vExact = "", true
		case kind == tokStart && string(name) == "v":
			text, err := s.readText("v")
			if err != nil {
				return err
			}
			c.v = string(text)
			c.vExact = bytes.IndexByte(text, '&') < 0 && bytes.IndexByte(text, '\r') < 0
		case kind == tokEmpty && string(name) == "f":
			c.formula = true
		case kind == tokStart && string(name) == "f":
			c.formula = true
			if _, err := s.readText("f"); err != nil {
				return err
			}
		case kind == tokEmpty && string(name) == "is":
		case kind == tokStart && string(name) == "is":
			if err := s.skip("is"); err != nil {
				return err
			}
		default:
			return errScanGaveUp
		}
	}
}

// readText reads the text of an element up to its end tag, which must
// follow; a comment, CDATA or child element inside gives up.
func (s *sheetScan) readText(name string) ([]byte, error) {
	s.text = s.text[:0]
	for {
		chunk, err := s.r.ReadSlice('<')
		if err == bufio.ErrBufferFull {
			s.text = append(s.text, chunk...)
			continue
		}
		if err != nil {
			return nil, errScanGaveUp
		}
		s.text = append(s.text, chunk[:len(chunk)-1]...)
		break
	}
	kind, got, err := s.tagAfterLT()
	if err != nil {
		return nil, errScanGaveUp // a comment inside, say
	}
	if kind != tokEnd || string(got) != name {
		return nil, errScanGaveUp
	}
	return s.text, nil
}

// skip reads past the end of the element name, nested elements and all.
func (s *sheetScan) skip(name string) error {
	depth := 0
	for {
		kind, got, err := s.token()
		if err != nil {
			return err
		}
		switch kind {
		case tokStart:
			depth++
		case tokEnd:
			if depth == 0 {
				if string(got) != name {
					return errScanGaveUp
				}
				return nil
			}
			depth--
		}
	}
}

// token reads past text to the next tag and returns its kind and name;
// s.tag holds the whole tag. The XML declaration, processing instructions
// and comments are passed over; CDATA and DOCTYPE give up, and so does a
// prefixed name (x:row), which excelize reads by its local name.
func (s *sheetScan) token() (int, []byte, error) {
	for {
		if _, err := s.r.ReadSlice('<'); err == bufio.ErrBufferFull {
			continue
		} else if err == io.EOF {
			return 0, nil, io.EOF
		} else if err != nil {
			return 0, nil, errScanGaveUp
		}
		kind, name, err := s.tagAfterLT()
		if err == errSkipped {
			continue
		}
		return kind, name, err
	}
}

var errSkipped = errors.New("not an element")

// tagAfterLT reads a tag whose "<" has just been read.
func (s *sheetScan) tagAfterLT() (int, []byte, error) {
	first, err := s.r.ReadByte()
	if err != nil {
		return 0, nil, errScanGaveUp
	}
	switch first {
	case '?':
		return 0, nil, s.skipPast("?>")
	case '!':
		head, err := s.r.Peek(2)
		if err != nil || string(head) != "--" {
			return 0, nil, errScanGaveUp // CDATA, DOCTYPE
		}
		return 0, nil, s.skipPast("-->")
	}
	s.tag = append(s.tag[:0], first)
	quote := byte(0)
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return 0, nil, errScanGaveUp
		}
		if quote != 0 {
			if c == quote {
				quote = 0
			}
		} else if c == '"' || c == '\'' {
			quote = c
		} else if c == '>' {
			break
		}
		s.tag = append(s.tag, c)
	}
	kind, tag := tokStart, s.tag
	if tag[0] == '/' {
		kind, tag = tokEnd, tag[1:]
	} else if tag[len(tag)-1] == '/' {
		kind, tag = tokEmpty, tag[:len(tag)-1]
	}
	name := tag
	if i := bytes.IndexAny(tag, " \t\r\n"); i >= 0 {
		name = tag[:i]
	}
	// A prefixed name (x:row) matches none of the names looked for, and
	// inside sheetData that gives up: excelize reads it by its local name.
	return kind, name, nil
}

// skipPast reads past the next end, and reports errSkipped.
func (s *sheetScan) skipPast(end string) error {
	last := end[len(end)-1]
	var tail []byte
	for {
		chunk, err := s.r.ReadSlice(last)
		if err == bufio.ErrBufferFull {
			tail = append(tail[:0], chunk[max(0, len(chunk)-len(end)):]...)
			continue
		}
		if err != nil {
			return errScanGaveUp
		}
		tail = append(tail, chunk...)
		if bytes.HasSuffix(tail, []byte(end)) {
			return errSkipped
		}
		tail = append(tail[:0], tail[max(0, len(tail)-len(end)):]...)
	}
}

// attr returns the value of the attribute of a start tag with the local
// name name, as excelize matches attributes. ok is false when there is no
// such attribute, or several, or an entity in one: excelize's reading is
// left to tell those.
func attr(tag []byte, name string) (value string, ok bool, exact bool) {
	i := bytes.IndexAny(tag, " \t\r\n")
	if i < 0 {
		return "", false, true
	}
	rest, found := tag[i:], 0
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			return value, found == 1, found <= 1
		}
		eq := bytes.IndexByte(rest, '=')
		if eq < 0 {
			return "", false, false
		}
		key := bytes.TrimRight(rest[:eq], " \t\r\n")
		if c := bytes.LastIndexByte(key, ':'); c >= 0 {
			key = key[c+1:]
		}
		rest = bytes.TrimLeft(rest[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return "", false, false
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return "", false, false
		}
		v := rest[1 : 1+end]
		rest = rest[2+end:]
		if string(key) == name {
			if bytes.IndexByte(v, '&') >= 0 {
				return "", false, false
			}
			value, found = string(v), found+1
		}
	}
}
