package cli

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgressBar draws the share of the input read so far: bytes of a CSV
// file, or a spinner with the rows read of a workbook, whose size in rows
// is unknown until the end. It shows no names or numbers: progress output
// never carries personal data.
func newProgressBar(w io.Writer, what string) (func(done, total int64), func()) {
	var (
		bar       *progressbar.ProgressBar
		lastTotal int64
	)
	update := func(done, total int64) {
		if bar != nil && total != lastTotal { // the next file
			bar.Finish()
			bar = nil
		}
		lastTotal = total
		if bar == nil {
			opts := []progressbar.Option{
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(what),
				progressbar.OptionThrottle(100 * time.Millisecond),
				progressbar.OptionClearOnFinish(),
			}
			if total > 0 {
				opts = append(opts, progressbar.OptionShowBytes(true))
			} else {
				total = -1
				opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionSetItsString("rows"))
			}
			bar = progressbar.NewOptions64(total, opts...)
		}
		bar.Set64(done)
	}
	finish := func() {
		if bar != nil {
			bar.Finish()
		}
	}
	return update, finish
}
