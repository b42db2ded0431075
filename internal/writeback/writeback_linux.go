//go:build linux

package writeback

import (
	"os"
	"syscall"
)

// Available tells whether Sync does anything here.
const Available = true

// Sync writes f's data to disk and waits for it: fdatasync. Errors are
// left to the caller's own fsync, which is what makes the file durable.
func Sync(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.Fdatasync(int(fd)) })
	}
}
