//go:build unix

package export

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestLeftovers covers the temporary files of commands that died: a file
// whose process lives is held; one whose process died is adopted (put in
// place) or dropped; a stale one is removed unless kept.
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
	if _, err := Adopt(live.Temp(), path); !errors.Is(err, ErrHeld) {
		t.Errorf("Adopt of a live table's file: %v, want ErrHeld", err)
	}
	if err := Drop(live.Temp()); !errors.Is(err, ErrHeld) {
		t.Errorf("Drop of a live table's file: %v, want ErrHeld", err)
	}
	if err := RemoveStale(path, func(string) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(live.Temp()); err != nil {
		t.Errorf("RemoveStale removed a live table's file: %v", err)
	}
	live.Abort()

	// The files of dead commands: nobody holds them.
	dead := func(name, content string) string {
		temp := filepath.Join(dir, name)
		if err := os.WriteFile(temp, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return temp
	}
	adopted := dead(".list.csv.1.tmp", "number\n+79161234567\n")
	if placed, err := Adopt(adopted, path); !placed || err != nil {
		t.Fatalf("Adopt of a dead command's file: %v, %v", placed, err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "number\n+79161234567\n" {
		t.Errorf("after Adopt the list holds %q (%v)", got, err)
	}
	if placed, err := Adopt(adopted, path); placed || err != nil {
		t.Errorf("Adopt of a file already in place: %v, %v; want false, nil", placed, err)
	}
	kept := dead(".list.csv.2.tmp", "kept")
	stale := dead(".list.csv.3.tmp", "stale")
	other := dead(".other.csv.4.tmp", "another list's")
	if err := RemoveStale(path, func(temp string) bool { return temp == kept }); err != nil {
		t.Fatal(err)
	}
	for temp, want := range map[string]bool{kept: true, stale: false, other: true, path: true} {
		if _, err := os.Stat(temp); (err == nil) != want {
			t.Errorf("%s: exists %v after RemoveStale, want %v", filepath.Base(temp), err == nil, want)
		}
	}
	if err := Drop(kept); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(kept); !os.IsNotExist(err) {
		t.Errorf("Drop left the file: %v", err)
	}
}
