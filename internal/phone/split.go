package phone

import "strings"

// Bases often hold two numbers with nothing but spaces between them:
// "89161234567 84951234567", or "8 916 123-45-67 (495) 123-45-67" read as
// one run. Such a run is cut at group boundaries, but only when every part
// is then a valid number; otherwise the run stays one reject.

const (
	splitMinDigits = 14 // two numbers need at least this many digits
	partMinDigits  = 7
)

// split emits the parts of r if r is several valid numbers, and reports
// whether it did.
func (c *cellScan) split(r *run) bool {
	g := r.ng
	if r.n < splitMinDigits || r.n > maxDigits || g < 2 || g > maxGroups {
		return false
	}
	// next[i] is where the part starting at group i ends, so that the part
	// and everything after it are valid numbers; 0 when there is no way.
	// Filled from the back: the cost is a few parser calls per group.
	var next [maxGroups + 1]int
	var nums [maxGroups]Number
	next[g] = g
	for i := g - 1; i >= 0; i-- {
		from := 0
		if i > 0 {
			from = r.groups[i-1].digitEnd
		}
		for j := i + 1; j <= g; j++ {
			digits := r.groups[j-1].digitEnd - from
			if digits > maxDialled {
				break
			}
			if digits < partMinDigits || next[j] == 0 {
				continue
			}
			num, reason := c.n.number(r.digits[from:r.groups[j-1].digitEnd], digits, r.plus && i == 0)
			if reason == OK {
				next[i], nums[i] = j, num
				break
			}
		}
	}
	if next[0] == 0 {
		return false
	}
	parts := 0
	for i := 0; i < g; i = next[i] {
		parts++
	}
	if c.count()+parts > MaxResults {
		return false
	}
	for i := 0; i < g; i = next[i] {
		start, end := r.groups[i].start, r.groups[next[i]-1].end
		if i == 0 {
			start = r.start
		} else if c.s[start-1] == '(' {
			start-- // "(495) 123-45-67" reads better whole
		}
		num := nums[i]
		if next[i] == g && r.ext != "" {
			num.Ext = strings.Clone(r.ext)
			end = r.extEnd
		}
		c.add(Result{Number: num, Text: c.s[start:end]}, noiseDigits)
	}
	return true
}
