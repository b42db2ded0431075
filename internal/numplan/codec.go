package numplan

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// magic starts the compact form; the last byte is its version.
const magic = "numplan\x01"

// maxDecoded bounds the decompressed size Decode accepts (a full plan is a few MB).
const maxDecoded = 64 << 20

// MarshalBinary returns the plan in compact, gzip-compressed form, for storing it (for
// example as a database blob). Decode reads it back into an identical plan.
func (p *Plan) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(magic)
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(p.appendRaw(nil)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// appendRaw appends the uncompressed form: uvarints and length-prefixed strings.
func (p *Plan) appendRaw(raw []byte) []byte {
	str := func(s string) {
		raw = binary.AppendUvarint(raw, uint64(len(s)))
		raw = append(raw, s...)
	}
	str(p.info.Source)
	str(p.info.Date)
	raw = binary.AppendUvarint(raw, uint64(len(p.ops)))
	for _, o := range p.ops {
		str(o)
	}
	raw = binary.AppendUvarint(raw, uint64(len(p.terrs)))
	for i, t := range p.terrs {
		str(t)
		raw = binary.AppendUvarint(raw, uint64(len(p.zones[i])))
		for _, z := range p.zones[i] {
			str(z)
		}
	}
	raw = binary.AppendUvarint(raw, uint64(len(p.from)))
	next := uint64(first)
	for i := range p.from {
		raw = binary.AppendUvarint(raw, p.from[i]-next)
		raw = binary.AppendUvarint(raw, p.to[i]-p.from[i])
		raw = binary.AppendUvarint(raw, uint64(p.op[i]))
		raw = binary.AppendUvarint(raw, uint64(p.terr[i]))
		next = p.to[i] + 1
	}
	return raw
}

var errCorrupt = errors.New("numbering plan data is corrupt")

// Decode reads a plan written by MarshalBinary. Damaged data is an error, never a panic.
func Decode(data []byte) (*Plan, error) {
	if len(data) < len(magic) || !bytes.HasPrefix(data, []byte(magic[:len(magic)-1])) {
		return nil, fmt.Errorf("%w: not a numbering plan", errCorrupt)
	}
	if data[len(magic)-1] != magic[len(magic)-1] {
		return nil, fmt.Errorf("numbering plan format version %d is not supported", data[len(magic)-1])
	}
	zr, err := gzip.NewReader(bytes.NewReader(data[len(magic):]))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if len(raw) > maxDecoded {
		return nil, fmt.Errorf("%w: too large", errCorrupt)
	}
	return decodeRaw(raw)
}

// decodeRaw reads the uncompressed form.
func decodeRaw(raw []byte) (*Plan, error) {
	d := decoder{b: raw}
	source, date := d.str(), d.str()
	b := newBuilder(source, date)
	nOps := d.count()
	for range nOps {
		b.ops = append(b.ops, d.str())
	}
	nTerrs := d.count()
	for range nTerrs {
		b.terrs = append(b.terrs, d.str())
		var zones []string
		for range d.count() {
			zones = append(zones, d.str())
		}
		b.zones = append(b.zones, zones)
	}
	n := d.count()
	next := uint64(first)
	for range n {
		from := next + d.uvarint()
		to := from + d.uvarint()
		op, terr := d.uvarint(), d.uvarint()
		if d.err != nil {
			break
		}
		r := Range{From: from, To: to}
		if from < next || to < from || r.valid() != nil || op >= uint64(nOps) || terr >= uint64(nTerrs) {
			return nil, errCorrupt
		}
		b.from = append(b.from, from)
		b.to = append(b.to, to)
		b.op = append(b.op, uint32(op))
		b.terr = append(b.terr, uint32(terr))
		b.pos = append(b.pos, nil)
		next = to + 1
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, errCorrupt
	}
	return b.build()
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length that must fit in what is left of the data.
func (d *decoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.err = errCorrupt
		return 0
	}
	return int(v)
}

func (d *decoder) str() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
