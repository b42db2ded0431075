package writeback

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestEvery(t *testing.T) {
	dir := t.TempDir()
	if tk := Every(time.Millisecond, filepath.Join(dir, "missing")); tk != nil {
		t.Error("a ticker over no file that opens")
	}
	var nilTicker *Ticker
	nilTicker.Stop() // safe, as Tx relies on

	path := filepath.Join(dir, "data")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before := runtime.NumGoroutine()
	tk := Every(time.Millisecond, path, filepath.Join(dir, "missing"))
	if Available && tk == nil {
		t.Fatal("no ticker over a file that opens")
	}
	// Written while the ticker syncs it: the data stays whole.
	want := make([]byte, 4<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	for off := 0; off < len(want); off += 64 << 10 {
		if _, err := f.Write(want[off : off+64<<10]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Microsecond)
	}
	tk.Stop()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != string(want) {
		t.Fatalf("the file changed under the syncs: %d bytes, %v", len(got), err)
	}
	// Stop waits for the goroutine to end.
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Stop, %d before Every", n, before)
	}
}

// TestEveryReportsSyncErrors: Stop returns the first error a sync met,
// which the writer's own fsync may never see.
func TestEveryReportsSyncErrors(t *testing.T) {
	if !Available {
		t.Skip("no syncing here")
	}
	path := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	first, later := errors.New("first EIO"), errors.New("later EIO")
	synced := make(chan struct{})
	calls := 0
	defer func(f func(*os.File) error) { syncFile = f }(syncFile)
	syncFile = func(*os.File) error {
		calls++ // on the ticker's goroutine only
		switch calls {
		case 1:
			return first
		case 2:
			close(synced)
		}
		return later
	}
	tk := Every(time.Millisecond, path)
	<-synced
	if err := tk.Stop(); !errors.Is(err, first) {
		t.Errorf("Stop = %v, want the first sync's error", err)
	}
}
