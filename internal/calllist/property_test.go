package calllist

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/callbase/callbase/internal/lifecycle"
	"github.com/callbase/callbase/internal/outcome"
	"github.com/callbase/callbase/internal/policy"
	"github.com/callbase/callbase/internal/store"
)

// TestListsKeepTheInvariants: random bases, calls, opt-outs, consent,
// rests and releases, and random list requests over 60 days; no list
// ever breaks an invariant of the design, and no number is on two live
// lists.
func TestListsKeepTheInvariants(t *testing.T) {
	for seed := range uint64(6) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkSeed(t, seed) })
	}
}

func checkSeed(t *testing.T, seed uint64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 99))
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "callbase.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)
	numbers := make([]uint64, 60)
	for i := range numbers {
		numbers[i] = 79160000000 + uint64(rng.IntN(1000000))
	}
	inTx := func(fn func(tx *store.Tx) error) {
		t.Helper()
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := fn(tx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	num := func(k uint64) store.Number {
		return store.Number{Key: k, Type: "mobile", Country: "RU", Place: store.Place{Zones: "Europe/Moscow"}}
	}
	// Three overlapping bases of 30 numbers.
	for b := range 3 {
		inTx(func(tx *store.Tx) error {
			im, err := tx.StartImport(ctx, store.ImportInfo{Base: fmt.Sprint("base", b), File: "f.csv", SHA256: fmt.Sprint(b), Format: "csv", At: start})
			if err != nil {
				return err
			}
			defer im.Close()
			if err := im.AddTable(ctx, 0, "", []string{"Телефон"}, []int{0}); err != nil {
				return err
			}
			for _, k := range numbers[b*15 : b*15+30] {
				row, err := im.AddRow(ctx, 0, 2, []string{fmt.Sprint(k)})
				if err != nil {
					return err
				}
				if err := im.AddNumber(ctx, row, 0, num(k)); err != nil {
					return err
				}
			}
			_, err = im.Finish(ctx, store.ImportCounts{})
			return err
		})
	}
	rules := lifecycle.Rules{UnreachableAttempts: 6, UnreachableSpan: 14 * 24 * time.Hour}
	exported := 0
	defer func() {
		if exported == 0 {
			t.Error("no list held any number: the test proves nothing")
		}
	}()
	for step := range 120 {
		now := start.Add(time.Duration(step) * 12 * time.Hour)
		k := numbers[rng.IntN(len(numbers))]
		inTx(func(tx *store.Tx) error {
			ch := lifecycle.Change{At: now, Cause: "test", Actor: "test"}
			switch rng.IntN(10) {
			case 0:
				_, err := lifecycle.OptOut(ctx, tx, num(k), ch)
				return err
			case 1:
				_, err := tx.AddConsent(ctx, k, store.Consent{Scope: "ads", Granted: rng.IntN(2) == 0, At: now, Actor: "t", RecordedAt: now})
				return err
			case 2:
				bases, err := tx.Bases(ctx)
				if err != nil || len(bases) == 0 {
					return err
				}
				b := bases[rng.IntN(len(bases))]
				return tx.Rest(ctx, b.ID, now.Add(time.Duration(1+rng.IntN(20))*24*time.Hour), now, "test", "t")
			case 3:
				_, err := tx.Release(ctx, now, "t")
				return err
			default:
				o := outcome.All[rng.IntN(len(outcome.All))]
				c := store.Call{At: now.Add(time.Duration(rng.IntN(600)) * time.Minute), Outcome: string(o), Source: "t"}
				if o == outcome.Callback {
					c.CallbackAt = now.Add(time.Duration(rng.IntN(96)) * time.Hour)
				}
				_, err := lifecycle.Record(ctx, tx, num(k), c, rules)
				return err
			}
		})
		if step%3 != 0 {
			continue
		}
		// A list request, leased for a random while.
		inTx(func(tx *store.Tx) error {
			r := policy.Request{Now: now, DueBy: now.Add(12 * time.Hour)}
			if err := Rules(ctx, tx, &r); err != nil {
				return err
			}
			if rng.IntN(2) == 0 {
				r.RequireConsent = "ads"
			}
			f := Filter{Limit: rng.IntN(15)}
			list, err := Build(ctx, tx, f, r)
			if err != nil {
				return err
			}
			checkList(ctx, t, tx, list, r)
			exported += len(list)
			// The same inputs give the same list, and a limited list is the
			// head of the whole one.
			whole, err := Build(ctx, tx, Filter{}, r)
			if err != nil {
				return err
			}
			if len(list) > len(whole) || (f.Limit > 0 && len(list) != min(f.Limit, len(whole))) {
				t.Fatalf("limit %d: %d numbers of %d", f.Limit, len(list), len(whole))
			}
			for i := range list {
				if list[i].Candidate.Key != whole[i].Candidate.Key || list[i].Base.ID != whole[i].Base.ID {
					t.Fatalf("the limited list differs from the whole one at %d", i)
				}
			}
			checkCount(ctx, t, tx, whole, r)
			leases := make([]store.Lease, len(list))
			for i, e := range list {
				leases[i] = store.Lease{Key: e.Candidate.Key, Base: e.Base.ID}
			}
			_, err = tx.RecordExport(ctx, now, now.Add(time.Duration(1+rng.IntN(30))*time.Hour), "l.csv", "t", "{}", leases)
			return err
		})
	}
}

// checkCount holds Count to the lists Build makes: as many callable
// numbers, by the same bases and classes, and from each base alone as
// many as a list of that base holds.
func checkCount(ctx context.Context, t *testing.T, tx *store.Tx, whole []Entry, r policy.Request) {
	t.Helper()
	bases, err := tx.BasesWithSizes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Count(ctx, tx, bases, r)
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{ByBase: map[int64]int{}, Best: map[int64]int{}, ByTemperature: map[string]int{}}
	for _, e := range whole {
		want.Callable++
		want.Best[e.Base.ID]++
		want.ByTemperature[className(e.Class, e.Temp)]++
	}
	for _, b := range bases {
		list, err := Build(ctx, tx, Filter{Bases: []string{b.Name}}, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > 0 {
			want.ByBase[b.ID] = len(list)
		}
	}
	clean := func(m map[int64]int) {
		maps.DeleteFunc(m, func(_ int64, n int) bool { return n == 0 })
	}
	clean(got.ByBase)
	clean(got.Best)
	maps.DeleteFunc(got.ByTemperature, func(_ string, n int) bool { return n == 0 })
	if got.Callable != want.Callable || !maps.Equal(got.ByBase, want.ByBase) || !maps.Equal(got.Best, want.Best) ||
		!maps.Equal(got.ByTemperature, want.ByTemperature) {
		t.Fatalf("at %s: Count says %+v, the lists %+v", r.Now, got, want)
	}
}

// checkList holds a list to the invariants, from the facts as stored.
func checkList(ctx context.Context, t *testing.T, tx *store.Tx, list []Entry, r policy.Request) {
	t.Helper()
	seen := map[uint64]bool{}
	for _, e := range list {
		c := e.Candidate
		switch {
		case seen[c.Key]:
			t.Errorf("%d twice on one list", c.Key)
		case c.State.Status == "dead":
			t.Errorf("%d is dead", c.Key)
		case !c.State.OptedOutAt.IsZero():
			t.Errorf("%d opted out", c.Key)
		case c.Consent["ads"].At != (time.Time{}) && !c.Consent["ads"].Granted:
			t.Errorf("%d withdrew ads consent", c.Key)
		case r.RequireConsent == "ads" && !c.Consent["ads"].Granted:
			t.Errorf("%d has no ads consent", c.Key)
		case c.LeaseUntil.After(r.Now):
			t.Errorf("%d is on another live list", c.Key)
		case e.Base.State == "resting" && (c.State.CallbackAt.IsZero() || c.State.CallbackAt.After(r.DueBy)):
			t.Errorf("%d from resting base %s without a due callback", c.Key, e.Base.Name)
		case e.Base.State != "resting" && !e.Base.RestUntil.IsZero():
			t.Errorf("base %s active with a rest end", e.Base.Name)
		}
		seen[c.Key] = true
	}
	if !slices.IsSortedFunc(list, func(a, b Entry) int { return compare(scoreOf(a, r), scoreOf(b, r)) }) {
		t.Error("the list is out of order")
	}
	_ = ctx
}
