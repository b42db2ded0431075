package export

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// Temp is the temporary file the table waits in until Close puts it in
// place. While the table is open its process holds a lock on it (where
// there is flock), so Drop and RemoveStale leave it alone.
func (t *Table) Temp() string { return t.file.Name() }

// Out tells whether anything of the table reached its place: the file was
// renamed into it, or bytes were copied to out.
func (t *Table) Out() bool { return t.wentOut }

// tempPattern is the glob of the temporary files of tables made for path.
func tempPattern(path string) string {
	dir := os.TempDir()
	if path != "-" {
		dir = filepath.Dir(path)
	}
	return filepath.Join(dir, "."+filepath.Base(path)+".*.tmp")
}

// ErrHeld tells that a temporary file belongs to a command still running,
// or that there is no lock to tell it by.
var ErrHeld = errors.New("the file is held by a running command")

// Drop removes the temporary file of a table whose command died. It tells
// whether it removed it: false with no error when the file is gone (its
// command renamed it into place, or it was dropped before); ErrHeld when a
// live command holds it.
func Drop(temp string) (bool, error) {
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
	// Removing it is what decides: had its command renamed it meanwhile,
	// the name would be gone.
	if err := os.Remove(temp); errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, nil
}

// RemoveStale removes, as far as it can, the temporary files that commands
// killed before they finished left for path, except those keep names. They
// hold personal data nobody will read. Files it cannot open (another
// user's, in a shared directory) are left alone.
func RemoveStale(path string, keep func(temp string) bool) {
	temps, _ := filepath.Glob(tempPattern(path))
	for _, temp := range temps {
		if strings.HasSuffix(temp, ".tmp") && !keep(temp) {
			Drop(temp)
		}
	}
}

// place renames temp to path. Where the directory can be synced, the
// rename is synced too; once renamed, the file is in place whatever the
// sync says, so a failed sync is not an error.
func place(temp, path string) error {
	if err := os.Rename(temp, path); err != nil {
		return err
	}
	if syncDirs {
		if dir, err := os.Open(filepath.Dir(path)); err == nil {
			dir.Sync()
			dir.Close()
		}
	}
	return nil
}
