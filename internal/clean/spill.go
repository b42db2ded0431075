package clean

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// spill is a temporary file that keeps what the output needs until the
// whole input is read, so memory does not grow with the input. A record
// is its length, then its fields: strings length-prefixed (unlike CSV,
// every byte comes back as it went in) and numbers as varints.
type spill struct {
	f   *os.File
	w   *bufio.Writer
	hdr [binary.MaxVarintLen64]byte
}

func newSpill() (*spill, error) {
	f, err := os.CreateTemp("", "callbase-clean-*") // created 0600
	if err != nil {
		return nil, err
	}
	// Unlinked at once: the data has no name, and a killed run leaves none
	// of it behind (where the system allows removing an open file).
	os.Remove(f.Name())
	return &spill{f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

func (s *spill) write(rec record) error {
	n := binary.PutUvarint(s.hdr[:], uint64(len(rec)))
	if _, err := s.w.Write(s.hdr[:n]); err != nil {
		return err
	}
	_, err := s.w.Write(rec)
	return err
}

// reader rewinds the file to read the records back in the order they were
// written.
func (s *spill) reader() (*spillReader, error) {
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	size, err := s.f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return &spillReader{f: s.f, r: bufio.NewReaderSize(s.f, 1<<16), left: size}, nil
}

func (s *spill) remove() {
	s.f.Close()
	os.Remove(s.f.Name()) // gone already, except on systems that refuse
}

type spillReader struct {
	f    *os.File
	r    *bufio.Reader // over f, for next
	left int64         // bytes of f that read has yet to return
}

// read appends to buf the next bytes of the file, up to n; io.EOF once
// there are none. Past what next buffered, they go from the file to buf
// directly, without a copy in between.
func (sr *spillReader) read(buf []byte, n int) ([]byte, error) {
	return sr.readAtLeast(buf, n, 1)
}

// readFull appends the next n bytes of the file to buf, or fails with
// errCorrupt when the file holds fewer: a record's length says n.
func (sr *spillReader) readFull(buf []byte, n int) ([]byte, error) {
	if int64(n) > sr.left {
		return buf, errCorrupt
	}
	buf, err := sr.readAtLeast(buf, n, n)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = errCorrupt
	}
	return buf, err
}

func (sr *spillReader) readAtLeast(buf []byte, n, least int) ([]byte, error) {
	var from io.Reader = sr.f
	if sr.r.Buffered() > 0 {
		from = sr.r
	}
	buf = slices.Grow(buf, n)
	got, err := io.ReadAtLeast(from, buf[len(buf):len(buf)+n], least)
	sr.left -= int64(got)
	return buf[:len(buf)+got], err
}

// next appends the next record to buf; io.EOF after the last.
func (sr *spillReader) next(buf []byte) ([]byte, error) {
	n, err := binary.ReadUvarint(sr.r)
	if errors.Is(err, io.EOF) {
		return buf, io.EOF
	}
	if err == nil {
		start := len(buf)
		if n > uint64(1<<31) {
			err = fmt.Errorf("record of %d bytes", n)
		} else {
			buf = append(buf, make([]byte, n)...)
			_, err = io.ReadFull(sr.r, buf[start:])
		}
	}
	if err != nil {
		return buf, fmt.Errorf("read back temporary file: %w", err)
	}
	return buf, nil
}

// record is one spill record being built.
type record []byte

func (r record) str(s string) record {
	return append(binary.AppendUvarint(r, uint64(len(s))), s...)
}

func (r record) num(v int) record { return binary.AppendUvarint(r, uint64(v)) }

// cells appends the cells of a row: their count and lengths, then their
// bytes one after another, which the formatter looks at in one go.
func (r record) cells(cells []string) record {
	r = r.num(len(cells))
	for _, c := range cells {
		r = r.num(len(c))
	}
	for _, c := range cells {
		r = append(r, c...)
	}
	return r
}

// fields reads the fields of a record back, in the order written, from a
// string or from bytes. The fields share the memory of the record. It
// moves on by an index, not by cutting s: storing a string through a
// pointer costs a write barrier while the collector runs, a tenth of
// reading the fields.
type fields[T string | []byte] struct {
	s   T
	at  int  // where the next field starts
	bad bool // the record ended early
}

func (f *fields[T]) more() bool { return f.at < len(f.s) }

// left is the bytes after the fields read.
func (f *fields[T]) left() int { return len(f.s) - f.at }

// fail marks the record bad and ends it.
func (f *fields[T]) fail() { f.bad, f.at = true, len(f.s) }

// num reads a number. Every number written (a length, a line, an index)
// is an int that is not negative: one past math.MaxInt is damage, and
// would read as negative, and slice or index out of range.
func (f *fields[T]) num() int {
	var v uint64
	for i, shift := f.at, uint(0); i < len(f.s) && shift < 64; i, shift = i+1, shift+7 {
		b := f.s[i]
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			if v > math.MaxInt {
				break
			}
			f.at = i + 1
			return int(v)
		}
	}
	f.fail()
	return 0
}

func (f *fields[T]) str() T {
	n := f.num()
	if n > f.left() {
		f.fail()
		return f.s[:0]
	}
	s := f.s[f.at : f.at+n]
	f.at += n
	return s
}

// cells reads what record.cells wrote, which ends the record: the lengths
// of the cells into lens, and their bytes, one after another.
func (f *fields[T]) cells(lens []int) ([]int, T) {
	n, total := f.num(), 0
	for range min(n, f.left()) { // each length takes a byte at least
		l := f.num()
		if l > f.left() {
			f.bad = true
			break
		}
		lens, total = append(lens, l), total+l
	}
	if len(lens) != n || total != f.left() {
		f.bad = true
	}
	if f.bad {
		return lens[:0], f.s[:0]
	}
	run := f.s[f.at:]
	f.at = len(f.s)
	return lens, run
}

var errCorrupt = errors.New("read back temporary file: a record is cut short")
