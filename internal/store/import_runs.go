package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// runs holds the sorted runs of an import's new numbers that did not fit in
// memory, in a temporary file, so that Finish can merge them with the last
// run into one stream sorted by key. Writing numbers to SQLite in key order
// walks its B-trees once; writing each run in its own pass inserts into the
// middle of pages the earlier passes filled, which costs SQLite about three
// times as much per number. (5M numbers in five passes of 1M took 79 s.)
type runs struct {
	f      *os.File
	remove bool // the file could not be unlinked while open
	w      *bufio.Writer
	size   int64   // bytes written
	ends   []int64 // where each run ends in the file
}

// recordSize is a pendingNumber on disk: key, row, place, kind, dead.
const recordSize = 8 + 8 + 4 + 2 + 1

// spill writes p, sorted by key, as one run.
func (r *runs) spill(p []pendingNumber) error {
	if r.f == nil {
		f, err := os.CreateTemp("", "callbase-import-*")
		if err != nil {
			return fmt.Errorf("spill numbers: %w", err)
		}
		// Unlinked at once where the system allows it: the numbers are
		// personal data and must not outlive a killed import.
		r.f, r.remove = f, os.Remove(f.Name()) != nil
		r.w = bufio.NewWriterSize(f, 1<<16)
	}
	var rec [recordSize]byte
	for _, n := range p {
		binary.LittleEndian.PutUint64(rec[0:], n.key)
		binary.LittleEndian.PutUint64(rec[8:], uint64(n.row))
		binary.LittleEndian.PutUint32(rec[16:], n.place)
		binary.LittleEndian.PutUint16(rec[20:], n.kind)
		rec[22] = 0
		if n.dead {
			rec[22] = 1
		}
		if _, err := r.w.Write(rec[:]); err != nil {
			return fmt.Errorf("spill numbers: %w", err)
		}
	}
	r.size += int64(len(p)) * recordSize
	r.ends = append(r.ends, r.size)
	return nil
}

// mergeChunk is how many numbers merge hands on at a time.
const mergeChunk = 1 << 16

// merge hands emit every spilled number and those of last (sorted by key),
// in key order, a chunk at a time. The chunk is reused after emit returns.
func (r *runs) merge(last []pendingNumber, emit func([]pendingNumber) error) error {
	if err := r.w.Flush(); err != nil {
		return fmt.Errorf("spill numbers: %w", err)
	}
	type source struct {
		rd   *bufio.Reader
		head pendingNumber
		ok   bool
	}
	read := func(s *source) error {
		var rec [recordSize]byte
		if _, err := io.ReadFull(s.rd, rec[:]); err != nil {
			if errors.Is(err, io.EOF) {
				s.ok = false
				return nil
			}
			return fmt.Errorf("read spilled numbers: %w", err)
		}
		s.head = pendingNumber{key: binary.LittleEndian.Uint64(rec[0:]), row: int64(binary.LittleEndian.Uint64(rec[8:])),
			place: binary.LittleEndian.Uint32(rec[16:]), kind: binary.LittleEndian.Uint16(rec[20:]), dead: rec[22] == 1}
		s.ok = true
		return nil
	}
	srcs := make([]*source, len(r.ends))
	start := int64(0)
	for i, end := range r.ends {
		srcs[i] = &source{rd: bufio.NewReaderSize(io.NewSectionReader(r.f, start, end-start), 1<<16)}
		if err := read(srcs[i]); err != nil {
			return err
		}
		start = end
	}
	out := make([]pendingNumber, 0, mergeChunk)
	for {
		// The runs are few (one per pendingMax numbers): a linear look
		// for the smallest head is as fast as a heap here. Ties go to
		// the earlier run, and the runs go before last: a number's
		// occurrences come out in file order (see writer.chunk).
		var min *source
		for _, s := range srcs {
			if s.ok && (min == nil || s.head.key < min.head.key) {
				min = s
			}
		}
		switch {
		case min == nil && len(last) == 0:
			if len(out) > 0 {
				return emit(out)
			}
			return nil
		case min == nil || (len(last) > 0 && last[0].key < min.head.key):
			out = append(out, last[0])
			last = last[1:]
		default:
			out = append(out, min.head)
			if err := read(min); err != nil {
				return err
			}
		}
		if len(out) == mergeChunk {
			if err := emit(out); err != nil {
				return err
			}
			out = out[:0]
		}
	}
}

// close removes the file.
func (r *runs) close() {
	if r.f != nil {
		r.f.Close()
		if r.remove {
			os.Remove(r.f.Name())
		}
		r.f = nil
	}
}
