package export

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// Temp is the temporary file the table waits in until Close puts it in
// place. While the table is open its process holds a lock on it, so
// Adopt and RemoveStale leave it alone.
func (t *Table) Temp() string { return t.file.Name() }

// tempPattern is the glob of the temporary files of tables made for path.
func tempPattern(path string) string {
	dir := os.TempDir()
	if path != "-" {
		dir = filepath.Dir(path)
	}
	return filepath.Join(dir, "."+filepath.Base(path)+".*.tmp")
}

// ErrHeld tells that a temporary file belongs to a command still running.
var ErrHeld = errors.New("the file is held by a running command")

// Adopt puts the finished temporary file of a table whose process died in
// place at path, as Close would have. It returns false, doing nothing, when
// the file is gone, and ErrHeld when a live process holds it.
func Adopt(temp, path string) (bool, error) {
	f, err := os.Open(temp)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	if !lock(f) {
		return false, ErrHeld
	}
	return true, place(temp, path)
}

// Drop removes the temporary file of a table whose process died; ErrHeld
// when a live process holds it.
func Drop(temp string) error {
	f, err := os.Open(temp)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if !lock(f) {
		return ErrHeld
	}
	return os.Remove(temp)
}

// RemoveStale removes the temporary files that killed commands left for
// path, except those keep names (lists a later command may still put in
// place). They hold personal data nobody will read.
func RemoveStale(path string, keep func(temp string) bool) error {
	temps, err := filepath.Glob(tempPattern(path))
	if err != nil {
		return err
	}
	var errs []error
	for _, temp := range temps {
		if strings.HasSuffix(temp, ".tmp") && !keep(temp) {
			if err := Drop(temp); !errors.Is(err, ErrHeld) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// place renames temp to path and syncs the directory, so the rename
// survives a crash once place returns.
func place(temp, path string) error {
	if err := os.Rename(temp, path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	if err := dir.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
