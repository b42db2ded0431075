package numplan

import (
	_ "embed"
	"sync"
)

// The plan embedded in the binary, in the compact form of MarshalBinary (about 40 kB),
// generated from data/DEF-9xx.csv.gz, the registry file as published, by
// `go test ./internal/numplan -run TestEmbedded -update`; the test fails while the two
// disagree. To refresh it see data/README.md.
//
//go:embed data/plan.bin
var embeddedData []byte

// EmbeddedDate is the date of the registry copy embedded in the binary.
const EmbeddedDate = "2026-08"

// Embedded returns the plan embedded in the binary: the DEF (mobile) registry as of
// EmbeddedDate, so it covers +7 9xx only. It is decoded on first use, once (a few ms);
// a command that never calls it pays nothing.
func Embedded() *Plan { return embedded() }

var embedded = sync.OnceValue(func() *Plan {
	p, err := Decode(embeddedData)
	if err != nil {
		panic("numplan: embedded plan: " + err.Error()) // cannot happen: TestEmbedded
	}
	return p
})
