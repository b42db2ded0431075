package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestUntouchedWithKnownMarks: the untouched numbers read with the marked
// numbers known (looked up without joining number_marks, but for those)
// are the ones read joining the marks to every number, with the same
// facts, in the same order, for a list of any length: neither takes a
// dead, opted-out or touched number, and both take a detached number
// and one whose marks all have their defaults.
func TestUntouchedWithKnownMarks(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	keys := make([]uint64, 3000)
	for i := range keys {
		keys[i] = 79160000000 + uint64(i*7919%1000000)
	}
	importRows(t, st, "a", "h1", keys)
	marks := map[string]string{ // what each tenth number has, by its last digit of i/10
		"dead":     `status = 'dead', dead_reason = 'unallocated'`,
		"opted":    `opted_out_at = '2026-11-01T10:00:00Z'`,
		"warm":     `temperature = 'warm'`,
		"called":   `last_call_at = '2026-11-01T10:00:00Z', last_outcome = 'busy'`,
		"callback": `callback_at = '2026-11-30T10:00:00Z'`,
		"detached": `detached_at = '2026-11-01T10:00:00Z'`,
		"defaults": `status = 'active'`,
	}
	kinds := slices.Sorted(func(yield func(string) bool) {
		for k := range marks {
			if !yield(k) {
				return
			}
		}
	})
	for i, k := range keys {
		if i%10 >= len(kinds) || i%3 == 0 {
			continue
		}
		kind := kinds[i%10]
		if _, err := st.db.ExecContext(ctx, `INSERT INTO number_marks (num) VALUES (?)`, k); err != nil {
			t.Fatal(err)
		}
		if _, err := st.db.ExecContext(ctx, `UPDATE number_marks SET `+marks[kind]+` WHERE num = ?`, k); err != nil {
			t.Fatal(err)
		}
	}
	read := func(perLookup, want int) (got []string, known bool) {
		t.Helper()
		defer func(old int) { marksPerLookup = old }(marksPerLookup)
		marksPerLookup = perLookup
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		facts, err := tx.Facts(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		bases, err := tx.Bases(ctx)
		if err != nil || len(bases) != 1 {
			t.Fatalf("bases %v, %v", bases, err)
		}
		// As a list looks up: on the readers aside, each with its copy of
		// the facts.
		done, err := tx.ReadAside(ctx, facts)
		if err != nil {
			t.Fatal(err)
		}
		defer done()
		err = tx.UntouchedCandidates(ctx, facts, bases[0], want, func(c *Candidate) (bool, error) {
			got = append(got, fmt.Sprintf("%d %s %s %s %v %d", c.Key, c.Type, c.Country, c.State.Status, c.State.DetachedAt, c.FirstRow))
			return want == 0 || len(got) < want, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, facts.marksKnown
	}
	for _, want := range []int{0, 1, 100, 2999} {
		joined, known := read(-1, want)
		if known {
			t.Fatal("marks known with marksPerLookup -1")
		}
		got, known := read(1<<20, want)
		if !known {
			t.Fatal("marks not known with marksPerLookup 1<<20")
		}
		if !slices.Equal(got, joined) {
			t.Errorf("want %d: with the marks known %d numbers, joined %d:\n%q\n%q", want, len(got), len(joined), got, joined)
		}
	}
	all, known := read(4, 0)
	if !known {
		t.Error("1400 marks, 3000 numbers to look up: the marks were not read")
	}
	if _, known := read(4, 100); known {
		t.Error("1400 marks, about 170 numbers to look up: the marks were read")
	}
	// Every third number has no marks; of the rest, dead, opted out and
	// the three touched are left out.
	taken := 0
	for i := range keys {
		if i%3 == 0 || i%10 >= len(kinds) || kinds[i%10] == "defaults" || kinds[i%10] == "detached" {
			taken++
		}
	}
	if len(all) != taken {
		t.Errorf("%d untouched numbers, want %d", len(all), taken)
	}
	detached := 0
	for _, c := range all {
		if strings.Contains(c, " 2026-11-01 10:00:00 +0000 UTC ") {
			detached++
		}
	}
	if want := len(keys) / 10 * 2 / 3; detached != want {
		t.Errorf("%d detached numbers taken, want %d", detached, want)
	}
}
