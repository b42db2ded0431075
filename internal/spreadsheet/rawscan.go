package spreadsheet

import (
	"archive/zip"
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
	w        window
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
	ra := newReadAhead(rc)
	return &sheetScan{zr: readCloser{ra, rc, z}, w: window{r: ra, buf: make([]byte, windowSize)}}, nil
}

type readCloser struct {
	ra *readAhead
	rc io.ReadCloser
	z  *zip.ReadCloser
}

func (r readCloser) Read(p []byte) (int, error) { return r.ra.Read(p) }

func (r readCloser) Close() error {
	r.ra.close() // first: its goroutine reads rc
	return errors.Join(r.rc.Close(), r.z.Close())
}

// readAhead inflates the sheet part in its own goroutine, a few chunks
// ahead of the scan: inflating is most of what the scan costs (4 of 10 s
// CPU on 1M rows), and the scan runs on the goroutine that reads the sheet
// through excelize, the one an import waits for.
type readAhead struct {
	full chan chunk  // inflated chunks, in order
	free chan []byte // chunks to fill again
	stop chan struct{}
	done chan struct{}
	cur  []byte // what is left of the chunk being read
	last []byte // that chunk, to hand back
	err  error
}

type chunk struct {
	b   []byte
	err error
}

const (
	aheadChunks    = 4
	aheadChunkSize = 64 << 10
)

func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{full: make(chan chunk, aheadChunks), free: make(chan []byte, aheadChunks),
		stop: make(chan struct{}), done: make(chan struct{})}
	for range aheadChunks {
		ra.free <- make([]byte, aheadChunkSize)
	}
	go func() {
		defer close(ra.done)
		defer close(ra.full)
		for {
			var buf []byte
			select {
			case buf = <-ra.free:
			case <-ra.stop:
				return
			}
			n, err := io.ReadFull(r, buf)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			select {
			case ra.full <- chunk{buf[:n], err}:
			case <-ra.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ra
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.last != nil {
			ra.free <- ra.last[:cap(ra.last)] // never blocks: it holds every chunk
			ra.last = nil
		}
		c, ok := <-ra.full
		if !ok {
			return 0, io.EOF
		}
		ra.cur, ra.last, ra.err = c.b, c.b, c.err
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

func (ra *readAhead) close() {
	close(ra.stop)
	<-ra.done
}

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
		if s.err = s.nextRow(&s.cur, prev, n); s.err != nil {
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
		s.err = s.nextRow(&s.ahead, s.cur.num, 0)
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
// before it. The cells of a row numbered below want are skipped unread.
func (s *sheetScan) nextRow(row *scanRow, prev, want int) error {
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
			return s.readRow(row, prev, want, kind == tokEmpty)
		default:
			return errScanGaveUp
		}
	}
}

// readRow reads the cells of the row whose start tag is in s.tag.
// Excelize numbers a row by its r attribute, else by the row before; rows
// out of order are left to it.
func (s *sheetScan) readRow(row *scanRow, prev, want int, empty bool) error {
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
	if num < want {
		return s.skipRow()
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
		w := &s.w
		if i := bytes.IndexByte(w.buf[w.pos:w.end], '<'); i >= 0 {
			s.text = append(s.text, w.buf[w.pos:w.pos+i]...)
			w.pos += i + 1
			break
		}
		s.text = append(s.text, w.buf[w.pos:w.end]...)
		w.pos = w.end
		if !w.fill() {
			return nil, errScanGaveUp
		}
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

// skipRow reads past the end tag of the row begun, without reading its
// cells: most rows are never asked for. Between tags a row holds no "<",
// unless in a comment or CDATA ("<!"), where the scan gives up.
func (s *sheetScan) skipRow() error {
	w := &s.w
	for {
		rest := w.buf[w.pos:w.end]
		if i := bytes.Index(rest, []byte("</row")); i >= 0 && i+5 < len(rest) {
			if bytes.Contains(rest[:i], []byte("<!")) {
				return errScanGaveUp
			}
			switch rest[i+5] {
			case '>', ' ', '\t', '\r', '\n':
			default:
				return errScanGaveUp
			}
			w.pos += i + 1
			kind, name, err := s.tagAfterLT()
			if err != nil || kind != tokEnd || string(name) != "row" {
				return errScanGaveUp
			}
			return nil
		}
		// Keep the last bytes, which may begin the end tag.
		keep := min(len(rest), 5)
		if bytes.Contains(rest[:len(rest)-keep], []byte("<!")) {
			return errScanGaveUp
		}
		w.pos = w.end - keep
		if !w.fill() {
			return errScanGaveUp
		}
	}
}

// token reads past text to the next tag and returns its kind and name;
// s.tag holds the whole tag. The XML declaration, processing instructions
// and comments are passed over; CDATA and DOCTYPE give up. A prefixed
// name (x:row) matches none of the names looked for, and inside sheetData
// that gives up: excelize reads it by its local name.
func (s *sheetScan) token() (int, []byte, error) {
	w := &s.w
	for {
		if i := bytes.IndexByte(w.buf[w.pos:w.end], '<'); i >= 0 {
			w.pos += i + 1
		} else {
			w.pos = w.end
			if !w.fill() {
				if w.err == io.EOF {
					return 0, nil, io.EOF
				}
				return 0, nil, errScanGaveUp
			}
			continue
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
	w := &s.w
	if !w.ensure(3) {
		return 0, nil, errScanGaveUp
	}
	switch head := w.buf[w.pos:]; {
	case head[0] == '?':
		return 0, nil, s.skipPast("?>")
	case head[0] == '!':
		if head[1] != '-' || head[2] != '-' {
			return 0, nil, errScanGaveUp // CDATA, DOCTYPE
		}
		return 0, nil, s.skipPast("-->")
	}
	s.tag = s.tag[:0]
	quote := byte(0)
	for {
		if w.pos == w.end && !w.fill() {
			return 0, nil, errScanGaveUp
		}
		c := w.buf[w.pos]
		w.pos++
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
	if len(s.tag) == 0 {
		return 0, nil, errScanGaveUp
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
	return kind, name, nil
}

// skipPast reads past the next end, and reports errSkipped.
func (s *sheetScan) skipPast(end string) error {
	w := &s.w
	for {
		if i := bytes.Index(w.buf[w.pos:w.end], []byte(end)); i >= 0 {
			w.pos += i + len(end)
			return errSkipped
		}
		w.pos = max(w.pos, w.end-len(end)+1)
		if !w.fill() {
			return errScanGaveUp
		}
	}
}

// windowSize bounds the longest tag the scan reads.
const windowSize = 256 << 10

// window is the part of the sheet's XML at hand: buf[pos:end].
type window struct {
	r        io.Reader
	buf      []byte
	pos, end int
	err      error // what ended the input: io.EOF when it is all read
}

// fill reads more input, keeping buf[pos:end]; false when none came.
func (w *window) fill() bool {
	if w.err != nil {
		return false
	}
	if w.pos > 0 {
		w.end = copy(w.buf, w.buf[w.pos:w.end])
		w.pos = 0
	}
	for w.end < len(w.buf) {
		n, err := w.r.Read(w.buf[w.end:])
		w.end += n
		if err != nil {
			w.err = err
			if err != io.EOF {
				w.err = errScanGaveUp
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	return false // a token longer than the window
}

// ensure makes n bytes at hand; false when the input ends first.
func (w *window) ensure(n int) bool {
	for w.end-w.pos < n {
		if !w.fill() {
			return false
		}
	}
	return true
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
