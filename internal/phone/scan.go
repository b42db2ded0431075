package phone

import (
	"strings"
	"unicode/utf8"
)

// Bounds that keep a pathological cell cheap: every loop below is linear in
// the cell, and the parser never sees more than maxDigits digits.
const (
	// MaxResults is how many pieces of one cell are read; whatever follows is
	// reported as one more TooLong result.
	MaxResults = 20
	maxDigits  = 48  // digits kept per run; a longer run is TooLong
	maxGroups  = 24  // digit groups remembered per run, to cut space-joined numbers apart
	maxText    = 100 // bytes of a piece kept in Result.Text
	// bracketLookahead bounds the search for the ")" closing a comment.
	bracketLookahead = 64
	// noiseDigits: a run with fewer digits, next to a real number in the same
	// cell, is a note ("после 18", "каб. 12"), not a number.
	noiseDigits = 5
)

// group is one unbroken sequence of digits inside a run.
type group struct {
	digitEnd   int // digits of the run up to the end of this group
	start, end int // bytes of the cell
}

// run is one number as written: digits joined by spaces, dashes, dots and
// brackets, with an optional leading "+" and a trailing extension.
type run struct {
	start, end int // bytes of the cell, from the "+" or first digit to the last digit
	plus       bool
	n          int // digits seen; only the first maxDigits are kept
	digits     [maxDigits]byte
	ng         int // groups seen; only the first maxGroups are kept
	groups     [maxGroups]group
	ext        string
	extEnd     int // end of the extension in the cell, when there is one
}

func (r *run) digitsKept() []byte { return r.digits[:min(r.n, maxDigits)] }

// cellScan carries one cell through AppendCell.
type cellScan struct {
	n     *Normalizer
	s     string // the trimmed cell
	dst   []Result
	first int // index in dst of the cell's first result

	pieceStart int // byte where the current piece (between separators) starts
	pieceFirst int // index in dst of the current piece's first result

	sawDigit bool
	solid    bool   // a result that is surely meant as a number was added
	noise    uint64 // bit i: result first+i is a short reject, dropped when solid
}

func (c *cellScan) count() int { return len(c.dst) - c.first }

// scan walks the cell once, left to right.
func (c *cellScan) scan() {
	s := c.s
	plusAt := -1 // a "+" waiting for its digits
	for i := 0; i < len(s); {
		cl, size := classAt(s, i)
		switch cl {
		case digit:
			c.sawDigit = true
			if c.count() >= MaxResults {
				c.overflow(i)
				return
			}
			if end, ok := c.float(i, plusAt); ok {
				i = end
				plusAt = -1
				continue
			}
			next := c.read(i, plusAt)
			if m := listMarker(s, i); m > 0 && plusAt < 0 && !c.n.valid(&c.n.run) {
				i = m // "1) 89161234567": read on after the list number
				continue
			}
			c.emit(&c.n.run)
			i, plusAt = next, -1
			continue
		case plus:
			plusAt = i
		case space:
		case sep:
			c.endPiece(i)
			c.pieceStart = i + size
			plusAt = -1
		case joiner:
			if s[i] == '(' {
				if end, digits := bracketComment(s, i); end > 0 {
					c.sawDigit = c.sawDigit || digits
					i = end
					plusAt = -1
					continue
				}
			} // "(+7) 916" and "+ (7) 916" keep their plus
		default:
			plusAt = -1
		}
		i += size
	}
	c.endPiece(len(s))
}

// read reads the number that starts with the digit at s[i] into the
// Normalizer's scratch run and returns where scanning goes on.
func (c *cellScan) read(i, plusAt int) int {
	s := c.s
	r := &c.n.run // reused: only the counters are reset, the arrays are read below them
	r.start, r.end, r.plus, r.n, r.ng, r.ext, r.extEnd = i, i, false, 0, 0, "", 0
	if plusAt >= 0 {
		r.plus, r.start = true, plusAt
	}
	inGroup := false
	digitAt := -1 // the digit a bracket was last found to lead to; saves rescanning "(((("
	for i < len(s) {
		// classAt, by hand for ASCII: the call, too large to be inlined,
		// cost a fifth of reading a cell.
		cl, size := class(0), 1
		if b := s[i]; b < utf8.RuneSelf {
			cl = asciiClass[b]
		} else {
			cl, size = classRune(s, i)
		}
		if cl == digit {
			if !inGroup {
				if r.ng < maxGroups {
					r.groups[r.ng].start = i
				}
				r.ng++
				inGroup = true
			}
			if r.n < maxDigits {
				r.digits[r.n] = s[i]
			}
			r.n++
			i++
			r.end = i
			continue
		}
		if cl != space && cl != joiner {
			break
		}
		if s[i] == '(' && i > digitAt {
			var ok bool
			if digitAt, ok = nextDigit(s, i+1); !ok {
				break // "(моб.)" after a number is a comment, not an area code
			}
		}
		if inGroup {
			r.closeGroup()
			inGroup = false
		}
		i += size
	}
	if inGroup {
		r.closeGroup()
	}
	next := r.end
	if ext, end, ok := extension(s, r.end); ok {
		r.ext, r.extEnd, next = ext, end, end
	}
	return next
}

// valid reports whether r as a whole is a valid number.
func (nz *Normalizer) valid(r *run) bool {
	_, reason := nz.number(r.digitsKept(), r.n, r.plus)
	return reason == OK
}

func (r *run) closeGroup() {
	if g := r.ng - 1; g < maxGroups {
		r.groups[g].digitEnd = min(r.n, maxDigits)
		r.groups[g].end = r.end
	}
}

// nextDigit returns where the first character from s[i] that is neither
// a space nor a joiner lies, and whether it is a digit.
func nextDigit(s string, i int) (int, bool) {
	for i < len(s) {
		cl, size := classAt(s, i)
		if cl != space && cl != joiner {
			return i, cl == digit
		}
		i += size
	}
	return i, false
}

// bracketComment returns the end of a comment in brackets starting at s[i],
// such as "(Иванова Мария)" or "(звонить после 18)", or 0 when the bracket
// is part of a number: "(495)", "(моб. 8 916 123-45-67)". It also reports
// whether the comment holds digits.
func bracketComment(s string, i int) (end int, hasDigits bool) {
	hasText, digits := false, 0
	for j := i + 1; j < len(s) && j < i+bracketLookahead; {
		if s[j] == ')' {
			if hasText && digits < noiseDigits {
				return j + 1, digits > 0
			}
			return 0, false
		}
		cl, size := classAt(s, j)
		switch cl {
		case text:
			hasText = true
		case digit:
			digits++
		case sep:
			if s[j] == '\n' || s[j] == '\r' {
				return 0, false // "(Иван, Петр)" is one comment; a new line ends it
			}
		}
		j += size
	}
	return 0, false
}

// listMarker returns the end of what may be a list number, "1)" or "2.",
// before a number: "1) 89161234567; 2) 89031234567". It is one only when
// the digits read with it are no valid number.
func listMarker(s string, i int) int {
	j := i
	for j < len(s) && isDigit(s[j]) && j-i <= 2 {
		j++
	}
	if j-i > 2 || j+2 >= len(s) || (s[j] != ')' && s[j] != '.') || s[j+1] != ' ' {
		return 0
	}
	k := j + 1
	for k < len(s) && s[k] == ' ' {
		k++
	}
	if k == len(s) || !isDigit(s[k]) && s[k] != '+' {
		return 0 // no number follows
	}
	return j + 1
}

// float emits a spreadsheet float starting at s[i], if there is one.
func (c *cellScan) float(i, plusAt int) (end int, ok bool) {
	var f floatDigits
	end, ok = scanFloat(c.s, i, &f)
	if !ok {
		return 0, false
	}
	start := i
	if plusAt >= 0 {
		start = plusAt
	}
	res := Result{Text: c.s[start:end], Reason: f.reason}
	if f.reason == OK {
		res.Number, res.Reason = c.n.number(f.digits[:f.n], f.n, plusAt >= 0)
	}
	c.add(res, noiseDigits) // a float is always meant as a number
	return end, true
}

// emit turns a run into one result, or into several when the run is two
// numbers written with only spaces between them.
func (c *cellScan) emit(r *run) {
	num, reason := c.n.number(r.digitsKept(), r.n, r.plus)
	if reason != OK && c.split(r) {
		return
	}
	end := r.end
	if r.ext != "" {
		end = r.extEnd
		if reason == OK {
			num.Ext = strings.Clone(r.ext) // do not pin the whole row in memory
		}
	}
	c.add(Result{Number: num, Text: c.s[r.start:end], Reason: reason}, r.n)
}

// add appends one result and remembers whether it may be noise.
func (c *cellScan) add(res Result, digits int) {
	if res.Reason != OK && digits < noiseDigits {
		c.noise |= 1 << uint(c.count())
	} else {
		c.solid = true
	}
	c.dst = append(c.dst, res)
}

// endPiece closes the piece of the cell ending at s[end]. A piece that gave
// one result reports itself whole, labels and comments included.
func (c *cellScan) endPiece(end int) {
	if len(c.dst)-c.pieceFirst == 1 {
		c.dst[c.pieceFirst].Text = clip(trimSpace(c.s[c.pieceStart:end]))
	}
	c.pieceFirst = len(c.dst)
}

// overflow reports everything from s[i] on as one TooLong result.
func (c *cellScan) overflow(i int) {
	c.endPiece(i)
	c.solid = true
	c.dst = append(c.dst, Result{Text: clip(c.s[i:]), Reason: TooLong})
}

func (c *cellScan) finish() []Result {
	if c.count() == 0 {
		// Only comments held digits, or none at all: the cell is still reported.
		reason := NoDigits
		if c.sawDigit {
			reason = TooShort
		}
		return append(c.dst, Result{Text: clip(c.s), Reason: reason})
	}
	if !c.solid || c.noise == 0 {
		return c.dst
	}
	kept := c.first
	for i := c.first; i < len(c.dst); i++ {
		if c.noise&(1<<uint(i-c.first)) == 0 {
			c.dst[kept] = c.dst[i]
			kept++
		}
	}
	clear(c.dst[kept:])
	return c.dst[:kept]
}

// clip shortens the text of a pathological piece for reports.
func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	cut := maxText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
