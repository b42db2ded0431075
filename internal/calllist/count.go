package calllist

import (
	"context"
	"errors"
	"slices"

	"github.com/callbase/callbase/internal/policy"
	"github.com/callbase/callbase/internal/store"
)

// Counts are how many numbers are callable at an instant, by the same
// rules and order as Build without a limit, counted without reading every
// number (see store.SpecialCandidates).
type Counts struct {
	ByBase        map[int64]int  // callable from each base: a number of two bases counts in both
	Callable      int            // distinct numbers a list could carry, each once
	Best          map[int64]int  // those by the base a list would take them from
	ByTemperature map[string]int // those by class: "callback", or the effective temperature
}

// Count counts the callable numbers of bases, which must carry their
// sizes (Numbers). The rules see a number's facts one by one, except the
// plain numbers' (untouched, active, no consent, no lease), which are the
// same for all of a base: the rules judge one of them, for all. A window
// would set them apart by their zones, so a request with one is refused.
func Count(ctx context.Context, tx *store.Tx, bases []store.BaseInfo, r policy.Request) (Counts, error) {
	c := Counts{ByBase: map[int64]int{}, Best: map[int64]int{}, ByTemperature: map[string]int{}}
	if r.Window != nil {
		return c, errors.New("calllist: counting with a calling window is not supported")
	}
	facts, err := tx.Facts(ctx, r.Now)
	if err != nil {
		return c, err
	}
	best := newTop(0)            // each special callable number at its best base
	special := map[uint64]bool{} // every special number of the bases
	holds := map[int64]map[uint64]bool{}
	type plainBase struct {
		i int
		s *scored
	}
	var plain []plainBase // the bases whose plain numbers are callable
	for i, b := range bases {
		pb := PolicyBase(b)
		held := map[uint64]bool{}
		err := tx.SpecialCandidates(ctx, facts, b, func(cand *store.Candidate) error {
			held[cand.Key], special[cand.Key] = true, true
			n := PolicyNumber(cand)
			if policy.Allowed(n, pb, r) {
				c.ByBase[b.ID]++
				best.offer(&scored{class: policy.Class(n, pb, r), callback: cand.State.CallbackAt.Unix(), attempts: cand.Attempts,
					last: cand.LastCallAt.Unix(), base: i, baseID: b.ID, row: cand.FirstRow, key: cand.Key, cand: cand})
			}
			return nil
		})
		if err != nil {
			return c, err
		}
		holds[b.ID] = held
		rep := policy.Number{Status: "active", Temperature: "cold"}
		if policy.Allowed(rep, pb, r) {
			c.ByBase[b.ID] += b.Numbers - len(held)
			// Plain numbers rank alike but for base and row: a number of
			// several bases goes to the first by class, then base id.
			plain = append(plain, plainBase{i, &scored{class: policy.Class(rep, pb, r), baseID: b.ID}})
		}
	}
	// Being special is a fact of the number, not of a base: the special
	// and the plain numbers never meet, and their counts add up.
	for _, s := range best.best {
		b := bases[s.base]
		c.Callable++
		c.Best[b.ID]++
		c.ByTemperature[className(s.class, policy.Effective(s.cand.State.Temperature, b.Temperature))]++
	}
	slices.SortFunc(plain, func(a, b plainBase) int { return compare(a.s, b.s) })
	// The plain numbers a base is the best of: those of the union of it
	// and the better bases, less those of the better bases alone.
	var ids []int64
	before := 0
	for _, p := range plain {
		b := bases[p.i]
		ids = append(ids, b.ID)
		union, err := unionSize(ctx, tx, bases, ids)
		if err != nil {
			return c, err
		}
		specials := 0
		for k := range special {
			for _, id := range ids {
				if holds[id][k] {
					specials++
					break
				}
			}
		}
		n := union - specials - before
		before += n
		c.Callable += n
		c.Best[b.ID] += n
		c.ByTemperature[className(p.s.class, policy.Effective("cold", b.Temperature))] += n
	}
	return c, nil
}

// unionSize counts the distinct numbers of the bases ids; one base is
// its size, known already.
func unionSize(ctx context.Context, tx *store.Tx, bases []store.BaseInfo, ids []int64) (int, error) {
	if len(ids) == 1 {
		for _, b := range bases {
			if b.ID == ids[0] {
				return b.Numbers, nil
			}
		}
	}
	return tx.NumbersIn(ctx, ids)
}

// className names a list's class as stats tells it: due callbacks apart,
// the rest by temperature.
func className(class int, temp string) string {
	if class == 0 {
		return "callback"
	}
	return temp
}
