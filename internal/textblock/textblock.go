// Package textblock cuts short strings from shared blocks of text: one
// allocation for many strings instead of one each, where a base of a
// million rows makes millions of them. A string cut keeps its whole block
// in memory: whoever keeps one long, among many dropped, keeps a clone.
package textblock

import "strings"

// Blocks cuts strings from its current block, and starts a new block of
// Size bytes (or of the string's, if longer) when the current one is full.
// Strings cut before stay valid: a block is never written over, only
// filled within its capacity.
type Blocks struct {
	Size  int
	block strings.Builder
}

// Cut returns p's bytes as a string.
func (bs *Blocks) Cut(p []byte) string {
	if bs.block.Cap()-bs.block.Len() < len(p) {
		bs.block = strings.Builder{} // the strings cut from the old block keep it
		bs.block.Grow(max(bs.Size, len(p)))
	}
	start := bs.block.Len()
	bs.block.Write(p)
	return bs.block.String()[start:]
}
