package phone

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// Reading whole cells with phonenumbers alone is what this package
// replaces. Every number that way finds must be found here too, and more.
func TestFindsWhatWholeCellParsingFinds(t *testing.T) {
	nz := newRU(t)
	cells := realisticCells(5000)
	for _, tc := range cellCases {
		cells = append(cells, tc.cell)
	}
	ours, theirs := map[string]bool{}, map[string]bool{}
	for _, cell := range cells {
		found := map[string]bool{}
		for _, r := range nz.Cell(cell) {
			if r.Reason == OK {
				found[r.E164], ours[r.E164] = true, true
			}
		}
		pn, err := phonenumbers.Parse(cell, "RU")
		if err != nil || !phonenumbers.IsValidNumber(pn) {
			continue
		}
		e164 := phonenumbers.Format(pn, phonenumbers.E164)
		theirs[e164] = true
		if !found[e164] {
			t.Errorf("Cell(%q): phonenumbers finds %s, we do not", cell, e164)
		}
	}
	lost := 100 * float64(len(ours)-len(theirs)) / float64(len(ours))
	t.Logf("unique numbers: %d here, %d by whole-cell parsing (%.1f%% lost that way)", len(ours), len(theirs), lost)
}
