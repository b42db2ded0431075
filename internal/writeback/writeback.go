// Package writeback has the system start writing a file's dirty pages to
// disk without waiting for them, so that a later fsync finds little left to
// write. It is a hint and promises nothing: only fsync makes data durable.
package writeback

import (
	"os"
	"time"
)

// Ticker starts the writeback of files every period until Stop: for files
// written by someone else, such as SQLite's database and WAL.
type Ticker struct {
	stop chan struct{}
	done chan struct{}
}

// Every starts the writeback of the files at paths every period. Paths that
// cannot be opened are left out; where the system offers no such hint it
// does nothing.
func Every(period time.Duration, paths ...string) *Ticker {
	if !Available {
		return nil
	}
	var files []*os.File
	for _, p := range paths {
		if f, err := os.Open(p); err == nil {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil
	}
	t := &Ticker{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-t.stop:
				for _, f := range files {
					f.Close()
				}
				return
			case <-tick.C:
				for _, f := range files {
					Start(f, 0, 0)
				}
			}
		}
	}()
	return t
}

// Stop ends the ticker and closes its files. It is safe on a nil Ticker.
func (t *Ticker) Stop() {
	if t == nil {
		return
	}
	close(t.stop)
	<-t.done
}
