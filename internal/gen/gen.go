// Package gen writes realistic dirty bases of Russian phone numbers, CSV or
// XLSX, of any size, for tests and benchmarks: the kind of file sales-ops
// people buy.
//
// A base is deterministic: the same Options give byte-identical output. Rows
// are ФИО, Компания, Город, Телефон, Доп. телефон, E-mail, Комментарий, with
// Russian names, companies and cities; the phone cells hold every shape
// callbase reads (internal/phone): +7 (916) 123-45-67, 8 916 123 45 67,
// 89161234567, 9161234567, 7-916-123-4567, landlines of many area codes with
// extensions (8 (4212) 45-67-89 доб. 12), labels (тел., моб., раб.), names in
// brackets after the number, several numbers in one cell (, ; / | line break
// или), 8-800, numbers of other countries (+375, +380, +49, +998, Kazakhstan's
// +7 7xx, also written 810 375 ...), spreadsheet floats (79161234567.0) and
// lost ones (7.91612E+10), never issued mobiles (+7 940 ...) and garbage
// (нет, -, 12-34, empty, 123456789012345678).
//
// Mobiles come from issued ranges of the numbering plan in 46 regions, so most
// numbers are valid and ring in many time zones. About 15% of rows repeat an
// earlier number in another shape.
//
// Write streams row by row: memory does not grow with the number of rows
// (the repeats are drawn from a fixed-size sample of the numbers written so
// far).
package gen

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	"github.com/callbase/callbase/internal/spreadsheet"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Header is the first row of every base (and of every sheet of an XLSX base).
var Header = []string{"ФИО", "Компания", "Город", "Телефон", "Доп. телефон", "E-mail", "Комментарий"}

// Columns of Header.
const (
	ColName = iota
	ColCompany
	ColCity
	ColPhone
	ColPhone2
	ColEmail
	ColComment
	numCols
)

// Options say what base to write.
type Options struct {
	Rows int    // data rows, the header not counted
	Seed uint64 // the same seed and options give the same bytes

	Format    string // "csv" (default) or "xlsx"
	Encoding  string // CSV only: "utf-8" (default), "utf-8-bom" or "cp1251"
	Delimiter rune   // CSV only: ';' (default), ',', '\t' or '|'
	CRLF      bool   // CSV only: end lines with \r\n, as Excel does

	// Overlap is the share (0..1) of the base's new numbers taken from the
	// number sequence of OverlapSeed instead of the base's own. Every base
	// draws its new numbers, in order, from a sequence that depends on its
	// seed alone, so a base of seed 2 with OverlapSeed 1 and Overlap 0.5
	// holds about half of its numbers in common with the base of seed 1
	// (when that base is at least as big): its k-th borrowed number is the
	// k-th number of base 1. Names, shapes and everything else stay base 2's.
	Overlap     float64
	OverlapSeed uint64
}

// Stats tell what a base holds.
type Stats struct {
	Rows        int   // data rows
	Numbers     int   // numbers written in the two phone columns, repeats and lost ones included
	New         int   // numbers drawn from the sequences: first appearances in the base
	FromOverlap int   // of New, those taken from the sequence of OverlapSeed
	Repeats     int   // rows whose Телефон repeats an earlier number in another shape
	MultiCells  int   // phone cells holding two or more numbers
	Garbage     int   // phone cells holding no number (нет, -, 12-34, empty, ...)
	Lost        int   // numbers written as a float that lost digits (7.91612E+10)
	Landline    int   // of New: Russian landlines
	TollFree    int   // of New: 8-800
	Foreign     int   // of New: other countries, Kazakhstan's +7 7xx included
	Unallocated int   // of New: mobiles of a code never issued
	Sheets      int   // XLSX: sheets written (a sheet holds 1,048,575 rows under its header)
	Bytes       int64 // bytes written to w
}

// sheetRows is the number of data rows of one XLSX sheet; a variable for tests.
var sheetRows = spreadsheet.MaxRows - 1

// Write writes the base opts describe to w.
func Write(w io.Writer, opts Options) (Stats, error) {
	if err := opts.check(); err != nil {
		return Stats{}, err
	}
	cw := &countWriter{w: w}
	g := newGenerator(opts)
	var err error
	if opts.Format == "xlsx" {
		err = g.writeXLSX(cw)
	} else {
		err = g.writeCSV(cw)
	}
	g.st.Bytes = cw.n
	return g.st, err
}

func (o *Options) check() error {
	if o.Rows < 0 {
		return fmt.Errorf("rows: %d is negative", o.Rows)
	}
	switch o.Format {
	case "":
		o.Format = "csv"
	case "csv", "xlsx":
	default:
		return fmt.Errorf("format %q: want csv or xlsx", o.Format)
	}
	switch o.Encoding {
	case "":
		o.Encoding = "utf-8"
	case "utf-8", "utf-8-bom", "cp1251":
	default:
		return fmt.Errorf("encoding %q: want utf-8, utf-8-bom or cp1251", o.Encoding)
	}
	if o.Format == "xlsx" && o.Encoding != "utf-8" {
		return errors.New("encoding: only CSV bases have one")
	}
	switch o.Delimiter {
	case 0:
		o.Delimiter = ';'
	case ';', ',', '\t', '|':
	default:
		return fmt.Errorf("delimiter %q: want ; , tab or |", o.Delimiter)
	}
	if !(o.Overlap >= 0 && o.Overlap <= 1) {
		return fmt.Errorf("overlap %v: want a share from 0 to 1", o.Overlap)
	}
	if o.Overlap > 0 && o.OverlapSeed == o.Seed {
		return fmt.Errorf("overlap seed %d is the base's own seed: a base overlapping itself is just a base", o.Seed)
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (g *generator) writeCSV(w io.Writer) error {
	var enc io.WriteCloser
	out := w
	switch g.opts.Encoding {
	case "cp1251":
		enc = transform.NewWriter(w, charmap.Windows1251.NewEncoder())
		out = enc
	case "utf-8-bom":
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	delim := byte(g.opts.Delimiter)
	eol := "\n"
	if g.opts.CRLF {
		eol = "\r\n"
	}
	var line []byte
	writeLine := func(cells *[numCols][]byte) error {
		line = line[:0]
		for i := range cells {
			if i > 0 {
				line = append(line, delim)
			}
			line = appendField(line, cells[i], delim)
		}
		line = append(line, eol...)
		_, err := bw.Write(line)
		return err
	}
	var head [numCols][]byte
	for i, h := range Header {
		head[i] = []byte(h)
	}
	if err := writeLine(&head); err != nil {
		return err
	}
	for range g.opts.Rows {
		g.row()
		if err := writeLine(&g.cells); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if enc != nil {
		return enc.Close()
	}
	return nil
}

// appendField appends a CSV field, quoted when it must be.
func appendField(b, f []byte, delim byte) []byte {
	quote := false
	for _, c := range f {
		if c == delim || c == '"' || c == '\n' || c == '\r' {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, f...)
	}
	b = append(b, '"')
	for _, c := range f {
		if c == '"' {
			b = append(b, '"')
		}
		b = append(b, c)
	}
	return append(b, '"')
}

func (g *generator) writeXLSX(w io.Writer) error {
	x := spreadsheet.NewWriter(w)
	defer x.Close()
	cells := make([]any, numCols)
	inSheet := sheetRows
	for range g.opts.Rows {
		if inSheet == sheetRows {
			if err := x.AddSheet("База", Header); err != nil {
				return err
			}
			g.st.Sheets++
			inSheet = 0
		}
		g.row()
		for i, c := range g.cells {
			if len(c) == 0 {
				cells[i] = nil
			} else {
				cells[i] = string(c)
			}
		}
		if err := x.WriteRow(cells); err != nil {
			return err
		}
		inSheet++
	}
	if g.st.Sheets == 0 {
		if err := x.AddSheet("База", Header); err != nil {
			return err
		}
		g.st.Sheets++
	}
	return x.Close()
}

// generator makes rows, one at a time, into cells.
type generator struct {
	opts    Options
	r       *rand.Rand // everything but the numbers
	own     *source
	overlap *source // nil without Options.Overlap
	st      Stats
	ring    sample
	cells   [numCols][]byte

	// The row's person.
	woman              bool
	first, sur, patron int
}

func newGenerator(opts Options) *generator {
	g := &generator{
		opts: opts,
		r:    rand.New(rand.NewPCG(opts.Seed, streamRows)),
		own:  newSource(opts.Seed),
	}
	if opts.Overlap > 0 {
		g.overlap = newSource(opts.OverlapSeed)
	}
	g.ring.init(1 << 14)
	return g
}

// sample is a uniform sample of fixed size of the numbers written so far
// (reservoir sampling), with the shape each was written in: where repeats
// come from.
type sample struct {
	items []written
	seen  int
}

type written struct {
	n     number
	shape int8
}

func (s *sample) init(size int) { s.items = make([]written, 0, size) }

func (s *sample) add(r *rand.Rand, w written) {
	s.seen++
	if len(s.items) < cap(s.items) {
		s.items = append(s.items, w)
		return
	}
	if j := r.IntN(s.seen); j < len(s.items) {
		s.items[j] = w
	}
}

// fresh returns a new number: from the overlap sequence with probability
// Options.Overlap, else from the base's own.
func (g *generator) fresh() number {
	src := g.own
	if g.overlap != nil && g.r.Float64() < g.opts.Overlap {
		src = g.overlap
		g.st.FromOverlap++
	}
	n := src.next()
	g.st.New++
	switch n.kind {
	case landline:
		g.st.Landline++
	case tollFree:
		g.st.TollFree++
	case kazakh, abroad:
		g.st.Foreign++
	case dead:
		g.st.Unallocated++
	}
	return n
}

// row fills g.cells with the next row.
func (g *generator) row() {
	g.st.Rows++
	for i := range g.cells {
		g.cells[i] = g.cells[i][:0]
	}
	r := g.r
	g.woman = r.IntN(100) < 45
	g.sur = r.IntN(len(surnames))
	g.patron = r.IntN(len(menNames))
	if g.woman {
		g.first = r.IntN(len(womenNames))
	} else {
		g.first = r.IntN(len(menNames))
	}
	g.cells[ColName] = g.name(g.cells[ColName])
	g.cells[ColCompany] = g.company(g.cells[ColCompany])

	var region uint8
	g.cells[ColPhone], region = g.phoneCell(g.cells[ColPhone])
	if r.IntN(100) < 15 {
		if r.IntN(100) < 6 {
			g.cells[ColPhone2] = append(g.cells[ColPhone2], [...]string{"нет", "-", "тот же", "0"}[r.IntN(4)]...)
			g.st.Garbage++
		} else {
			g.cells[ColPhone2] = g.extraCell(g.cells[ColPhone2])
		}
	}
	g.cells[ColCity] = g.city(g.cells[ColCity], region)
	if r.IntN(100) < 45 {
		g.cells[ColEmail] = g.email(g.cells[ColEmail])
	}
	if r.IntN(100) < 35 {
		g.cells[ColComment] = append(g.cells[ColComment], comments[r.IntN(len(comments))]...)
	}
}

// phoneCell appends the Телефон cell: 4% garbage, 15% a repeat of an
// earlier number in another shape, else a new number; a tenth of the cells
// with a number hold one or two more.
func (g *generator) phoneCell(b []byte) ([]byte, uint8) {
	r := g.r
	p := r.IntN(1000)
	if p < 40 {
		g.st.Garbage++
		return g.garbage(b), 0
	}
	var n number
	var shape int
	if p < 190 && len(g.ring.items) > 0 {
		w := g.ring.items[r.IntN(len(g.ring.items))]
		n = w.n
		shape = pickShape(r, n, int(w.shape))
		g.st.Repeats++
		b = g.decorated(b, n, shape, true)
	} else {
		n = g.fresh()
		if (n.kind == mobile || n.kind == landline && n.ext == 0) && r.IntN(100) == 0 {
			g.st.Lost++
			g.st.Numbers++
			return renderLost(b, n.nsn, uint64(7+r.IntN(2)), r.IntN(3) == 0), n.region
		}
		shape = pickShape(r, n, -1)
		g.ring.add(r, written{n, int8(shape)})
		b = g.decorated(b, n, shape, true)
	}
	g.st.Numbers++
	if r.IntN(10) == 0 {
		g.st.MultiCells++
		more := 1
		if r.IntN(5) == 0 {
			more = 2
		}
		sep := separators[r.IntN(len(separators))]
		for range more {
			b = append(b, sep...)
			m := g.fresh()
			b = g.decorated(b, m, pickShape(r, m, -1), false)
			g.st.Numbers++
		}
	}
	return b, n.region
}

// extraCell appends a Доп. телефон cell: a new number, sometimes two.
func (g *generator) extraCell(b []byte) []byte {
	r := g.r
	n := g.fresh()
	b = g.decorated(b, n, pickShape(r, n, -1), false)
	g.st.Numbers++
	if r.IntN(20) == 0 {
		g.st.MultiCells++
		b = append(b, separators[r.IntN(len(separators))]...)
		m := g.fresh()
		b = g.decorated(b, m, pickShape(r, m, -1), false)
		g.st.Numbers++
	}
	return b
}

// decorated appends n in shape s, sometimes with a label before it and, in
// the main phone cell, a note or the person's name after it.
func (g *generator) decorated(b []byte, n number, s int, main bool) []byte {
	r := g.r
	if isFloat(n, s) {
		return render(b, n, s, r)
	}
	if r.IntN(100) < 12 {
		if n.kind == landline {
			b = append(b, landlineLabels[r.IntN(len(landlineLabels))]...)
		} else {
			b = append(b, mobileLabels[r.IntN(len(mobileLabels))]...)
		}
	}
	b = render(b, n, s, r)
	if main && r.IntN(100) < 6 {
		switch r.IntN(4) {
		case 0:
			b = append(b, " ("...)
			b = g.appendSurname(b)
			b = append(b, ' ')
			b = g.appendInitial(b, g.firstName())
			b = append(b, ')')
		case 1:
			b = append(b, [...]string{" (моб.)", " (раб.)", " (звонить после 18)", " (секретарь)"}[r.IntN(4)]...)
		case 2:
			b = append(b, ' ')
			b = append(b, g.firstName()...)
		default:
			b = append(b, " ("...)
			b = append(b, g.firstName()...)
			b = append(b, ')')
		}
	}
	return b
}

func (g *generator) garbage(b []byte) []byte {
	r := g.r
	if r.IntN(8) == 0 { // a number that lost a digit or two
		n := r.Uint64N(1e8)
		b = append(b, "8 9"...)
		b = appendNum(b, n/1e6, 2)
		b = append(b, ' ')
		b = appendNum(b, n/1e3%1e3, 3)
		b = append(b, ' ')
		return appendNum(b, n/10%100, 2)
	}
	return append(b, garbageCells[r.IntN(len(garbageCells))]...)
}

var (
	femSurnames = func() []string {
		f := make([]string, len(surnames))
		for i, s := range surnames {
			f[i] = feminine(s)
		}
		return f
	}()
	latinSurnames = mapStrings(surnames, latin)
	latinFem      = mapStrings(femSurnames, latin)
	latinMen      = func() []string {
		l := make([]string, len(menNames))
		for i, p := range menNames {
			l[i] = latin(p.name)
		}
		return l
	}()
	latinWomen = mapStrings(womenNames, latin)
	latinWords = mapStrings(companyWords, latin)
	latinHeads = mapStrings(companyHeads, latin)
	latinTails = mapStrings(companyTails, latin)
)

func mapStrings(s []string, f func(string) string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// feminine is the feminine form of a surname: Иванов → Иванова, Троицкий →
// Троицкая, Толстой → Толстая; Шевченко, Ким stay as they are.
func feminine(s string) string {
	rs := []rune(s)
	switch {
	case strings.HasSuffix(s, "ий"):
		return string(rs[:len(rs)-2]) + "ая"
	case strings.HasSuffix(s, "ой") && len(rs) > 3:
		return string(rs[:len(rs)-2]) + "ая"
	case strings.HasSuffix(s, "ов"), strings.HasSuffix(s, "ев"), strings.HasSuffix(s, "ёв"),
		strings.HasSuffix(s, "ин"), strings.HasSuffix(s, "ын"):
		return s + "а"
	}
	return s
}

// latin spells a Russian word in Latin letters, lower case.
func latin(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if t, ok := translit[r]; ok {
			b.WriteString(t)
		} else if r < 128 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (g *generator) firstName() string {
	if g.woman {
		return womenNames[g.first]
	}
	return menNames[g.first].name
}

func (g *generator) surname() string {
	if g.woman {
		return femSurnames[g.sur]
	}
	return surnames[g.sur]
}

func (g *generator) appendSurname(b []byte) []byte { return append(b, g.surname()...) }

func (g *generator) patronymic() string {
	if g.woman {
		return menNames[g.patron].patronymicF
	}
	return menNames[g.patron].patronymicM
}

// appendInitial appends the first letter of s and a dot.
func (g *generator) appendInitial(b []byte, s string) []byte {
	for _, r := range s {
		b = append(b, string(r)...)
		break
	}
	return append(b, '.')
}

// name appends the ФИО cell.
func (g *generator) name(b []byte) []byte {
	r := g.r
	switch p := r.IntN(100); {
	case p < 52: // Иванов Иван Иванович
		b = g.appendSurname(b)
		b = append(b, ' ')
		b = append(b, g.firstName()...)
		b = append(b, ' ')
		return append(b, g.patronymic()...)
	case p < 62: // Иванов И. И.
		b = g.appendSurname(b)
		b = append(b, ' ')
		b = g.appendInitial(b, g.firstName())
		b = append(b, ' ')
		return g.appendInitial(b, g.patronymic())
	case p < 67: // Иванов И.И.
		b = g.appendSurname(b)
		b = append(b, ' ')
		b = g.appendInitial(b, g.firstName())
		return g.appendInitial(b, g.patronymic())
	case p < 77: // Иванов Иван
		b = g.appendSurname(b)
		b = append(b, ' ')
		return append(b, g.firstName()...)
	case p < 82: // Иван Иванов
		b = append(b, g.firstName()...)
		b = append(b, ' ')
		return g.appendSurname(b)
	case p < 87: // Иван
		return append(b, g.firstName()...)
	case p < 90: // ИВАНОВ ИВАН ИВАНОВИЧ
		return append(b, strings.ToUpper(g.surname()+" "+g.firstName()+" "+g.patronymic())...)
	case p < 92: // иванов иван
		return append(b, strings.ToLower(g.surname()+" "+g.firstName())...)
	case p < 94: // Иван Иванович
		b = append(b, g.firstName()...)
		b = append(b, ' ')
		return append(b, g.patronymic()...)
	}
	return b
}

// company appends the Компания cell.
func (g *generator) company(b []byte) []byte {
	r := g.r
	if r.IntN(100) < 35 {
		return b
	}
	form := r.IntN(100)
	if form < 10 { // ИП Иванов И. И.
		b = append(b, "ИП "...)
		b = g.appendSurname(b)
		b = append(b, ' ')
		b = g.appendInitial(b, g.firstName())
		b = append(b, ' ')
		return g.appendInitial(b, g.patronymic())
	}
	switch {
	case form < 85:
		b = append(b, companyForms[r.IntN(len(companyForms))]...)
		b = append(b, " «"...)
	case form < 93:
		b = append(b, companyForms[r.IntN(len(companyForms))]...)
		b = append(b, ` "`...)
	}
	if r.IntN(10) < 4 {
		b = append(b, companyWords[r.IntN(len(companyWords))]...)
	} else {
		b = append(b, companyHeads[r.IntN(len(companyHeads))]...)
		if r.IntN(8) == 0 {
			b = append(b, '-')
		}
		b = append(b, companyTails[r.IntN(len(companyTails))]...)
	}
	switch {
	case form < 85:
		b = append(b, "»"...)
	case form < 93:
		b = append(b, '"')
	}
	return b
}

// city appends the Город cell: mostly the city of the row's number.
func (g *generator) city(b []byte, region uint8) []byte {
	r := g.r
	p := r.IntN(100)
	if p < 8 {
		return b
	}
	ri := int(region) - 1
	if ri < 0 || p < 20 {
		ri = pickRegion(r)
	}
	name := regions[ri].city
	switch q := r.IntN(100); {
	case q < 10:
		b = append(b, "г. "...)
	case q < 12:
		return append(b, strings.ToUpper(name)...)
	case q < 13:
		return append(b, strings.ToLower(name)...)
	}
	return append(b, name...)
}

// email appends the E-mail cell: the person's or the company's.
func (g *generator) email(b []byte) []byte {
	r := g.r
	sur := latinSurnames[g.sur]
	first := latinMen[g.first%len(latinMen)]
	if g.woman {
		sur, first = latinFem[g.sur], latinWomen[g.first]
	}
	switch p := r.IntN(100); {
	case p < 30:
		b = append(b, sur...)
	case p < 45:
		b = append(b, sur...)
		b = append(b, '.')
		b = append(b, first[0])
	case p < 55:
		b = append(b, first[0])
		b = append(b, '.')
		b = append(b, sur...)
	case p < 70:
		b = append(b, sur...)
		b = appendUint(b, uint64(60+r.IntN(46))%100)
	case p < 80:
		b = append(b, first...)
		b = append(b, '_')
		b = append(b, sur...)
	case p < 95:
		b = append(b, [...]string{"info", "office", "sales", "zakaz", "mail"}[r.IntN(5)]...)
		b = append(b, '@')
		if r.IntN(10) < 4 {
			b = append(b, latinWords[r.IntN(len(latinWords))]...)
		} else {
			b = append(b, latinHeads[r.IntN(len(latinHeads))]...)
			b = append(b, latinTails[r.IntN(len(latinTails))]...)
		}
		return append(b, ".ru"...)
	default:
		return append(b, [...]string{"нет", "-", "не дал"}[r.IntN(3)]...)
	}
	b = append(b, '@')
	return append(b, mailDomains[r.IntN(len(mailDomains))]...)
}
