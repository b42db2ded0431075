package store

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Rows are kept in blocks of up to blockRows rows of one table, each block
// one row of row_blocks: storing a million rows one by one costs SQLite
// seconds of B-tree work, storing four thousand blocks costs almost none.
// A row's id is its block's id times blockRows plus its place in the block,
// so finding a row is finding one block.
const blockRows = 256

// RowID is the id of the row at index i of block id.
func rowID(block int64, i int) int64 { return block*blockRows + int64(i) }

// blockOf splits a row id into its block and index.
func blockOf(row int64) (block int64, i int) { return row / blockRows, int(row % blockRows) }

// Row is one stored row of an imported table.
type Row struct {
	ID     int64
	Line   int      // 1-based line or row in its file
	Fields []string // in the order of its table's header
	Links  []Link   // numbers found in the row
}

// Link ties a number to the row and column it was found in.
type Link struct {
	Key uint64 // E.164 digits
	Col int    // 0-based column
	Ext string // extension written with the number
}

// blockBuilder packs rows and their links. The encoding, all integers as
// uvarints and strings as length and bytes:
//
//	rows   count, then per row: line, field count, fields
//	links  count, then per link: row index, key, column, extension
type blockBuilder struct {
	rows, links   []byte
	nRows, nLinks int
}

func (b *blockBuilder) full() bool { return b.nRows == blockRows }

// addRow adds a row and returns its index in the block.
func (b *blockBuilder) addRow(line int, fields []string) int {
	b.rows = binary.AppendUvarint(b.rows, uint64(line))
	b.rows = binary.AppendUvarint(b.rows, uint64(len(fields)))
	for _, f := range fields {
		b.rows = appendString(b.rows, f)
	}
	b.nRows++
	return b.nRows - 1
}

// addLink links a number to row i of the block.
func (b *blockBuilder) addLink(i int, l Link) {
	b.links = binary.AppendUvarint(b.links, uint64(i))
	b.links = binary.AppendUvarint(b.links, l.Key)
	b.links = binary.AppendUvarint(b.links, uint64(l.Col))
	b.links = appendString(b.links, l.Ext)
	b.nLinks++
}

// encode returns the block's bytes and empties the builder.
func (b *blockBuilder) encode() []byte {
	out := make([]byte, 0, len(b.rows)+len(b.links)+2*binary.MaxVarintLen64)
	out = binary.AppendUvarint(out, uint64(b.nRows))
	out = append(out, b.rows...)
	out = binary.AppendUvarint(out, uint64(b.nLinks))
	out = append(out, b.links...)
	b.rows, b.links, b.nRows, b.nLinks = b.rows[:0], b.links[:0], 0, 0
	return out
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

var errBadBlock = errors.New("damaged row block")

// decodeBlock unpacks the rows of block id.
func decodeBlock(id int64, data []byte) ([]Row, error) {
	d := decoder{data: data}
	n := d.count()
	rows := make([]Row, 0, n)
	for i := range n {
		r := Row{ID: rowID(id, i), Line: int(d.uvarint())}
		nf := d.count()
		r.Fields = make([]string, nf)
		for j := range r.Fields {
			r.Fields[j] = d.string()
		}
		rows = append(rows, r)
	}
	for range d.count() {
		i := d.uvarint()
		l := Link{Key: d.uvarint()}
		col := d.uvarint()
		l.Ext = d.string()
		if i >= uint64(len(rows)) || col >= uint64(len(rows[i].Fields)) {
			d.err = errBadBlock
			break
		}
		l.Col = int(col)
		rows[i].Links = append(rows[i].Links, l)
	}
	if d.err == nil && len(d.data) > 0 {
		d.err = errBadBlock
	}
	if d.err != nil {
		return nil, fmt.Errorf("row block %d: %w", id, d.err)
	}
	return rows, nil
}

// decoder reads uvarints and strings until the first error, which sticks.
type decoder struct {
	data []byte
	err  error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data)
	if n <= 0 {
		d.err = errBadBlock
		return 0
	}
	d.data = d.data[n:]
	return v
}

// count reads a uvarint that counts things stored after it, each at least
// a byte long, so it can be no larger than the bytes left.
func (d *decoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.data)) {
		d.err = errBadBlock
		return 0
	}
	return int(v)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.data)) {
		d.err = errBadBlock
		return ""
	}
	s := string(d.data[:n])
	d.data = d.data[n:]
	return s
}
