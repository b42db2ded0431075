package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callbase/callbase/internal/importer"
	"github.com/callbase/callbase/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testdata is the repository's top-level testdata folder.
const testdata = "../../testdata"

var testNow = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line as a user would, with a fixed clock, an
// empty environment and the database db ("" for no --db flag).
func runCLI(t *testing.T, db string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if db != "" {
		args = append([]string{"--db", db}, args...)
	}
	code := run(context.Background(), args, env{
		stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		getenv: func(string) string { return "" },
		clock:  func() time.Time { return testNow },
	})
	return result{code, stdout.String(), stderr.String()}
}

func mustRun(t *testing.T, db string, args ...string) result {
	t.Helper()
	r := runCLI(t, db, args...)
	if r.code != 0 {
		t.Fatalf("callbase %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

func tempDB(t *testing.T) string { return filepath.Join(t.TempDir(), "callbase.db") }

// dump is the database's content as text; a failed check of its integrity
// and references is an error of the test.
func dump(t *testing.T, db string) string {
	t.Helper()
	return checkedDump(t, db, func(err error) { t.Error(err) })
}

// checkedDump is the database's content as text, after Store.Check, whose
// failure goes to bad.
func checkedDump(t *testing.T, db string, bad func(error)) string {
	t.Helper()
	st, err := store.OpenExisting(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Check(context.Background()); err != nil {
		bad(err)
	}
	var b strings.Builder
	if err := st.Dump(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(testdata, "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestExitStatus(t *testing.T) {
	sample := filepath.Join(testdata, "sample", "base.csv")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no command", nil, 0, ""},
		{"unknown command", []string{"bogus"}, 2, "unknown command"},
		{"unknown flag", []string{"import", "--bogus", sample}, 2, "unknown flag"},
		{"import without base", []string{"import", sample}, 2, "--base"},
		{"import without file", []string{"import", "--base", "a"}, 2, "FILE"},
		{"import missing file", []string{"import", "--base", "a", "nope.csv"}, 2, "nope.csv"},
		{"bad temperature", []string{"import", "--base", "a", "--temperature", "boiling", sample}, 2, "temperature"},
		{"bad now", []string{"--now", "yesterday", "stats"}, 2, "--now"},
		{"clean without output", []string{"clean", sample}, 2, "-o"},
		{"clean to unknown format", []string{"clean", sample, "-o", "out.pdf"}, 2, ".pdf"},
		{"stats without database", []string{"stats"}, 1, "no database"},
		{"unknown encoding", []string{"import", "--base", "a", "--encoding", "ebcdic", sample}, 2, "ebcdic"},
		{"phone column absent", []string{"import", "--base", "a", "--phone-col", "Факс", sample}, 2, "Факс"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tempDB(t), tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.msg)
			}
		})
	}
}

func TestParseNow(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-11-27T09:30:00+03:00", time.Date(2026, 11, 27, 6, 30, 0, 0, time.UTC), true},
		{"2026-11-27T09:30:00Z", time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC), true},
		{"2026-11-27", time.Date(2026, 11, 27, 0, 0, 0, 0, time.Local), true},
		{"2026-11-27T09:30", time.Date(2026, 11, 27, 9, 30, 0, 0, time.Local), true},
		{"2026-02-30", time.Time{}, false},
		{"27.11.2026", time.Date(2026, 11, 27, 0, 0, 0, 0, time.Local), true},
		{"11/27/2026", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseNow(tt.in)
		if (err == nil) != tt.ok || (tt.ok && !got.Equal(tt.want)) {
			t.Errorf("parseNow(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestNowFromEnvironment(t *testing.T) {
	g := &globals{region: "RU", env: env{clock: func() time.Time { return testNow }, getenv: func(k string) string {
		return map[string]string{"CALLBASE_NOW": "2026-12-01T10:00:00Z", "CALLBASE_DB": "/tmp/x.db"}[k]
	}}}
	if err := g.resolve(); err != nil {
		t.Fatal(err)
	}
	if !g.now.Equal(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)) || g.db != "/tmp/x.db" {
		t.Errorf("now %v, db %q: environment not used", g.now, g.db)
	}
	g = &globals{env: g.env, region: "RU", nowArg: "2026-11-28T00:00:00Z", db: "flag.db"}
	if err := g.resolve(); err != nil {
		t.Fatal(err)
	}
	if g.now.Day() != 28 || g.db != "flag.db" {
		t.Errorf("flags must win over the environment: now %v, db %q", g.now, g.db)
	}
}

func TestImportThenStats(t *testing.T) {
	db := tempDB(t)
	a := filepath.Join(testdata, "cli", "vendor-a.csv")
	r := mustRun(t, db, "--json", "import", a, "--base", "vendor-a", "--source", "vendor")
	sums := decode[[]importSummary](t, r.stdout)
	want := importSummary{File: a, Base: "vendor-a", Rows: 5, RowsWithNumber: 3, Numbers: 4, Unique: 3, New: 3,
		FileDuplicates: 1, Rejects: map[string]int{"too_short": 1, "empty": 1}}
	if len(sums) != 1 || !sameCounts(sums[0], want) {
		t.Fatalf("summary %+v\nwant    %+v", sums, want)
	}

	r = mustRun(t, db, "--json", "stats")
	st := decode[store.Stats](t, r.stdout)
	if st.Numbers != 3 || st.Rows != 5 || len(st.Bases) != 1 || st.Bases[0].Source != "vendor" || st.Bases[0].Numbers != 3 {
		t.Errorf("stats %+v", st)
	}
	if len(st.ByType) != 2 { // mobile and fixed
		t.Errorf("by type %v, want mobile and fixed", st.ByType)
	}
	r = mustRun(t, db, "stats")
	for _, s := range []string{"vendor-a", "vendor-a.csv", "mobile 2", "fixed 1", "too_short 1"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stats output lacks %q:\n%s", s, r.stdout)
		}
	}
}

type importSummary = importer.Summary

// sameCounts compares the figures of two import summaries.
func sameCounts(s, o importSummary) bool {
	return maps.Equal(s.Rejects, o.Rejects) && s.File == o.File && s.Base == o.Base &&
		s.AlreadyImported == o.AlreadyImported && s.DryRun == o.DryRun && s.Rows == o.Rows &&
		s.RowsWithNumber == o.RowsWithNumber && s.Numbers == o.Numbers && s.Unique == o.Unique &&
		s.New == o.New && s.Known == o.Known && s.FileDuplicates == o.FileDuplicates && s.Unallocated == o.Unallocated
}

func TestImportTwiceChangesNothing(t *testing.T) {
	db := tempDB(t)
	sample := filepath.Join(testdata, "sample", "base.csv")
	mustRun(t, db, "import", sample, "--base", "vendor-a")
	before := dump(t, db)
	// The same content under another name is the same file.
	copyName := filepath.Join(t.TempDir(), "renamed.csv")
	data, _ := os.ReadFile(sample)
	os.WriteFile(copyName, data, 0o600)
	r := mustRun(t, db, "--now", "2026-12-01", "import", copyName, "--base", "vendor-a")
	if !strings.Contains(r.stderr, "already imported") {
		t.Errorf("second import does not say so: %s", r.stderr)
	}
	if after := dump(t, db); after != before {
		t.Errorf("importing the same file twice changed the database:\n%s\n---\n%s", before, after)
	}
	r = mustRun(t, db, "--json", "import", sample, "--base", "vendor-a")
	if s := decode[[]importSummary](t, r.stdout); !s[0].AlreadyImported {
		t.Errorf("--json summary does not flag the re-import: %s", r.stdout)
	}
}

func TestOverlappingBasesShareNumbers(t *testing.T) {
	db := tempDB(t)
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a")
	r := mustRun(t, db, "--json", "import", filepath.Join(testdata, "cli", "vendor-b.csv"), "--base", "b")
	s := decode[[]importSummary](t, r.stdout)[0]
	if s.Numbers != 3 || s.New != 1 || s.Known != 2 {
		t.Errorf("second base: %d numbers, %d new, %d known; want 3, 1, 2", s.Numbers, s.New, s.Known)
	}
	st := decode[store.Stats](t, mustRun(t, db, "--json", "stats").stdout)
	if st.Numbers != 4 {
		t.Errorf("%d numbers in the database, want 4", st.Numbers)
	}
	b := decode[store.Stats](t, mustRun(t, db, "--json", "stats", "--base", "b").stdout)
	if b.Numbers != 3 || b.Bases[0].Numbers != 3 {
		t.Errorf("base b holds %d numbers, want 3", b.Numbers)
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	db := tempDB(t)
	a := filepath.Join(testdata, "cli", "vendor-a.csv")
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-b.csv"), "--base", "b")
	before := dump(t, db)
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	r := mustRun(t, db, "--json", "import", a, "--base", "a", "--dry-run", "--rejects", rejects)
	s := decode[[]importSummary](t, r.stdout)[0]
	if !s.DryRun || s.New != 1 || s.Known != 2 {
		t.Errorf("dry run summary %+v; want 1 new, 2 known", s)
	}
	if after := dump(t, db); after != before {
		t.Error("--dry-run changed the database")
	}
	got, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "import-rejects.csv", bytes.ReplaceAll(got, []byte(filepath.ToSlash(a)), []byte("vendor-a.csv")))
}

func TestImportAtomicAcrossFiles(t *testing.T) {
	db := tempDB(t)
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-b.csv"), "--base", "b")
	before := dump(t, db)
	empty := filepath.Join(t.TempDir(), "empty.csv")
	os.WriteFile(empty, nil, 0o600)
	r := runCLI(t, db, "import", filepath.Join(testdata, "cli", "vendor-a.csv"), empty, "--base", "a")
	if r.code != 2 || !strings.Contains(r.stderr, "empty.csv") {
		t.Errorf("exit %d, stderr %q; want 2 naming empty.csv", r.code, r.stderr)
	}
	if after := dump(t, db); after != before {
		t.Error("a failed import left part of its work in the database")
	}
}

// numberOf is one number's line of the database dump: num|type|country|
// operator|region|zones|status|dead_reason|first_import_id.
func numberOf(t *testing.T, db, e164 string) string {
	t.Helper()
	d := dump(t, db)
	_, numbers, _ := strings.Cut(d, "== numbers\n")
	_, places, _ := strings.Cut(d, "== places\n")
	place := map[string]string{} // id -> operator|region|zones
	for line := range strings.Lines(places) {
		if strings.HasPrefix(line, "== ") {
			break
		}
		id, p, _ := strings.Cut(strings.TrimSpace(line), "|")
		place[id] = p
	}
	for line := range strings.Lines(numbers) {
		if strings.HasPrefix(line, e164[1:]+"|") {
			f := strings.Split(strings.TrimSpace(line), "|") // num|type|country|place_id|...
			f[3] = place[f[3]]
			return strings.Join(f, "|")
		}
	}
	t.Fatalf("%s not in the database", e164)
	return ""
}

func TestImportPlacesNumbers(t *testing.T) {
	db := tempDB(t)
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a")
	r := mustRun(t, db, "--json", "import", filepath.Join(testdata, "cli", "vendor-c.csv"), "--base", "c")
	if s := decode[[]importSummary](t, r.stdout)[0]; s.Unallocated != 1 {
		t.Errorf("unallocated = %d, want 1", s.Unallocated)
	}
	for e164, want := range map[string]string{
		"+79161234567": "|mobile|RU|ПАО \"Мобильные ТелеСистемы\"|Город Москва, Московская область|Europe/Moscow|active||",
		"+74951234567": "|fixed|RU||Московская обл.|Europe/Moscow|active||",
		"+79401234567": "|mobile|RU||||dead|unallocated|",
	} {
		if got := numberOf(t, db, e164); !strings.Contains(got, want) {
			t.Errorf("%s: %s\nwant %s", e164, got, want)
		}
	}
	st := decode[store.Stats](t, mustRun(t, db, "--json", "stats").stdout)
	if !slices.Contains(st.ByStatus, store.Count{Key: "dead:unallocated", N: 1}) ||
		!slices.Contains(st.ByZone, store.Count{Key: "Europe/Moscow", N: 3}) {
		t.Errorf("stats by status %v, by zone %v", st.ByStatus, st.ByZone)
	}
}

func TestNumplanLoadRederives(t *testing.T) {
	db := tempDB(t)
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a")
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-c.csv"), "--base", "c")
	before := dump(t, db)

	r := runCLI(t, db, "numplan", "load", filepath.Join(testdata, "numplan", "DEF-broken.csv"))
	if r.code != 2 || !strings.Contains(r.stderr, "DEF-broken.csv:3") {
		t.Errorf("broken plan: exit %d, %s; want 2 naming DEF-broken.csv:3", r.code, r.stderr)
	}
	if dump(t, db) != before {
		t.Error("a refused plan changed the database")
	}

	r = mustRun(t, db, "--json", "numplan", "load", filepath.Join(testdata, "numplan", "DEF-small.csv"), "--date", "2026-12")
	res := decode[numplanLoadResult](t, r.stdout)
	// 916 moves to Primorye, 903 is no longer issued, 940 now is; the
	// landline 495 is not the DEF file's business.
	want := store.Rederived{Numbers: 4, Changed: 3, Unallocated: 1, Revived: 1}
	if res.Rederived != want || res.Plan.DEF != 2 || res.Plan.Date != "2026-12" {
		t.Errorf("load result %+v, want %+v with 2 DEF ranges", res, want)
	}
	for e164, want := range map[string]string{
		"+79161234567": "|Приморский край|Asia/Vladivostok|active||",
		"+79031234567": "|dead|unallocated|",
		"+79401234567": "|Хабаровский край|Asia/Vladivostok|active||",
		"+74951234567": "||Московская обл.|Europe/Moscow|active||",
	} {
		if got := numberOf(t, db, e164); !strings.Contains(got, want) {
			t.Errorf("%s: %s\nwant %s", e164, got, want)
		}
	}
	// Status changes are events in the numbers' history.
	for e164, what := range map[string]string{"+79031234567": "dead", "+79401234567": "alive"} {
		h := historyOf(t, db, e164)
		if len(h.Events) != 1 || h.Events[0].What != what || !strings.Contains(h.Events[0].Cause, "numplan load") {
			t.Errorf("%s: events %+v, want one %q caused by numplan load", e164, h.Events, what)
		}
	}
	info := decode[numplanInfo](t, mustRun(t, db, "--json", "numplan", "info").stdout)
	if info.Source != "DEF-small.csv" || info.DEF != 2 || info.LoadedAt == "" {
		t.Errorf("numplan info %+v", info)
	}
	// A later import places numbers by the loaded plan.
	r = mustRun(t, db, "--json", "import", filepath.Join(testdata, "cli", "vendor-b.csv"), "--base", "b")
	if s := decode[[]importSummary](t, r.stdout)[0]; s.Unallocated != 2 { // 903 and 999
		t.Errorf("import after load: %d unallocated, want 2", s.Unallocated)
	}
}

func TestNumplanInfoEmbedded(t *testing.T) {
	r := mustRun(t, filepath.Join(t.TempDir(), "none.db"), "numplan", "info")
	for _, s := range []string{"plan         embedded", "date         2026-08", "DEF ranges   17059"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("numplan info lacks %q:\n%s", s, r.stdout)
		}
	}
}

func TestDryRunCreatesNoDatabase(t *testing.T) {
	db := tempDB(t)
	r := mustRun(t, db, "--json", "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a", "--dry-run")
	if s := decode[[]importSummary](t, r.stdout); s[0].New != 3 {
		t.Errorf("dry run summary %+v", s[0])
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("--dry-run created the database")
	}
	if r := runCLI(t, db, "--region", "XX", "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a"); r.code != 2 || !strings.Contains(r.stderr, "--region") {
		t.Errorf("--region XX: exit %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a bad --region created the database")
	}
}

// TestREADMEFirstCommand runs what the README's first line runs, twice,
// then the call list it points to.
func TestREADMEFirstCommand(t *testing.T) {
	db := tempDB(t)
	sample := filepath.Join(testdata, "sample", "base.csv")
	r := mustRun(t, db, "import", sample, "--base", "sample")
	if !strings.Contains(r.stderr, `imported into base "sample"`) || !strings.Contains(r.stderr, "28 unique, 28 new") {
		t.Errorf("the first import says:\n%s", r.stderr)
	}
	if r := mustRun(t, db, "import", sample, "--base", "sample"); !strings.Contains(r.stderr, "nothing changed") {
		t.Errorf("the second import says:\n%s", r.stderr)
	}
	list := filepath.Join(t.TempDir(), "today.csv")
	if r := mustRun(t, db, "export", "-o", list); !strings.Contains(r.stderr, "27 numbers exported") {
		t.Errorf("the export says:\n%s", r.stderr)
	}
}
