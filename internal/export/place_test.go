//go:build unix

package export

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestLeftovers covers the temporary files of commands that died: a file
// whose command lives is held; one whose command died is dropped; one
// renamed meanwhile is gone, not dropped; stale ones are removed unless
// kept.
func TestLeftovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "list.csv")

	live, err := Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := live.Sheet("calls", []string{"number"}); err != nil {
		t.Fatal(err)
	}
	if err := live.Finish(); err != nil {
		t.Fatal(err)
	}
	if _, err := Drop(live.Temp()); !errors.Is(err, ErrHeld) {
		t.Errorf("Drop of a live table's file: %v, want ErrHeld", err)
	}
	RemoveStale(path, func(string) bool { return false })
	if _, err := os.Stat(live.Temp()); err != nil {
		t.Errorf("RemoveStale removed a live table's file: %v", err)
	}
	if err := live.Close(); err != nil || !live.Out() {
		t.Fatalf("Close: %v, out %v", err, live.Out())
	}
	if dropped, err := Drop(live.Temp()); dropped || err != nil {
		t.Errorf("Drop of a file renamed into place: %v, %v; want false, nil", dropped, err)
	}

	// The files of dead commands: nobody holds them.
	dead := func(name string) string {
		temp := filepath.Join(dir, name)
		if err := os.WriteFile(temp, []byte("agent,number\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return temp
	}
	if dropped, err := Drop(dead(".list.csv.1.tmp")); !dropped || err != nil {
		t.Errorf("Drop of a dead command's file: %v, %v; want true, nil", dropped, err)
	}
	kept, stale, other := dead(".list.csv.2.tmp"), dead(".list.csv.3.tmp"), dead(".other.csv.4.tmp")
	RemoveStale(path, func(temp string) bool { return temp == kept })
	for temp, want := range map[string]bool{kept: true, stale: false, other: true, path: true, dir + "/.list.csv.1.tmp": false} {
		if _, err := os.Stat(temp); (err == nil) != want {
			t.Errorf("%s: exists %v after RemoveStale, want %v", filepath.Base(temp), err == nil, want)
		}
	}
}

// TestCloseFailureSaysWhetherOut: a table whose rename fails reports that
// nothing went out, and leaves no temporary file.
func TestCloseFailureSaysWhetherOut(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "list.csv")
	tbl, err := Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.Sheet("calls", []string{"number"}); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o700); err != nil { // the rename cannot replace a directory
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(path, "x"), nil, 0o600)
	if err := tbl.Close(); err == nil || tbl.Out() {
		t.Fatalf("Close onto a directory: %v, out %v; want an error, nothing out", err, tbl.Out())
	}
	if _, err := os.Stat(tbl.Temp()); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left: %v", err)
	}
}
