package ingest

import (
	"bytes"
	"io"
	"strings"

	"github.com/callbase/callbase/internal/textblock"
)

// csvReader reads CSV records exactly as encoding/csv does with Comma set
// to an ASCII delimiter, LazyQuotes, FieldsPerRecord -1 and no Comment: the
// same fields, the same lines of the first and last field (FieldPos), the
// same InputOffset, the same errors from the underlying reader. The
// differential tests and FuzzCSVReader hold it to that.
//
// It exists for speed: reading a base is the one serial step in front of
// the parallel normalizers. It scans a large buffer with bytes.IndexByte
// instead of going through bufio.ReadSlice, and a line without quotes (most
// lines of a base) is copied once, into the arena, and sliced into its
// fields, with no record buffer and no per-field bookkeeping.
type csvReader struct {
	r        io.Reader
	delim    byte
	chunk    int    // most bytes asked of r at once: bounds the read-ahead
	buf      []byte // buf[pos:end] is read and not yet parsed
	pos, end int
	err      error // from r, returned once buf[pos:end] has no line end left

	numLine     int   // lines read so far
	offset      int64 // bytes parsed so far: InputOffset
	first, last int   // lines of the first and last field of the last record

	rec  []byte // the fields of a record with quotes, unescaped, one after another
	ends []int  // where each of those fields ends in rec

	arena arena
}

// arena is where records are cut from: the text of many records is copied
// into one block, and their fields into one slice, rather than each record
// into a string and a slice of its own. A base of a million rows made two
// million small objects otherwise, a fifth of the reader's time. A field
// keeps its block alive: whoever keeps a cell past its row keeps a clone.
type arena struct {
	text   textblock.Blocks // the text of the records
	fields []string         // room for the fields of the records to come
}

const (
	arenaText   = 64 << 10
	arenaFields = 4096
)

func newArena() arena { return arena{text: textblock.Blocks{Size: arenaText}} }

// str returns a string of b's bytes.
func (a *arena) str(b []byte) string { return a.text.Cut(b) }

// record returns n empty fields, capped: appending to them copies.
func (a *arena) record(n int) []string {
	if len(a.fields) < n {
		a.fields = make([]string, max(arenaFields, n))
	}
	rec := a.fields[:n:n]
	a.fields = a.fields[n:]
	return rec
}

const (
	// csvChunk bounds how far the reader reads ahead of the record it
	// returns: guard.mark relies on it staying well under 64 KB.
	csvChunk   = 16 << 10
	csvBufSize = 64 << 10
)

func newCSVReader(r io.Reader, delim byte) *csvReader {
	return newCSVReaderSize(r, delim, csvBufSize, csvChunk)
}

// newCSVReaderSize is for tests, which use tiny sizes to reach the
// buffer's edges.
func newCSVReaderSize(r io.Reader, delim byte, size, chunk int) *csvReader {
	return &csvReader{r: r, delim: delim, chunk: chunk, buf: make([]byte, max(size, chunk)), arena: newArena()}
}

// InputOffset is the byte offset of the end of the last record.
func (r *csvReader) InputOffset() int64 { return r.offset }

// Lines returns the lines where the first and the last field of the last
// record start: FieldPos(0) and FieldPos(len-1) of encoding/csv.
func (r *csvReader) Lines() (first, last int) { return r.first, r.last }

// fill reads once more into the buffer, making room first: it moves the
// unread bytes to the front and grows the buffer for a long line.
func (r *csvReader) fill() {
	if len(r.buf)-r.end < r.chunk {
		n := copy(r.buf, r.buf[r.pos:r.end])
		if len(r.buf)-n < r.chunk {
			b := make([]byte, 2*len(r.buf))
			copy(b, r.buf[:n])
			r.buf = b
		}
		r.pos, r.end = 0, n
	}
	// As bufio: a reader that keeps returning nothing fails after 100 tries.
	for range 100 {
		n, err := r.r.Read(r.buf[r.end : r.end+r.chunk])
		if n < 0 || n > r.chunk {
			panic("csv: reader returned a bad count")
		}
		r.end += n
		if err != nil {
			r.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	r.err = io.ErrNoProgress
}

// readLine is encoding/csv's readLine over bufio.ReadSlice: the next line
// with its '\n', or what is left before an error; at EOF a last '\r' is
// dropped, and "\r\n" at the end becomes "\n". The line is valid until the
// next call.
func (r *csvReader) readLine() ([]byte, error) {
	var line []byte
	var err error
	searched := 0
	for {
		if i := bytes.IndexByte(r.buf[r.pos+searched:r.end], '\n'); i >= 0 {
			end := r.pos + searched + i + 1
			line = r.buf[r.pos:end]
			r.pos = end
			break
		}
		if r.err != nil {
			line = r.buf[r.pos:r.end]
			r.pos = r.end
			err, r.err = r.err, nil
			break
		}
		searched = r.end - r.pos
		r.fill()
	}
	n := len(line)
	r.numLine++
	r.offset += int64(n)
	if n > 0 && err == io.EOF {
		err = nil
		if line[n-1] == '\r' {
			line = line[:n-1]
			n--
		}
	}
	if n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// Read returns the next record. It returns io.EOF at the end, and an error
// of the underlying reader with the fields read before it.
func (r *csvReader) Read() ([]string, error) {
	var line []byte
	var errRead error
	for errRead == nil {
		line, errRead = r.readLine()
		if errRead == nil && len(line) == lengthNL(line) {
			continue // an empty line
		}
		break
	}
	if errRead == io.EOF {
		return nil, errRead
	}
	r.first, r.last = r.numLine, r.numLine
	if bytes.IndexByte(line, '"') < 0 {
		return r.split(line[:len(line)-lengthNL(line)]), errRead
	}
	return r.parse(line, errRead)
}

// split cuts a line without quotes at the delimiters.
func (r *csvReader) split(line []byte) []string {
	n := bytes.Count(line, []byte{r.delim}) + 1
	s := r.arena.str(line)
	rec := r.arena.record(n)
	for i := range n - 1 {
		j := strings.IndexByte(s, r.delim)
		rec[i], s = s[:j], s[j+1:]
	}
	rec[n-1] = s
	return rec
}

// parse is encoding/csv's readRecord for a record with quotes, with
// LazyQuotes: a quote opens a quoted field only at the start of a field,
// and inside one a quote not followed by a quote, the delimiter or the
// line end is kept as it is.
func (r *csvReader) parse(line []byte, errRead error) ([]string, error) {
	r.rec, r.ends = r.rec[:0], r.ends[:0]
	posLine := r.numLine
fields:
	for {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, r.delim)
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			r.rec = append(r.rec, field...)
			r.ends = append(r.ends, len(r.rec))
			r.last = posLine
			if i < 0 {
				break fields
			}
			line = line[i+1:]
			continue
		}
		fieldLine := posLine
		line = line[1:]
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				r.rec = append(r.rec, line[:i]...)
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"': // "" is a quote
					r.rec = append(r.rec, '"')
					line = line[1:]
				case len(line) > 0 && line[0] == r.delim: // the field ends
					r.ends = append(r.ends, len(r.rec))
					r.last = fieldLine
					line = line[1:]
					continue fields
				case len(line) == lengthNL(line): // the record ends
					r.ends = append(r.ends, len(r.rec))
					r.last = fieldLine
					break fields
				default: // a bare quote
					r.rec = append(r.rec, '"')
				}
			case len(line) > 0: // the field goes on past the line end
				r.rec = append(r.rec, line...)
				if errRead != nil {
					break fields
				}
				line, errRead = r.readLine()
				if len(line) > 0 {
					posLine++
				}
				if errRead == io.EOF {
					errRead = nil
				}
			default: // the input ends inside the quotes
				r.ends = append(r.ends, len(r.rec))
				r.last = fieldLine
				break fields
			}
		}
	}
	if len(r.ends) == 0 {
		return nil, errRead // cut short by an error, as encoding/csv
	}
	s := r.arena.str(r.rec)
	rec := r.arena.record(len(r.ends))
	from := 0
	for i, to := range r.ends {
		rec[i] = s[from:to]
		from = to
	}
	return rec, errRead
}
