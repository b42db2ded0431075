package cli

import (
	"context"
	"strings"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/phone"
	"github.com/callbase/callbase/internal/store"
)

// numberArg reads a NUMBER argument: exactly one valid number, placed by
// loc (nil leaves the place empty).
func (g *globals) numberArg(arg string, loc *locate.Locator) (store.Number, error) {
	nz, err := phone.NewNormalizer(g.region)
	if err != nil {
		return store.Number{}, err
	}
	var found []phone.Result
	var why string
	for _, r := range nz.Cell(arg) {
		if r.Reason == phone.OK {
			found = append(found, r)
		} else if why == "" {
			why = r.Reason.String()
		}
	}
	switch {
	case len(found) == 0:
		// The argument is not repeated: it may be a person's data.
		return store.Number{}, callbase.Usagef("not a phone number (%s)\nTry: +79161234567 or 8 916 123-45-67", why)
	case len(found) > 1:
		return store.Number{}, callbase.Usagef("an argument holds %d numbers; give one per argument", len(found))
	}
	n := found[0].Number
	num := store.Number{Key: n.Key(), Type: n.Type.String(), Country: n.Country}
	if loc != nil {
		p := loc.Place(n)
		num.Place = store.Place{Operator: p.Operator, Region: p.Region, Zones: p.ZoneList(), Unallocated: p.Unallocated}
	}
	return num, nil
}

// actor names who runs the command, for the events it records.
func (g *globals) actor() string {
	if u := strings.TrimSpace(g.getenv("USER")); u != "" {
		return u
	}
	return "callbase"
}

// storedLocator returns the locator of the numbering plan stored in tx.
func storedLocator(ctx context.Context, tx *store.Tx) (*locate.Locator, error) {
	data, _, ok, err := tx.Plan(ctx)
	if err != nil {
		return nil, err
	}
	return locate.Stored(data, ok)
}
