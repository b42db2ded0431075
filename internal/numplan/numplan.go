// Package numplan is the Russian numbering plan: the registry of issued number ranges
// (ABC landline and DEF mobile codes of country code 7) with the operator and territory
// of each range, and the IANA time zones of each territory.
//
// A Plan is built from registry files as published by the Ministry of Digital Development
// (Parse, New), or taken from the copy embedded in the binary (Embedded), and stored in
// compact form (MarshalBinary, Decode). Numbers are E.164 digits as a uint64:
// +7 916 123-45-67 is 79161234567.
//
// Zones work without system tzdata: the package imports time/tzdata.
package numplan

import (
	"fmt"
	"iter"
	"path/filepath"
	"slices"
	"strings"
)

const (
	first   = 70_000_000_000 // +7 000 000-00-00, the first number of country code 7
	last    = 79_999_999_999 // +7 999 999-99-99
	block   = 10_000_000     // numbers under one 3-digit ABC/DEF code
	codes   = 1000           // 3-digit codes 000..999
	slice   = 1_000_000      // numbers in a slice of the lookup index
	nslices = (last - first + 1) / slice
)

// Range is one issued range of the registry.
type Range struct {
	From, To  uint64   // full E.164 digits, inclusive: 79000000000..79000061999
	Operator  string   // Оператор, as written in the registry
	Territory string   // Территория ГАР, or Регион in layouts without it; "" if unknown
	Zones     []string // IANA zones of Territory, sorted; empty if unknown. Shared: do not modify.
}

// Code is the 3-digit ABC/DEF code of the range (916 for +7 916 ...).
func (r Range) Code() int { return int((r.From - first) / block) }

// DEF reports whether the range is a mobile (DEF, +7 9xx) one rather than a landline (ABC).
func (r Range) DEF() bool { return kind(r.From) == 9 }

// String formats the range as the registry writes it: "916 0000000-9999999".
func (r Range) String() string {
	if r.valid() != nil {
		return fmt.Sprintf("%d-%d", r.From, r.To)
	}
	return fmt.Sprintf("%03d %07d-%07d", r.Code(), (r.From-first)%block, (r.To-first)%block)
}

func (r Range) valid() error {
	switch {
	case r.From < first || r.To > last:
		return fmt.Errorf("range %d-%d is not within +7 000 000-00-00..+7 999 999-99-99", r.From, r.To)
	case r.From > r.To:
		return fmt.Errorf("range %d-%d ends before it starts", r.From, r.To)
	case (r.From-first)/block != (r.To-first)/block:
		return fmt.Errorf("range %d-%d spans two ABC/DEF codes", r.From, r.To)
	}
	return nil
}

// Info describes a plan.
type Info struct {
	Source      string `json:"source"`      // "embedded", or the names of the files it was built from
	Date        string `json:"date"`        // date of the registry copy, e.g. "2026-08"
	DEF         int    `json:"def"`         // mobile (+7 9xx) ranges
	ABC         int    `json:"abc"`         // landline (+7 3xx, 4xx, 8xx) ranges
	Operators   int    `json:"operators"`   // distinct operators
	Territories int    `json:"territories"` // distinct territories
	NoZone      int    `json:"no_zone"`     // ranges whose territory has no known zone
}

// Plan is a numbering plan: sorted, non-overlapping ranges. It is immutable and safe for
// concurrent use.
type Plan struct {
	info     Info
	from, to []uint64 // sorted by from
	op       []uint32 // index into ops
	terr     []uint32 // index into terrs and zones
	ops      []string
	terrs    []string
	zones    [][]string
	// index[s] is the first range that ends at or after the first number
	// of slice s, a million numbers: a lookup searches the few ranges
	// between index[s] and index[s+1], where a search among all those of a
	// 3-digit code (hundreds, some of them) missed the cache at most steps.
	index [nslices + 1]uint32
	cover uint16 // bit d: the plan holds ranges of codes d00..d99
}

// Info tells which plan this is and what it holds.
func (p *Plan) Info() Info { return p.info }

// Len is the number of ranges.
func (p *Plan) Len() int { return len(p.from) }

// Lookup returns the range that holds the E.164 number, or false when no range does.
// It does not allocate.
func (p *Plan) Lookup(e164 uint64) (Range, bool) {
	i, ok := p.find(e164)
	if !ok {
		return Range{}, false
	}
	return p.at(i), true
}

// LookupPlace is Lookup that also tells the range's place: a number from
// 1 to Places that the ranges of one operator and territory share, and
// only they; 0 in a plan of MaxPlaces or more (the registry has a few
// thousand).
func (p *Plan) LookupPlace(e164 uint64) (r Range, place uint32, ok bool) {
	i, ok := p.find(e164)
	if !ok {
		return Range{}, 0, false
	}
	if p.Places() < MaxPlaces {
		place = 1 + p.op[i]*uint32(len(p.terrs)) + p.terr[i]
	}
	return p.at(i), place, true
}

// Places is the greatest place LookupPlace returns.
func (p *Plan) Places() int { return len(p.ops) * len(p.terrs) }

// MaxPlaces bounds the places numbered, with room in a uint32 for more.
const MaxPlaces = 1 << 31

func (p *Plan) find(n uint64) (int, bool) {
	if n < first || n > last {
		return 0, false
	}
	s := (n - first) / slice
	// The first range that ends at or after n is one of these, or else the
	// one at index[s+1], which ends after the slice: where the search
	// stops when none of these does.
	lo, hi := int(p.index[s]), int(p.index[s+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p.to[m] < n {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(p.to) && p.from[lo] <= n {
		return lo, true
	}
	return 0, false
}

func (p *Plan) at(i int) Range {
	t := p.terr[i]
	return Range{From: p.from[i], To: p.to[i], Operator: p.ops[p.op[i]], Territory: p.terrs[t], Zones: p.zones[t]}
}

// Covers reports whether the plan is authoritative for the number: whether it holds the
// ranges of the number's kind at all (DEF +7 9xx; ABC +7 3xx, +7 4xx, +7 8xx, each from its
// own registry file). Only where it covers a number does "no range" mean unallocated: the
// embedded plan holds the DEF file only, so it covers +79161234567 but not +74951234567.
func (p *Plan) Covers(e164 uint64) bool {
	if e164 < first || e164 > last {
		return false
	}
	return p.cover&(1<<kind(e164)) != 0
}

// kind is the first digit of the ABC/DEF code: 9 for DEF, 3, 4 or 8 for ABC. The registry
// publishes one file per kind.
func kind(e164 uint64) uint { return uint((e164 - first) / (100 * block)) }

// Ranges yields every range in order.
func (p *Plan) Ranges() iter.Seq[Range] {
	return func(yield func(Range) bool) {
		for i := range p.from {
			if !yield(p.at(i)) {
				return
			}
		}
	}
}

// Replace returns a plan that holds q's ranges and those of p's that are of a kind q does
// not cover: loading only ABC-4xx.csv over the embedded plan keeps its DEF ranges.
// Its Info has q's date and names both sources, e.g. "ABC-4xx.csv + embedded".
func (p *Plan) Replace(q *Plan) *Plan {
	if p.cover&^q.cover == 0 {
		return q
	}
	b := newBuilder(q.info.Source+" + "+p.info.Source, q.info.Date)
	for _, src := range []*Plan{q, p} {
		for i := range src.from {
			if src == p && q.cover&(1<<kind(src.from[i])) != 0 {
				continue
			}
			b.add(src.at(i), nil)
		}
	}
	out, err := b.build()
	if err != nil { // cannot happen: the kinds of p and q do not share a code
		panic(err)
	}
	return out
}

// File is one parsed registry file.
type File struct {
	Name   string  // as given to Parse
	Format string  // the layout found, e.g. "8 columns, UTF-8 with BOM"
	Ranges []Range // in file order
	lines  []int   // line of each range, for errors
}

// New builds a plan from registry files, e.g. DEF-9xx.csv and the three ABC files.
// Overlapping ranges, within a file or across files, are an error that names file:line.
// date is the date of the registry copy, shown by Info.
func New(date string, files ...*File) (*Plan, error) {
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, filepath.Base(f.Name))
	}
	b := newBuilder(strings.Join(names, ", "), date)
	for _, f := range files {
		for i, r := range f.Ranges {
			pos := position{file: f.Name}
			if i < len(f.lines) {
				pos.line = f.lines[i]
			}
			if err := r.valid(); err != nil {
				return nil, &ParseError{File: pos.file, Line: pos.line, Err: err}
			}
			b.add(r, &pos)
		}
	}
	if len(b.from) == 0 {
		return nil, fmt.Errorf("numbering plan %s holds no ranges", b.info.Source)
	}
	return b.build()
}

type position struct {
	file string
	line int
}

// builder collects ranges, interning operators and territories.
type builder struct {
	info     Info
	from, to []uint64
	op, terr []uint32
	pos      []*position
	ops      []string
	terrs    []string
	zones    [][]string
	opIdx    map[string]uint32
	terrIdx  map[string]uint32 // territory + "\x00" + zones
}

func newBuilder(source, date string) *builder {
	return &builder{
		info:    Info{Source: source, Date: date},
		opIdx:   map[string]uint32{},
		terrIdx: map[string]uint32{},
	}
}

func (b *builder) add(r Range, pos *position) {
	oi, ok := b.opIdx[r.Operator]
	if !ok {
		oi = uint32(len(b.ops))
		b.opIdx[r.Operator] = oi
		b.ops = append(b.ops, r.Operator)
	}
	key := r.Territory + "\x00" + strings.Join(r.Zones, "\x00")
	ti, ok := b.terrIdx[key]
	if !ok {
		ti = uint32(len(b.terrs))
		b.terrIdx[key] = ti
		b.terrs = append(b.terrs, r.Territory)
		b.zones = append(b.zones, normZones(r.Zones))
	}
	b.from = append(b.from, r.From)
	b.to = append(b.to, r.To)
	b.op = append(b.op, oi)
	b.terr = append(b.terr, ti)
	b.pos = append(b.pos, pos)
}

// normZones returns zones sorted and deduplicated in a new slice, nil when empty.
func normZones(zones []string) []string {
	if len(zones) == 0 {
		return nil
	}
	z := slices.Clone(zones)
	slices.Sort(z)
	return slices.Compact(z)
}

// build sorts the ranges, rejects overlaps and makes the plan.
func (b *builder) build() (*Plan, error) {
	n := len(b.from)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if !slices.IsSortedFunc(order, func(x, y int) int { return cmpU(b.from[x], b.from[y]) }) {
		slices.SortStableFunc(order, func(x, y int) int { return cmpU(b.from[x], b.from[y]) })
	}
	p := &Plan{
		info:  b.info,
		from:  make([]uint64, n),
		to:    make([]uint64, n),
		op:    make([]uint32, n),
		terr:  make([]uint32, n),
		ops:   b.ops,
		terrs: b.terrs,
		zones: b.zones,
	}
	for k, i := range order {
		if k > 0 && b.from[i] <= p.to[k-1] {
			return nil, overlap(b, order[k-1], i)
		}
		p.from[k], p.to[k], p.op[k], p.terr[k] = b.from[i], b.to[i], b.op[i], b.terr[i]
	}
	p.finish()
	return p, nil
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// overlap reports that ranges i and j overlap, at the position of the later one in its file.
func overlap(b *builder, i, j int) error {
	pi, pj := b.pos[i], b.pos[j]
	if pi != nil && pj != nil && pi.file == pj.file && pi.line > pj.line {
		i, j, pi, pj = j, i, pj, pi
	}
	ri := Range{From: b.from[i], To: b.to[i]}
	rj := Range{From: b.from[j], To: b.to[j]}
	other := ""
	switch {
	case pi == nil:
	case pj != nil && pi.file == pj.file && pi.line > 0:
		other = fmt.Sprintf(" on line %d", pi.line)
	case pi.line > 0:
		other = fmt.Sprintf(" at %s:%d", pi.file, pi.line)
	default:
		other = " of " + pi.file
	}
	err := &ParseError{Err: fmt.Errorf("range %v overlaps range %v%s", rj, ri, other)}
	if pj != nil {
		err.File, err.Line = pj.file, pj.line
	}
	return err
}

// finish fills the lookup index, coverage and counts.
func (p *Plan) finish() {
	i := 0
	for s := range uint64(nslices + 1) {
		for i < len(p.to) && p.to[i] < first+s*slice {
			i++
		}
		p.index[s] = uint32(i)
	}
	p.cover = 0
	p.info.DEF, p.info.ABC, p.info.NoZone = 0, 0, 0
	for k, f := range p.from {
		d := kind(f)
		p.cover |= 1 << d
		if d == 9 {
			p.info.DEF++
		} else {
			p.info.ABC++
		}
		if len(p.zones[p.terr[k]]) == 0 {
			p.info.NoZone++
		}
	}
	usedOps := make(map[string]bool)
	for _, o := range p.op {
		usedOps[p.ops[o]] = true
	}
	usedTerrs := make(map[string]bool)
	for _, t := range p.terr {
		usedTerrs[p.terrs[t]] = true
	}
	p.info.Operators, p.info.Territories = len(usedOps), len(usedTerrs)
}
