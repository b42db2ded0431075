//go:build unix

package export

import (
	"os"
	"syscall"
)

// lock takes an exclusive lock on f without waiting, and tells whether it
// got it. The lock goes with the process: a killed command's files are
// free at once.
func lock(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

const (
	// renameOpen: a table is renamed into place while still open, so its
	// lock holds until it is there.
	renameOpen = true
	syncDirs   = true
)
