// Package calllist builds the day's call list: the callable numbers of the
// chosen bases (package policy decides), in priority order, dealt among
// agents and leased so that no other list carries them.
package calllist

import (
	"cmp"
	"container/heap"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/outcome"
	"github.com/callbase/callbase/internal/policy"
	"github.com/callbase/callbase/internal/settings"
	"github.com/callbase/callbase/internal/store"
)

// Filter is what a list asks for besides the calling rules.
type Filter struct {
	Bases       []string // names; none: every base
	Source      string
	Temperature []string // effective temperatures; none: any
	Type        string   // mobile, fixed; "": any
	Region      string   // a piece of the region's name, any case
	Limit       int      // 0: no limit
	Agents      []string
	PerAgent    int // with Agents: at most this many each
}

// Entry is one number on a list.
type Entry struct {
	Candidate *store.Candidate
	Base      store.BaseInfo
	Agent     string
	Class     int    // policy.Class: 0 due callback, 1 hot, 2 warm, 3 cold
	Temp      string // effective temperature
}

// Rules reads the request's thresholds from the database's settings.
func Rules(ctx context.Context, tx *store.Tx, r *policy.Request) error {
	get := func(name string) (string, bool, error) { return tx.Setting(ctx, name) }
	attempts, err := settings.Get("cycle.max_attempts", get)
	if err != nil {
		return err
	}
	days, err := settings.Get("rest.days", get)
	if err != nil {
		return err
	}
	r.MaxAttempts, r.Protect = attempts, time.Duration(days)*24*time.Hour
	return nil
}

// Build returns the list, in order, each number once.
func Build(ctx context.Context, tx *store.Tx, f Filter, r policy.Request) (_ []Entry, err error) {
	all, err := tx.Bases(ctx)
	if err != nil {
		return nil, err
	}
	var chosen []store.BaseInfo
	for _, name := range f.Bases {
		if !slices.ContainsFunc(all, func(b store.BaseInfo) bool { return b.Name == name }) {
			return nil, callbase.Usagef("no base %q\nTry: callbase base list", name)
		}
	}
	for _, b := range all {
		if (len(f.Bases) == 0 || slices.Contains(f.Bases, b.Name)) && (f.Source == "" || b.Source == f.Source) {
			chosen = append(chosen, b)
		}
	}
	limit := f.Limit
	if len(f.Agents) > 0 && f.PerAgent > 0 && (limit == 0 || f.PerAgent*len(f.Agents) < limit) {
		limit = f.PerAgent * len(f.Agents)
	}
	top := newTop(limit)
	facts, err := tx.Facts(ctx, r.Now)
	if err != nil {
		return nil, err
	}
	// Build only reads, and comes first in its transaction: the numbers
	// can be looked up on two cores (see store.ReadAside). Should it ever
	// write, done says so, and the list is dropped.
	done, err := tx.ReadAside(ctx, facts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if e := done(); e != nil && err == nil {
			err = e
		}
	}()
	for i, b := range chosen {
		pb := PolicyBase(b)
		score := func(c *store.Candidate) (*scored, bool) {
			n := PolicyNumber(c)
			if !policy.Allowed(n, pb, r) || !f.admits(c, n, pb) {
				return nil, false
			}
			return &scored{class: policy.Class(n, pb, r), callback: c.State.CallbackAt.Unix(), attempts: c.Attempts,
				last: c.LastCallAt.Unix(), base: i, baseID: b.ID, row: c.FirstRow, key: c.Key, cand: c}, true
		}
		// The numbers something happened to, through their index; then the
		// untouched rest in import order, which is also their order on the
		// list (same class, no attempts, never called): once one cannot
		// enter a full list, none after it can.
		err := tx.TouchedCandidates(ctx, facts, b, func(c *store.Candidate) error {
			if s, ok := score(c); ok {
				top.offer(s)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		// Untouched numbers have no callback, so none comes from a resting
		// or archived base; nor of a temperature the list leaves out.
		if b.State != "active" || (len(f.Temperature) > 0 && !slices.Contains(f.Temperature, policy.Effective("cold", b.Temperature))) {
			continue
		}
		err = tx.UntouchedCandidates(ctx, facts, b, limit, func(c *store.Candidate) (bool, error) {
			s, ok := score(c)
			if !ok {
				return true, nil
			}
			if top.rejects(s) {
				return false, nil
			}
			top.offer(s)
			return true, nil
		})
		if err != nil {
			return nil, err
		}
	}
	items := top.sorted()
	list := make([]Entry, len(items))
	for i, s := range items {
		b := chosen[s.base]
		list[i] = Entry{Candidate: s.cand, Base: b, Class: s.class,
			Temp: policy.Effective(s.cand.State.Temperature, b.Temperature)}
		// Dealt round-robin in priority order: every agent gets a fair
		// share of the best numbers.
		if len(f.Agents) > 0 {
			list[i].Agent = f.Agents[i%len(f.Agents)]
		}
	}
	return list, nil
}

func (f Filter) admits(c *store.Candidate, n policy.Number, b policy.Base) bool {
	if len(f.Temperature) > 0 && !slices.Contains(f.Temperature, policy.Effective(n.Temperature, b.Temperature)) {
		return false
	}
	switch f.Type {
	case "mobile":
		if c.Type != "mobile" && c.Type != "fixed_or_mobile" {
			return false
		}
	case "fixed":
		if c.Type != "fixed" && c.Type != "fixed_or_mobile" {
			return false
		}
	}
	return f.Region == "" || strings.Contains(strings.ToLower(c.Region), strings.ToLower(f.Region))
}

// scored is a callable number with what orders it on a list.
type scored struct {
	class    int
	callback int64 // the promised time, for due callbacks
	attempts int
	last     int64 // the last call; the zero time sorts first
	base     int   // index of the chosen base
	baseID   int64
	row      int64
	key      uint64
	cand     *store.Candidate
	at       int // index in the heap
}

// compare orders a list: due callbacks (earliest promise first), then hot,
// warm, cold; within each, fewer attempts this cycle, then the longest
// since the last attempt (never called first), then import order.
func compare(a, b *scored) int {
	if c := cmp.Compare(a.class, b.class); c != 0 {
		return c
	}
	if a.class == 0 {
		if c := cmp.Compare(a.callback, b.callback); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.attempts, b.attempts); c != 0 {
		return c
	}
	if c := cmp.Compare(a.last, b.last); c != 0 {
		return c
	}
	if c := cmp.Compare(a.baseID, b.baseID); c != 0 {
		return c
	}
	if c := cmp.Compare(a.row, b.row); c != 0 {
		return c
	}
	return cmp.Compare(a.key, b.key)
}

// scoreOf is the order of an entry of a list, as Build ranked it.
func scoreOf(e Entry, r policy.Request) *scored {
	n, b := PolicyNumber(e.Candidate), PolicyBase(e.Base)
	return &scored{class: policy.Class(n, b, r), callback: e.Candidate.State.CallbackAt.Unix(), attempts: e.Candidate.Attempts,
		last: e.Candidate.LastCallAt.Unix(), baseID: e.Base.ID, row: e.Candidate.FirstRow, key: e.Candidate.Key}
}

// top keeps the best entry of each number and, with a limit, only the
// best limit numbers: memory grows with the list, not with the bases.
// The heap of the kept is made only once they fill the list: untouched
// numbers come in list order, each the worst so far, and pushing each
// climbed the whole heap.
type top struct {
	limit  int
	best   map[uint64]*scored
	heap   []*scored // with a limit: the kept, the worst on top once heaped
	heaped bool
	order  []*scored // every entry kept, as offered; sorted() starts from it
}

func newTop(limit int) *top { return &top{limit: limit, best: map[uint64]*scored{}} }

func (t *top) offer(s *scored) {
	if old, ok := t.best[s.key]; ok {
		if compare(s, old) < 0 {
			s.at = old.at
			t.best[s.key] = s
			t.order = append(t.order, s)
			if t.limit > 0 {
				t.heap[s.at] = s
				if t.heaped {
					heap.Fix(t, s.at)
				}
			}
		}
		return
	}
	if t.limit == 0 {
		t.best[s.key] = s
		t.order = append(t.order, s)
		return
	}
	if len(t.heap) == t.limit {
		worst := t.heap[0]
		if compare(s, worst) >= 0 {
			return
		}
		heap.Pop(t)
		delete(t.best, worst.key)
	}
	t.best[s.key] = s
	t.order = append(t.order, s)
	if t.heaped {
		heap.Push(t, s)
		return
	}
	s.at = len(t.heap)
	t.heap = append(t.heap, s)
	if len(t.heap) == t.limit {
		heap.Init(t)
		t.heaped = true
	}
}

// rejects tells whether s cannot enter: the list is full of better ones.
func (t *top) rejects(s *scored) bool {
	return t.limit > 0 && len(t.heap) == t.limit && compare(s, t.heap[0]) >= 0
}

// sorted returns the entries kept, best first. They are taken in the
// order offered, nearly the list's own (untouched numbers come in it),
// which the sort then finds sorted in long runs: from the map's random
// order it took 0.07 s for 100,000.
func (t *top) sorted() []*scored {
	out := make([]*scored, 0, len(t.best))
	for _, s := range t.order {
		if t.best[s.key] == s {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, compare)
	return out
}

// heap.Interface, worst first.
func (t *top) Len() int           { return len(t.heap) }
func (t *top) Less(i, j int) bool { return compare(t.heap[i], t.heap[j]) > 0 }
func (t *top) Swap(i, j int) {
	t.heap[i], t.heap[j] = t.heap[j], t.heap[i]
	t.heap[i].at, t.heap[j].at = i, j
}
func (t *top) Push(x any) {
	s := x.(*scored)
	s.at = len(t.heap)
	t.heap = append(t.heap, s)
}
func (t *top) Pop() any {
	s := t.heap[len(t.heap)-1]
	t.heap = t.heap[:len(t.heap)-1]
	return s
}

// PolicyBase is what the rules need of a base.
func PolicyBase(b store.BaseInfo) policy.Base {
	return policy.Base{ID: b.ID, Name: b.Name, State: b.State, RestUntil: b.RestUntil, CycleStartedAt: b.CycleStartedAt, Temperature: b.Temperature}
}

// PolicyNumber is what the rules need of a number.
func PolicyNumber(c *store.Candidate) policy.Number {
	n := policy.Number{Key: c.Key, Status: c.State.Status, DeadReason: c.State.DeadReason, Temperature: c.State.Temperature,
		CallbackAt: c.State.CallbackAt, OptedOutAt: c.State.OptedOutAt, LastCallAt: c.LastCallAt, LastOutcome: c.LastOutcome,
		LastCallBase: c.LastCallBase, Attempts: c.Attempts, LeaseUntil: c.LeaseUntil, LeaseBase: c.LeaseBase,
		Zones: c.ZoneList}
	if n.Zones == nil && c.Zones != "" {
		n.Zones = strings.Split(c.Zones, ",")
	}
	// Few numbers have consent records: no map for the others (a nil map
	// reads as empty), as a list scores millions.
	if len(c.Consent) > 0 {
		n.Consent = make(map[string]policy.Consent, len(c.Consent))
		for scope, e := range c.Consent {
			n.Consent[scope] = policy.Consent{Granted: e.Granted, At: e.At}
		}
	}
	return n
}

// Finals are the outcomes that end a number's work for a cycle.
func Finals() []string {
	var out []string
	for _, o := range outcome.All {
		if policy.Final(o) {
			out = append(out, string(o))
		}
	}
	return out
}

// RestWorkedThrough puts to rest every active base whose numbers have all
// been worked in this cycle (a final outcome, the attempt limit, dead or
// opted out), for rest.days from now. It returns the bases put to rest.
func RestWorkedThrough(ctx context.Context, tx *store.Tx, now time.Time, actor string) ([]string, error) {
	var r policy.Request
	if err := Rules(ctx, tx, &r); err != nil {
		return nil, err
	}
	all, err := tx.Bases(ctx)
	if err != nil {
		return nil, err
	}
	var rested []string
	for _, b := range all {
		if b.State != "active" {
			continue
		}
		if empty, err := tx.Empty(ctx, b.ID); err != nil || empty {
			if err != nil {
				return nil, err
			}
			continue
		}
		open, err := tx.HasOpenNumbers(ctx, b, Finals(), r.MaxAttempts)
		if err != nil || open {
			if err != nil {
				return nil, err
			}
			continue
		}
		until := now.Add(r.Protect)
		if err := tx.Rest(ctx, b.ID, until, now, "worked through: every number has a final outcome or its attempts this cycle", actor); err != nil {
			return nil, err
		}
		rested = append(rested, b.Name)
	}
	return rested, nil
}
