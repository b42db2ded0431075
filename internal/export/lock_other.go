//go:build !unix

package export

import "os"

// lock reports every file as held where there is no flock: a temporary
// file is then never dropped by another command; it stays, with its
// export's numbers leased until the lease ends, which is the safe side.
func lock(f *os.File) bool { return false }

const (
	// Windows renames no file that is open, and syncs no directory.
	renameOpen = false
	syncDirs   = false
)
