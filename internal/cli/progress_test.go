package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgressBar(t *testing.T) {
	for _, total := range []int64{1 << 20, 0} {
		var out bytes.Buffer
		update, finish := newProgressBar(&out, "import")
		for done := int64(0); done <= 1<<20; done += 1 << 16 {
			update(done, total)
		}
		finish()
		if !strings.Contains(out.String(), "import") {
			t.Errorf("total %d: no progress drawn: %q", total, out.String())
		}
	}
	g := &globals{env: env{terminal: false}}
	if update, _ := g.progress("import"); update != nil {
		t.Error("a progress bar is drawn when stderr is not a terminal")
	}
	g = &globals{env: env{terminal: true}, quiet: true}
	if update, _ := g.progress("import"); update != nil {
		t.Error("a progress bar is drawn with -q")
	}
}
