package store

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"sync/atomic"
)

// partSize is how many numbers, in import order, one statement looks up:
// few enough that the first parts come back while the walk goes on, many
// enough to spread a statement's own cost.
const partSize = 8192

// keptBlocks bounds the row blocks a walk keeps for the list's rows, some
// 32 KB each: a list of 100,000 of big.db's numbers takes a few hundred.
// The rows of numbers met past them are read again by ListRows.
var keptBlocks = 2048 // a variable for tests

// walkedLink is a number met walking a base's row blocks, with its block.
type walkedLink struct {
	blockLink
	block *rowBlock
}

// lookups looks up the parts of numbers a walk sends and hands the
// candidates found to fn, in the order sent: with readers aside, on their
// goroutines and fn's own, beside the walk; else in turn with it.
type lookups struct {
	ctx     context.Context
	t       *Tx
	cs      *candidateScan
	fn      func(*Candidate) (bool, error)
	jobs    chan *lookupPart // to the readers aside; nil: none
	order   chan *lookupPart // to fn's goroutine, in the order sent
	pending sync.WaitGroup   // parts sent, not yet through fn
	workers sync.WaitGroup
	stop    atomic.Bool // fn said stop, or something failed
	mu      sync.Mutex
	err     error // the first failure
	closed  bool
}

type lookupPart struct {
	links []walkedLink
	found chan lookedUp // one value
}

type lookedUp struct {
	cands []*Candidate
	err   error
}

func newLookups(ctx context.Context, t *Tx, cs *candidateScan, fn func(*Candidate) (bool, error)) *lookups {
	lk := &lookups{ctx: ctx, t: t, cs: cs, fn: fn}
	if len(cs.asides) == 0 {
		return lk
	}
	lk.jobs = make(chan *lookupPart, len(cs.asides))
	lk.order = make(chan *lookupPart, 2*len(cs.asides)+2)
	for _, a := range cs.asides {
		// Each reader fills its own caches of shared strings; the maps of
		// places, consents and leases it only reads.
		own := *cs.Facts
		own.kinds, own.kindsOf, own.zones = map[[2]string][2]string{}, map[string]map[string][2]string{}, map[string][]string{}
		own.asides = nil
		scan := &candidateScan{start: cs.start, Facts: &own}
		lk.workers.Add(1)
		go func() {
			defer lk.workers.Done()
			for p := range lk.jobs {
				var r lookedUp
				if !lk.stop.Load() {
					r.cands, r.err = lookUp(ctx, a, scan, p.links)
				}
				p.found <- r
			}
		}()
	}
	lk.workers.Add(1)
	go func() {
		defer lk.workers.Done()
		for p := range lk.order {
			lk.judge(<-p.found)
			lk.pending.Done()
		}
	}()
	return lk
}

// send looks up links, which the caller leaves alone from now on.
func (lk *lookups) send(links []walkedLink) {
	if lk.jobs == nil {
		if !lk.stop.Load() {
			var r lookedUp
			r.cands, r.err = lookUp(lk.ctx, lk.t.tx, lk.cs, links)
			lk.judge(r)
		}
		return
	}
	p := &lookupPart{links: links, found: make(chan lookedUp, 1)}
	lk.pending.Add(1)
	lk.order <- p
	lk.jobs <- p
}

// judge hands a part's candidates to fn, unless it said stop before.
func (lk *lookups) judge(r lookedUp) {
	if lk.stop.Load() {
		return
	}
	if r.err != nil {
		lk.fail(r.err)
		return
	}
	for _, c := range r.cands {
		more, err := lk.fn(c)
		if err != nil {
			lk.fail(err)
			return
		}
		if !more {
			lk.stop.Store(true)
			return
		}
	}
}

func (lk *lookups) fail(err error) {
	lk.mu.Lock()
	if lk.err == nil {
		lk.err = err
	}
	lk.mu.Unlock()
	lk.stop.Store(true)
}

// stopped tells whether fn wants no more (or something failed).
func (lk *lookups) stopped() bool { return lk.stop.Load() }

// wait returns once fn has seen every part sent.
func (lk *lookups) wait() { lk.pending.Wait() }

// close waits for the parts sent and the goroutines, and returns the
// first failure. fn is not called after.
func (lk *lookups) close() error {
	if !lk.closed && lk.jobs != nil {
		close(lk.jobs)
		close(lk.order)
		lk.workers.Wait()
	}
	lk.closed = true
	lk.mu.Lock()
	defer lk.mu.Unlock()
	return lk.err
}

// lookUp returns the candidates among links (distinct numbers) that
// untouchedFacts finds, in the order of links, each with its first row.
func lookUp(ctx context.Context, db querier, cs *candidateScan, links []walkedLink) ([]*Candidate, error) {
	type keyAt struct {
		key uint64
		at  int
	}
	byKey := make([]keyAt, len(links))
	for i, l := range links {
		byKey[i] = keyAt{l.key, i}
	}
	slices.SortFunc(byKey, func(a, b keyAt) int { return cmp.Compare(a.key, b.key) })
	keys := make([]uint64, len(byKey))
	for i, k := range byKey {
		keys[i] = k.key
	}
	found := make([]*Candidate, len(links))
	err := untouchedFacts(ctx, db, cs, keys, func(c *Candidate) error {
		if i, ok := slices.BinarySearch(keys, c.Key); ok {
			found[byKey[i].at] = c
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := found[:0]
	for i, c := range found {
		if c != nil {
			c.FirstRow, c.block = links[i].row, links[i].block
			out = append(out, c)
		}
	}
	return out, nil
}
