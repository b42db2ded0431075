//go:build linux && !arm

package writeback

import (
	"os"
	"syscall"
)

// Available tells whether Start does anything here.
const Available = true

// Start has the system start writing n bytes of f from off to disk (the
// whole file when n is 0), without waiting for them: sync_file_range with
// SYNC_FILE_RANGE_WRITE. It may block while the disk's queue is full, so
// callers that must not wait run it on a goroutine of its own.
func Start(f *os.File, off, n int64) {
	const syncFileRangeWrite = 2 // SYNC_FILE_RANGE_WRITE
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.SyncFileRange(int(fd), off, n, syncFileRangeWrite) })
	}
}
