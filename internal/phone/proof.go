package phone

import (
	"regexp/syntax"
	"slices"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The samples of plan.go suggest that a block of numbers reads alike; this
// file proves it. A block is a country code, the first national digits and
// the national length. Reading "+" and digits, phonenumbers decides
// everything with patterns of its metadata for the country code: whether
// the national prefix for parsing matches (and digits are stripped), whether
// each region's leading digits match, whether each number description
// (general, fixed line, mobile, toll free...) matches. When every one of
// them matches all numbers of the block or none, the parser takes the same
// path for all of them, and its answer for one is its answer for all.

// block is every national number that starts with start and has n digits.
type block struct {
	start string
	n     int
}

// maxStates bounds the work of one proof: past it the block stays unproven.
const maxStates = 4096

// prover holds the metadata patterns it compiled. One per Normalizer, so no
// lock is needed.
type prover struct {
	progs map[string]*syntax.Prog
	seen  []bool // scratch for closure
}

// plain reports whether the parser reads "+" cc nsn the same way for every
// nsn of b, with nsn itself as the national number: no national prefix
// stripped, no leading zero kept apart.
func (p *prover) plain(cc int, b block) bool {
	metas := ccMetadata()[cc]
	if len(metas) == 0 || b.start == "" || b.start[0] == '0' || b.n < len(b.start) || b.n > phonenumbers.MAX_LENGTH_FOR_NSN {
		return false
	}
	if !p.keepsNationalPrefix(metas[0], b) {
		return false
	}
	for _, m := range metas {
		if ld := m.GetLeadingDigits(); ld != "" {
			if _, ok := p.uniform("^(?:"+ld+")", b); !ok {
				return false
			}
		}
		for _, d := range descs(m) {
			if _, ok := p.uniform("^(?:"+d.GetNationalNumberPattern()+")$", b); !ok {
				return false
			}
		}
	}
	return true
}

// keepsNationalPrefix reports whether the parser strips nothing from the
// numbers of b as a national prefix: its pattern matches none of them, or it
// is a plain string whose removal the parser refuses because the number is
// viable as it stands and would not be without it (+7 800 ...).
func (p *prover) keepsNationalPrefix(main *phonenumbers.PhoneMetadata, b block) bool {
	npfp := main.GetNationalPrefixForParsing()
	if npfp == "" {
		return true
	}
	match, ok := p.uniform("^(?:"+npfp+")", b)
	if !ok || !match {
		return ok
	}
	if !allDigits(npfp) || main.GetNationalPrefixTransformRule() != "" || len(npfp) > len(b.start) {
		return false
	}
	general := "^(?:" + main.GetGeneralDesc().GetNationalNumberPattern() + ")$"
	viable, ok := p.uniform(general, b)
	if !ok || !viable {
		return false
	}
	rest := block{b.start[len(npfp):], b.n - len(npfp)}
	viable, ok = p.uniform(general, rest)
	return ok && !viable
}

// descs are the number descriptions phonenumbers matches a national number
// against, in any order.
func descs(m *phonenumbers.PhoneMetadata) []*phonenumbers.PhoneNumberDesc {
	return []*phonenumbers.PhoneNumberDesc{
		m.GetGeneralDesc(), m.GetPremiumRate(), m.GetTollFree(), m.GetSharedCost(), m.GetVoip(),
		m.GetPersonalNumber(), m.GetPager(), m.GetUan(), m.GetVoicemail(), m.GetFixedLine(), m.GetMobile(),
	}
}

// regionMetadata maps a region to its metadata.
var regionMetadata = sync.OnceValue(func() map[string]*phonenumbers.PhoneMetadata {
	geo := make(map[string]*phonenumbers.PhoneMetadata)
	if coll, err := phonenumbers.MetadataCollection(); err == nil {
		for _, m := range coll.GetMetadata() {
			if m.GetId() != "001" {
				geo[m.GetId()] = m
			}
		}
	}
	return geo
})

// ccMetadata maps a country calling code to the metadata of its regions in
// phonenumbers' order, the main region first.
var ccMetadata = sync.OnceValue(func() map[int][]*phonenumbers.PhoneMetadata {
	byCC := make(map[int][]*phonenumbers.PhoneMetadata)
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return byCC
	}
	nonGeo := make(map[int]*phonenumbers.PhoneMetadata)
	for _, m := range coll.GetMetadata() {
		if m.GetId() == "001" {
			nonGeo[int(m.GetCountryCode())] = m
		}
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		var metas []*phonenumbers.PhoneMetadata
		for _, region := range phonenumbers.GetRegionCodesForCountryCode(cc) {
			m := regionMetadata()[region]
			if region == "001" {
				m = nonGeo[cc]
			}
			if m == nil {
				metas = nil // unknown metadata: nothing is proven for cc
				break
			}
			metas = append(metas, m)
		}
		if metas != nil {
			byCC[cc] = metas
		}
	}
	return byCC
})

// russianForms reports whether, with Russia the default region, 8 nsn,
// 7 nsn and nsn read as +7 nsn for every nsn of b, a block of Kazakhstan
// (7xx) that plain has proven. It follows the parser through each form:
//
//   - 8 nsn: not the international prefix 810; not viable as it stands, so
//     the national prefix 8 goes and nsn, of a possible length, remains;
//   - 7 nsn: not viable as it stands, viable without the 7, so 7 is the
//     country code;
//   - nsn: viable as it stands, so its leading 7 is no country code.
//
// The differential test checks the result for every four-digit prefix.
func (p *prover) russianForms(b block) bool {
	ru := regionMetadata()["RU"]
	general := ru.GetGeneralDesc()
	lengths := general.GetPossibleLength()
	if ru.GetCountryCode() != 7 || ru.GetNationalPrefixForParsing() != "8" || ru.GetNationalPrefixTransformRule() != "" ||
		b.start[0] != '7' || !slices.Contains(lengths, int32(b.n)) || slices.Contains(general.GetPossibleLengthLocalOnly(), int32(b.n)) {
		return false
	}
	idd := "^(?:" + ru.GetInternationalPrefix() + ")"
	viable := "^(?:" + general.GetNationalNumberPattern() + ")$"
	for _, c := range []struct {
		expr string
		b    block
		want bool
	}{
		{idd, block{"8" + b.start, b.n + 1}, false},
		{idd, block{"7" + b.start, b.n + 1}, false},
		{idd, b, false},
		{viable, block{"8" + b.start, b.n + 1}, false},
		{viable, block{"7" + b.start, b.n + 1}, false},
		{viable, b, true},
	} {
		if match, ok := p.uniform(c.expr, c.b); !ok || match != c.want {
			return false
		}
	}
	return true
}

// uniform reports whether the anchored pattern expr, compiled as
// phonenumbers compiles it, matches all numbers of b or none (ok), and
// which (match). It runs the program over all of them at once, one digit
// position at a time, merging equal sets of states.
func (p *prover) uniform(expr string, b block) (match, ok bool) {
	prog := p.prog(expr)
	if prog == nil {
		return false, false
	}
	cur := []states{p.closure(prog, []uint32{uint32(prog.Start)}, 0, b.n)}
	for i := range b.n {
		digits := "0123456789"
		if i < len(b.start) {
			digits = b.start[i : i+1]
		}
		next := make(map[string]states)
		for _, s := range cur {
			for _, c := range digits {
				t := p.step(prog, s, c, i+1, b.n)
				next[t.key()] = t
			}
		}
		if len(next) > maxStates {
			return false, false
		}
		cur = cur[:0]
		for _, t := range next {
			cur = append(cur, t)
		}
	}
	all, none := true, true
	for _, s := range cur {
		if s.accept {
			none = false
		} else {
			all = false
		}
	}
	return all, all || none
}

// states are the instructions waiting for the next digit, or accept once
// the pattern has matched: every pattern here starts with "^", and
// MatchString needs no more than a match from the start.
type states struct {
	pcs    []uint32
	accept bool
}

func (s states) key() string {
	if s.accept {
		return "accept"
	}
	k := make([]byte, 0, 4*len(s.pcs))
	for _, pc := range s.pcs {
		k = append(k, byte(pc>>24), byte(pc>>16), byte(pc>>8), byte(pc))
	}
	return string(k)
}

// step moves s over digit c, landing at position i of a number of n digits.
func (p *prover) step(prog *syntax.Prog, s states, c rune, i, n int) states {
	if s.accept {
		return s
	}
	var outs []uint32
	for _, pc := range s.pcs {
		if inst := &prog.Inst[pc]; consumes(inst, c) {
			outs = append(outs, inst.Out)
		}
	}
	return p.closure(prog, outs, i, n)
}

// consumes reports whether inst takes c, as regexp's machine decides.
func consumes(inst *syntax.Inst, c rune) bool {
	switch inst.Op {
	case syntax.InstRune:
		return inst.MatchRune(c)
	case syntax.InstRune1:
		return c == inst.Rune[0]
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return c != '\n'
	}
	return false
}

// closure follows the empty moves from pcs at position i of n digits. Only
// digits surround any position, so the empty-width assertions (^, $, \b)
// depend on the position alone.
func (p *prover) closure(prog *syntax.Prog, pcs []uint32, i, n int) states {
	before, after := rune('0'), rune('0')
	if i == 0 {
		before = -1
	}
	if i == n {
		after = -1
	}
	ctx := syntax.EmptyOpContext(before, after)
	if len(p.seen) < len(prog.Inst) {
		p.seen = make([]bool, len(prog.Inst))
	}
	seen := p.seen[:len(prog.Inst)]
	clear(seen)
	var s states
	stack := slices.Clone(pcs)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		switch inst := &prog.Inst[pc]; inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, inst.Out, inst.Arg)
		case syntax.InstCapture, syntax.InstNop:
			stack = append(stack, inst.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(inst.Arg)&^ctx == 0 {
				stack = append(stack, inst.Out)
			}
		case syntax.InstMatch:
			s.accept = true
		case syntax.InstFail:
		default: // a rune of some kind
			s.pcs = append(s.pcs, pc)
		}
	}
	if s.accept {
		return states{accept: true}
	}
	slices.Sort(s.pcs)
	return s
}

// prog compiles expr the way regexp.Compile does, or returns nil.
func (p *prover) prog(expr string) *syntax.Prog {
	if prog, ok := p.progs[expr]; ok {
		return prog
	}
	var prog *syntax.Prog
	if re, err := syntax.Parse(expr, syntax.Perl); err == nil {
		prog, _ = syntax.Compile(re.Simplify())
	}
	if p.progs == nil {
		p.progs = make(map[string]*syntax.Prog)
	}
	p.progs[expr] = prog
	return prog
}
