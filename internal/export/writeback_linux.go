//go:build linux && !arm

package export

import (
	"os"
	"syscall"
)

// startWriteback has the system start writing n bytes of f from off to
// disk, without waiting for them (sync_file_range with
// SYNC_FILE_RANGE_WRITE). It promises nothing: Finish's fsync does.
func startWriteback(f *os.File, off, n int64) {
	const syncFileRangeWrite = 2 // SYNC_FILE_RANGE_WRITE
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.SyncFileRange(int(fd), off, n, syncFileRangeWrite) })
	}
}
