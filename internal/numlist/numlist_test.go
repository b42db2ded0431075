package numlist

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/ingest"
)

var columns = []Column{
	{Role: "time", Required: true, Names: []string{"Время", "time"}},
	{Role: "outcome", Names: []string{"Результат", "outcome"}},
}

func read(t testing.TB, content string) (Summary, []*Row, error) {
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var rows []*Row
	s, err := Each(context.Background(), path, Options{Region: "RU", Columns: columns}, func(r *Row) error {
		if r.Cell("outcome") == "плохо" {
			return r.Reject("outcome", "bad_word", errors.New("bad word"))
		}
		rows = append(rows, r)
		return nil
	})
	return s, rows, err
}

func TestEach(t *testing.T) {
	s, rows, err := read(t, "Телефон;ВРЕМЯ;результат\n+79161234567; 26.11.2026 ;Занято\nмусор;x;y\n89031234567;;плохо\n8 495 123-45-67;27.11.2026;\n")
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows != 4 || s.Rejects["no_digits"] != 1 || s.Rejects["bad_word"] != 1 || len(rows) != 2 {
		t.Fatalf("summary %+v, %d rows", s, len(rows))
	}
	if r := rows[0]; r.Line != 2 || r.Number.Key != 79161234567 || r.Cell("time") != "26.11.2026" || r.Cell("outcome") != "Занято" {
		t.Errorf("first row %+v", r)
	}
	if r := rows[1]; r.Number.Key != 74951234567 || r.Cell("outcome") != "" || r.Number.Type != "fixed" {
		t.Errorf("second row %+v", r)
	}
}

func TestEachNeedsRequiredColumn(t *testing.T) {
	_, _, err := read(t, "Телефон;Результат\n+79161234567;Занято\n")
	var ie *callbase.InputError
	if !errors.As(err, &ie) || ie.Row != 1 || !strings.Contains(err.Error(), "no time column") {
		t.Errorf("err = %v, want an InputError naming row 1 and the time column", err)
	}
}

// FuzzEach: any bytes as a list either read, with every row's cells
// trimmed and every reject counted, or fail with an input error.
func FuzzEach(f *testing.F) {
	f.Add([]byte("Телефон;Время;Результат\n+79161234567;26.11.2026;Занято\n"))
	f.Add([]byte("time,outcome,phone\n1,2,3\n"))
	f.Add([]byte("\xff\xfe\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, rows, err := read(t, string(data))
		if err != nil {
			var ie *callbase.InputError
			if !errors.As(err, &ie) && !errors.Is(err, ingest.ErrNoRows) && !errors.Is(err, ingest.ErrNoData) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		rejected := 0
		for _, n := range s.Rejects {
			rejected += n
		}
		if len(rows)+rejected != s.Rows {
			t.Fatalf("%d rows read, %d used and %d left out", s.Rows, len(rows), rejected)
		}
		for _, r := range rows {
			if r.Number.Key == 0 || r.Cell("time") != strings.TrimSpace(r.Cell("time")) {
				t.Fatalf("row %+v", r)
			}
		}
	})
}

func TestShown(t *testing.T) {
	for text, want := range map[string]string{
		"31.02.2026 09:20": `"31.02.2026 09:20"`,
		"1:75":             `"1:75"`,
		"12-34":            `"12-34"`,
		"":                 "(empty)",
		// A label and a surname look alike: neither is shown.
		"Переговоры":        "(10 characters, not shown; see --rejects)",
		"Захарова":          "(8 characters, not shown; see --rejects)",
		"встреча назначена": "(17 characters, not shown; see --rejects)",
		"123 45":            `"123 45"`,
		"916 123 45 67":     "(13 characters, not shown; see --rejects)",
		"2026-11-27 14:05":  `"2026-11-27 14:05"`,
		// Numbers however written, all 7 digits or more.
		"8\u00a0916\u00a0123\u00a045\u00a067": "(15 characters, not shown; see --rejects)",
		"8,916,123,45,67":                     "(15 characters, not shown; see --rejects)",
		"8_916_123_45_67":                     "(15 characters, not shown; see --rejects)",
		"8–916–123–45–67":                     "(15 characters, not shown; see --rejects)",
		"8916*123*45*67":                      "(14 characters, not shown; see --rejects)",
		"８９１６１２３４５６７":                         "(11 characters, not shown; see --rejects)",
		"٨٩١٦١٢٣٤٥٦٧":                         "(11 characters, not shown; see --rejects)",
		"9161-23-4567":                        "(12 characters, not shown; see --rejects)",
		"12.34.56.78":                         "(11 characters, not shown; see --rejects)",
		"Перезвонить Анне Петровне":           "(25 characters, not shown; see --rejects)",
		"+7 916 123-45-67":                    "(16 characters, not shown; see --rejects)",
		"89161234567":                         "(11 characters, not shown; see --rejects)",
		"anna@example.ru":                     "(15 characters, not shown; see --rejects)",
		"просила перезвонить после обеда в пятницу": "(41 characters, not shown; see --rejects)",
	} {
		if got := shown(text); got != want {
			t.Errorf("shown(%q) = %s, want %s", text, got, want)
		}
	}
}
