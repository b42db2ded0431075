// Package calllist builds the day's call list: the callable numbers of the
// chosen bases (package policy decides), in priority order, dealt among
// agents and leased so that no other list carries them.
package calllist

import (
	"cmp"
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
func Build(ctx context.Context, tx *store.Tx, f Filter, r policy.Request) ([]Entry, error) {
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
	best := map[uint64]Entry{}
	for _, b := range chosen {
		pb := PolicyBase(b)
		err := tx.Candidates(ctx, b, r.Now, 0, func(c *store.Candidate) error {
			n := PolicyNumber(c)
			if !policy.Callable(policy.Check(n, pb, r)) || !f.admits(c, n, pb) {
				return nil
			}
			e := Entry{Candidate: c, Base: b, Class: policy.Class(n, pb, r), Temp: policy.Effective(n.Temperature, pb.Temperature)}
			if old, ok := best[c.Key]; !ok || less(e, old) {
				best[c.Key] = e
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	list := make([]Entry, 0, len(best))
	for _, e := range best {
		list = append(list, e)
	}
	slices.SortFunc(list, compare)
	limit := f.Limit
	if len(f.Agents) > 0 && f.PerAgent > 0 && (limit == 0 || f.PerAgent*len(f.Agents) < limit) {
		limit = f.PerAgent * len(f.Agents)
	}
	if limit > 0 && len(list) > limit {
		list = list[:limit]
	}
	// Dealt round-robin in priority order: every agent gets a fair share
	// of the best numbers.
	for i := range list {
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

// compare orders a list: due callbacks (earliest promise first), then hot,
// warm, cold; within each, fewer attempts this cycle, then the longest
// since the last attempt (never called first), then import order.
func compare(a, b Entry) int {
	if c := cmp.Compare(a.Class, b.Class); c != 0 {
		return c
	}
	if a.Class == 0 {
		if c := a.Candidate.State.CallbackAt.Compare(b.Candidate.State.CallbackAt); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.Candidate.Attempts, b.Candidate.Attempts); c != 0 {
		return c
	}
	if c := a.Candidate.LastCallAt.Compare(b.Candidate.LastCallAt); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Base.ID, b.Base.ID); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Candidate.FirstRow, b.Candidate.FirstRow); c != 0 {
		return c
	}
	return cmp.Compare(a.Candidate.Key, b.Candidate.Key)
}

func less(a, b Entry) bool { return compare(a, b) < 0 }

// PolicyBase is what the rules need of a base.
func PolicyBase(b store.BaseInfo) policy.Base {
	return policy.Base{ID: b.ID, Name: b.Name, State: b.State, RestUntil: b.RestUntil, CycleStartedAt: b.CycleStartedAt, Temperature: b.Temperature}
}

// PolicyNumber is what the rules need of a number.
func PolicyNumber(c *store.Candidate) policy.Number {
	n := policy.Number{Key: c.Key, Status: c.State.Status, DeadReason: c.State.DeadReason, Temperature: c.State.Temperature,
		CallbackAt: c.State.CallbackAt, OptedOutAt: c.State.OptedOutAt, LastCallAt: c.LastCallAt, LastOutcome: c.LastOutcome,
		LastCallBase: c.LastCallBase, Attempts: c.Attempts, LeaseUntil: c.LeaseUntil, LeaseBase: c.LeaseBase,
		Consent: map[string]policy.Consent{}}
	if c.Zones != "" {
		n.Zones = strings.Split(c.Zones, ",")
	}
	for scope, e := range c.Consent {
		n.Consent[scope] = policy.Consent{Granted: e.Granted, At: e.At}
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
		if b.State != "active" || b.Numbers == 0 {
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
