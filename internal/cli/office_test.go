package cli

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestExportInOffice opens call lists in LibreOffice, where it is installed
// (Debian's libreoffice-calc), and checks that cells written to run as
// formulas come back as the text they were, in CSV and XLSX, and that the
// number column keeps its digits.
func TestExportInOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil || testing.Short() {
		t.Skip("needs LibreOffice (soffice)")
	}
	db := tempDB(t)
	dangers := []string{"=1+1", "+2+3", "-3+4", "@SUM(1;2)", "=HYPERLINK(\"http://example.com\")"}
	var base strings.Builder
	base.WriteString("Имя;Телефон;Комментарий\n")
	for i, d := range dangers {
		base.WriteString("Клиент;+7916123456" + string(rune('0'+i)) + ";\"" + strings.ReplaceAll(d, `"`, `""`) + "\"\n")
	}
	path := writeFile(t, "base.csv", base.String())
	mustRun(t, db, "import", path, "--base", "a")
	dir := t.TempDir()
	for i, name := range []string{"list.csv", "list.xlsx"} {
		out := filepath.Join(dir, name)
		mustRun(t, db, "--now", "2026-11-27T0"+string(rune('7'+i))+":00:00Z", "export", "-o", out, "--lease", "1m")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		conv := filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+"-"+strings.TrimPrefix(filepath.Ext(name), "."))
		args := []string{"--headless", "-env:UserInstallation=file://" + filepath.Join(dir, "profile")}
		if strings.HasSuffix(name, ".csv") {
			args = append(args, "--infilter=CSV:44,34,76") // comma, quote, UTF-8: as a user opens it
		}
		args = append(args, "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", conv, out)
		cmd := exec.CommandContext(ctx, soffice, args...)
		if b, err := cmd.CombinedOutput(); err != nil {
			cancel()
			t.Fatalf("soffice: %v\n%s", err, b)
		}
		cancel()
		f, err := os.Open(filepath.Join(conv, strings.TrimSuffix(name, filepath.Ext(name))+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(dangers)+1 {
			t.Fatalf("%s: %d rows in LibreOffice, want %d", name, len(recs), len(dangers)+1)
		}
		comment := slices.Index(recs[0], "Комментарий")
		if comment < 0 || slices.Index(recs[0], "number") < 0 {
			t.Fatalf("%s: header in LibreOffice: %q", name, recs[0])
		}
		number := slices.Index(recs[0], "number")
		for _, rec := range recs[1:] {
			got := strings.TrimPrefix(rec[comment], "'")
			if !slices.Contains(dangers, got) {
				t.Errorf("%s: a formula-like cell reads %q in LibreOffice: it ran as a formula", name, rec[comment])
			}
			if !strings.HasPrefix(strings.TrimPrefix(rec[number], "'"), "+7916123456") && !strings.HasPrefix(rec[number], "7916123456") {
				t.Errorf("%s: the number reads %q in LibreOffice", name, rec[number])
			}
		}
	}
}
