//go:build linux

package writeback

import (
	"os"
	"syscall"
)

// Available tells whether Sync does anything here.
const Available = true

// Sync writes f's data to disk and waits for it: fdatasync. A write error
// it returns may not be reported again, to anyone: see Ticker.Stop.
func Sync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		for serr = syscall.Fdatasync(int(fd)); serr == syscall.EINTR; serr = syscall.Fdatasync(int(fd)) {
		}
	})
	if err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}
