package spreadsheet

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
)

// An XLS file is an OLE2 compound file whose "Workbook" stream holds BIFF8
// records ([MS-XLS]). The format caps a sheet at 65,536 rows and 256
// columns, so a sheet's cells are gathered before its rows are handed out:
// memory is bounded by the file size. Formula cells give their cached
// result; numbers are written in plain digits, dates in the sheet's format.

const (
	maxXLSStream = 512 << 20
	xlsColumns   = 256 // columns in a BIFF8 sheet
)

// BIFF record types.
const (
	recBOF        = 0x0809
	recEOF        = 0x000A
	recFilePass   = 0x002F
	recDateMode   = 0x0022
	recFormat     = 0x041E
	recXF         = 0x00E0
	recBoundSheet = 0x0085
	recSST        = 0x00FC
	recContinue   = 0x003C
	recLabelSST   = 0x00FD
	recLabel      = 0x0204
	recRString    = 0x00D6
	recNumber     = 0x0203
	recRK         = 0x027E
	recMulRK      = 0x00BD
	recBoolErr    = 0x0205
	recFormula    = 0x0006
	recString     = 0x0207
)

type xlsBook struct {
	stream   []byte
	sst      []string
	xfFormat []uint16          // number format id of each XF record
	formats  map[uint16]string // custom number formats by id
	date1904 bool
	sheets   []xlsSheet
}

type xlsSheet struct {
	name string
	pos  int // offset of the sheet's BOF record in the stream
}

func openXLS(path string) (*Book, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	stream, err := workbookStream(f, fi.Size())
	if err != nil {
		return nil, err
	}
	wb, err := parseXLS(stream)
	if err != nil {
		return nil, err
	}
	b := &Book{kind: XLS, xls: wb}
	for _, s := range wb.sheets {
		b.sheets = append(b.sheets, s.name)
	}
	return b, nil
}

// workbookStream returns the BIFF stream of an OLE2 file.
func workbookStream(f io.ReaderAt, size int64) (stream []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			stream, err = nil, fmt.Errorf("%w (internal error: %v)", ErrCorrupt, p)
		}
	}()
	doc, err := mscfb.New(f)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	var book *mscfb.File
	names := map[string]bool{}
	for entry, err := doc.Next(); err == nil; entry, err = doc.Next() {
		names[entry.Name] = true
		if entry.Name == "Workbook" && len(entry.Path) == 0 && book == nil {
			book = entry
		}
	}
	switch {
	case book != nil:
	case names["EncryptedPackage"] || names["EncryptionInfo"]:
		return nil, ErrEncrypted
	case names["Book"]:
		return nil, fmt.Errorf("%w: an Excel 5.0/95 workbook", ErrUnsupported)
	default:
		return nil, fmt.Errorf("%w: an OLE2 file without a workbook (a Word or other Office document?)", ErrUnsupported)
	}
	if book.Size <= 0 || book.Size > size || book.Size > maxXLSStream {
		return nil, fmt.Errorf("%w: workbook stream of %d bytes in a file of %d", ErrCorrupt, book.Size, size)
	}
	stream = make([]byte, book.Size)
	if _, err := io.ReadFull(book, stream); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return stream, nil
}

// record reads the record at pos: its type, its body, and where the next
// record starts.
func record(stream []byte, pos int) (typ uint16, body []byte, next int, err error) {
	if pos < 0 || pos+4 > len(stream) {
		return 0, nil, 0, fmt.Errorf("%w: record at offset %d beyond the end", ErrCorrupt, pos)
	}
	typ = binary.LittleEndian.Uint16(stream[pos:])
	n := int(binary.LittleEndian.Uint16(stream[pos+2:]))
	next = pos + 4 + n
	if next > len(stream) {
		return 0, nil, 0, fmt.Errorf("%w: record at offset %d cut short", ErrCorrupt, pos)
	}
	return typ, stream[pos+4 : next], next, nil
}

// continued gathers the bodies of the CONTINUE records that follow pos.
func continued(stream []byte, pos int) (chunks [][]byte, next int) {
	for {
		typ, body, n, err := record(stream, pos)
		if err != nil || typ != recContinue {
			return chunks, pos
		}
		chunks = append(chunks, body)
		pos = n
	}
}

// parseXLS reads the workbook globals: sheets, shared strings, formats.
func parseXLS(stream []byte) (wb *xlsBook, err error) {
	defer func() {
		if p := recover(); p != nil {
			wb, err = nil, fmt.Errorf("%w (internal error: %v)", ErrCorrupt, p)
		}
	}()
	typ, body, pos, err := record(stream, 0)
	if err != nil {
		return nil, err
	}
	if typ != recBOF || len(body) < 4 {
		if typ&0xFF == 0x09 && typ != recBOF {
			return nil, fmt.Errorf("%w: an Excel 2.0-4.0 workbook", ErrUnsupported)
		}
		return nil, fmt.Errorf("%w: the workbook stream does not start with BOF", ErrCorrupt)
	}
	if vers := binary.LittleEndian.Uint16(body); vers != 0x0600 {
		return nil, fmt.Errorf("%w: an Excel 5.0/95 workbook (BIFF version %#x)", ErrUnsupported, vers)
	}
	wb = &xlsBook{stream: stream, formats: map[uint16]string{}}
	for {
		typ, body, next, err := record(stream, pos)
		if err != nil {
			return nil, err
		}
		switch typ {
		case recEOF:
			if len(wb.sheets) == 0 {
				return nil, fmt.Errorf("%w: no worksheets", ErrCorrupt)
			}
			return wb, nil
		case recFilePass:
			return nil, ErrEncrypted
		case recDateMode:
			wb.date1904 = len(body) >= 2 && body[0] == 1
		case recFormat:
			if len(body) >= 2 {
				s, err := readString(body[2:], nil)
				if err == nil {
					wb.formats[binary.LittleEndian.Uint16(body)] = s
				}
			}
		case recXF:
			if len(body) >= 4 {
				wb.xfFormat = append(wb.xfFormat, binary.LittleEndian.Uint16(body[2:]))
			}
		case recBoundSheet:
			if len(body) < 8 {
				return nil, fmt.Errorf("%w: short BOUNDSHEET record", ErrCorrupt)
			}
			if body[5] != 0 { // chart, macro or VBA sheet
				break
			}
			name, err := shortString(body[6:])
			if err != nil {
				return nil, err
			}
			wb.sheets = append(wb.sheets, xlsSheet{name: name, pos: int(binary.LittleEndian.Uint32(body))})
		case recSST:
			chunks, n := continued(stream, next)
			next = n
			if err := wb.readSST(append([][]byte{body}, chunks...)); err != nil {
				return nil, err
			}
		}
		pos = next
	}
}

// shortString reads a ShortXLUnicodeString (a sheet name).
func shortString(b []byte) (string, error) {
	if len(b) < 2 {
		return "", fmt.Errorf("%w: short sheet name", ErrCorrupt)
	}
	n, high := int(b[0]), b[1]&1 == 1
	b = b[2:]
	if high {
		if len(b) < 2*n {
			return "", fmt.Errorf("%w: sheet name cut short", ErrCorrupt)
		}
		return decodeUTF16(b[:2*n]), nil
	}
	if len(b) < n {
		return "", fmt.Errorf("%w: sheet name cut short", ErrCorrupt)
	}
	return decodeLatin1(b[:n]), nil
}

// chunkReader reads a record body and its CONTINUE records as one stream.
type chunkReader struct {
	chunks [][]byte
	i, off int
}

func (c *chunkReader) advance() bool {
	for c.i < len(c.chunks) && c.off >= len(c.chunks[c.i]) {
		c.i++
		c.off = 0
	}
	return c.i < len(c.chunks)
}

func (c *chunkReader) read(n int) ([]byte, error) {
	if n <= 0 {
		return nil, nil
	}
	if c.advance() && c.off+n <= len(c.chunks[c.i]) { // the usual case
		b := c.chunks[c.i][c.off : c.off+n]
		c.off += n
		return b, nil
	}
	out := make([]byte, 0, n)
	for len(out) < n {
		if !c.advance() {
			return nil, fmt.Errorf("%w: string cut short", ErrCorrupt)
		}
		k := min(n-len(out), len(c.chunks[c.i])-c.off)
		out = append(out, c.chunks[c.i][c.off:c.off+k]...)
		c.off += k
	}
	return out, nil
}

func (c *chunkReader) skip(n int) error {
	for n > 0 {
		if !c.advance() {
			return fmt.Errorf("%w: string cut short", ErrCorrupt)
		}
		k := min(n, len(c.chunks[c.i])-c.off)
		c.off += k
		n -= k
	}
	return nil
}

// str reads an XLUnicodeRichExtendedString (or, with rich false, an
// XLUnicodeString). When its characters run over into a CONTINUE record,
// that record starts with a fresh option byte.
func (c *chunkReader) str() (string, error) {
	h, err := c.read(3)
	if err != nil {
		return "", err
	}
	n, flags := int(binary.LittleEndian.Uint16(h)), h[2]
	runs, ext := 0, 0
	if flags&0x08 != 0 {
		b, err := c.read(2)
		if err != nil {
			return "", err
		}
		runs = int(binary.LittleEndian.Uint16(b))
	}
	if flags&0x04 != 0 {
		b, err := c.read(4)
		if err != nil {
			return "", err
		}
		ext = int(binary.LittleEndian.Uint32(b))
	}
	high := flags&0x01 != 0
	units := make([]uint16, 0, n)
	for len(units) < n {
		if c.i < len(c.chunks) && c.off >= len(c.chunks[c.i]) {
			if !c.advance() {
				return "", fmt.Errorf("%w: string cut short", ErrCorrupt)
			}
			high = c.chunks[c.i][0]&0x01 != 0 // option byte of the continuation
			c.off++
			continue
		}
		if c.i >= len(c.chunks) {
			return "", fmt.Errorf("%w: string cut short", ErrCorrupt)
		}
		chunk := c.chunks[c.i][c.off:]
		if high {
			k := min(n-len(units), len(chunk)/2)
			if k == 0 {
				return "", fmt.Errorf("%w: string split inside a character", ErrCorrupt)
			}
			for j := range k {
				units = append(units, binary.LittleEndian.Uint16(chunk[2*j:]))
			}
			c.off += 2 * k
		} else {
			k := min(n-len(units), len(chunk))
			for j := range k {
				units = append(units, uint16(chunk[j]))
			}
			c.off += k
		}
	}
	if err := c.skip(4*runs + ext); err != nil {
		return "", err
	}
	return string(utf16.Decode(units)), nil
}

// readString reads an XLUnicodeString from b, with its continuation chunks.
func readString(b []byte, more [][]byte) (string, error) {
	c := chunkReader{chunks: append([][]byte{b}, more...)}
	return c.str()
}

func (wb *xlsBook) readSST(chunks [][]byte) error {
	if len(chunks[0]) < 8 {
		return fmt.Errorf("%w: short SST record", ErrCorrupt)
	}
	unique := int(binary.LittleEndian.Uint32(chunks[0][4:]))
	chunks[0] = chunks[0][8:]
	total := 0
	for _, c := range chunks {
		total += len(c)
	}
	// Every string takes at least 3 bytes: never trust the count further.
	wb.sst = make([]string, 0, min(unique, total/3+1))
	c := chunkReader{chunks: chunks}
	for len(wb.sst) < unique {
		s, err := c.str()
		if err != nil {
			return err
		}
		wb.sst = append(wb.sst, s)
	}
	return nil
}

type xlsCell struct {
	row, col int
	val      string
}

// rows reads the cells of one sheet and hands them out row by row.
func (wb *xlsBook) rows(name string) (*Rows, error) {
	var sheet xlsSheet
	for _, s := range wb.sheets {
		if s.name == name {
			sheet = s
			break
		}
	}
	cells, err := wb.readSheet(sheet.pos)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(cells, func(a, b xlsCell) int {
		return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col))
	})
	row, i := 0, 0
	next := func() ([]string, bool, error) {
		if i >= len(cells) {
			return nil, false, nil
		}
		var out []string
		for ; i < len(cells) && cells[i].row == row; i++ {
			c := cells[i]
			for len(out) < c.col {
				out = append(out, "")
			}
			if c.col == len(out) {
				out = append(out, c.val)
			} else {
				out[c.col] = c.val // a second record for the same cell wins
			}
		}
		row++
		return out, true, nil
	}
	return &Rows{next: next}, nil
}

func (wb *xlsBook) readSheet(pos int) (cells []xlsCell, err error) {
	defer func() {
		if p := recover(); p != nil {
			cells, err = nil, fmt.Errorf("%w (internal error: %v)", ErrCorrupt, p)
		}
	}()
	typ, body, pos, err := record(wb.stream, pos)
	if err != nil {
		return nil, err
	}
	if typ != recBOF || len(body) < 4 {
		return nil, fmt.Errorf("%w: the sheet does not start with BOF", ErrCorrupt)
	}
	depth := 1 // charts embedded in the sheet nest their own BOF..EOF
	pending := -1
	for {
		typ, body, next, err := record(wb.stream, pos)
		if err != nil {
			return nil, err
		}
		switch {
		case typ == recBOF:
			depth++
		case typ == recEOF:
			depth--
			if depth == 0 {
				return cells, nil
			}
		case depth > 1:
		case typ == recString && pending >= 0:
			chunks, n := continued(wb.stream, next)
			next = n
			s, err := readString(body, chunks)
			if err != nil {
				return nil, err
			}
			cells[pending].val = s
			pending = -1
		default:
			added, wantString, err := wb.cell(typ, body, &cells)
			if err != nil {
				return nil, err
			}
			if wantString {
				pending = len(cells) - 1
			} else if added > 0 {
				pending = -1
			}
		}
		if len(cells) > 65536*256 {
			return nil, fmt.Errorf("%w: more cells than a sheet can hold", ErrCorrupt)
		}
		pos = next
	}
}

// cell decodes one cell record and appends the cells it holds. wantString
// says the last cell is a formula whose text follows in a STRING record.
func (wb *xlsBook) cell(typ uint16, b []byte, cells *[]xlsCell) (added int, wantString bool, err error) {
	need := 0
	switch typ {
	case recLabelSST, recRK:
		need = 10
	case recLabel, recRString:
		need = 9
	case recNumber, recFormula:
		need = 14
	case recMulRK:
		need = 12
	case recBoolErr:
		need = 8
	default:
		return 0, false, nil // not a cell with a value
	}
	if len(b) < need {
		return 0, false, fmt.Errorf("%w: short cell record %#04x", ErrCorrupt, typ)
	}
	row, col := int(binary.LittleEndian.Uint16(b)), int(binary.LittleEndian.Uint16(b[2:]))
	xf := binary.LittleEndian.Uint16(b[4:])
	last := col
	if typ == recMulRK {
		last = col + (len(b)-6)/6 - 1
	}
	if last >= xlsColumns {
		return 0, false, fmt.Errorf("%w: a cell in column %d, past the last (%d)", ErrCorrupt, last+1, xlsColumns)
	}
	add := func(col int, v string) { *cells = append(*cells, xlsCell{row: row, col: col, val: v}) }
	switch typ {
	case recLabelSST:
		i := int(binary.LittleEndian.Uint32(b[6:]))
		if i >= len(wb.sst) {
			return 0, false, fmt.Errorf("%w: shared string %d of %d", ErrCorrupt, i, len(wb.sst))
		}
		add(col, wb.sst[i])
	case recLabel, recRString:
		s, err := readString(b[6:], nil)
		if err != nil {
			return 0, false, err
		}
		add(col, s)
	case recNumber:
		add(col, wb.number(math.Float64frombits(binary.LittleEndian.Uint64(b[6:])), xf))
	case recRK:
		add(col, wb.number(rk(binary.LittleEndian.Uint32(b[6:])), xf))
	case recMulRK:
		n := (len(b) - 6) / 6
		for i := range n {
			e := b[4+6*i:]
			add(col+i, wb.number(rk(binary.LittleEndian.Uint32(e[2:])), binary.LittleEndian.Uint16(e)))
		}
		return n, false, nil
	case recBoolErr:
		add(col, boolErr(b[6], b[7]))
	case recFormula:
		v := b[6:14]
		if v[6] != 0xFF || v[7] != 0xFF {
			add(col, wb.number(math.Float64frombits(binary.LittleEndian.Uint64(v)), xf))
			break
		}
		switch v[0] {
		case 0:
			add(col, "")
			return 1, true, nil
		case 1, 2:
			add(col, boolErr(v[2], v[0]-1))
		default:
			add(col, "")
		}
	}
	return 1, false, nil
}

func rk(v uint32) float64 {
	var f float64
	if v&0x02 != 0 {
		f = float64(int32(v) >> 2)
	} else {
		f = math.Float64frombits(uint64(v&0xFFFFFFFC) << 32)
	}
	if v&0x01 != 0 {
		f /= 100
	}
	return f
}

func boolErr(v, isErr byte) string {
	if isErr == 0 {
		if v != 0 {
			return "TRUE"
		}
		return "FALSE"
	}
	switch v {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	}
	return "#N/A"
}

// number writes a numeric cell: a date in its format, anything else in
// plain digits, never in exponent form for whole numbers.
func (wb *xlsBook) number(v float64, xf uint16) string {
	if int(xf) < len(wb.xfFormat) {
		id := wb.xfFormat[xf]
		code, builtin := builtinLayouts[id]
		if !builtin {
			code = wb.formats[id]
		}
		if builtinDate(id) || isDateFormat(code) {
			if s, ok := formatDate(v, code, wb.date1904); ok {
				return s
			}
		}
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e21 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func decodeUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

func decodeLatin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
