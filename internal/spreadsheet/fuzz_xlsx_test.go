package spreadsheet

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withParts is the workbook two_sheets.xlsx with the first sheet's XML and
// the shared strings replaced.
func withParts(t testing.TB, sheet, shared []byte) []byte {
	r, err := zip.OpenReader(filepath.Join(testdata, "two_sheets.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, f := range r.File {
		dst, err := w.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		switch f.Name {
		case "xl/worksheets/sheet1.xml":
			dst.Write(sheet)
		case "xl/sharedStrings.xml":
			dst.Write(shared)
		default:
			src, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(dst, src)
			src.Close()
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// part reads one part of two_sheets.xlsx, for the seed corpus.
func part(t testing.TB, name string) []byte {
	r, err := zip.OpenReader(filepath.Join(testdata, "two_sheets.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f, err := r.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzXLSX feeds sheet XML and shared strings, inside a sound workbook
// (so the fuzzer works on what the readers parse, not on zip checksums),
// to the XLSX reader: it must never panic or hang, and rows come in order.
func FuzzXLSX(f *testing.F) {
	sheet, shared := part(f, "xl/worksheets/sheet1.xml"), part(f, "xl/sharedStrings.xml")
	f.Add(sheet, shared)
	f.Add([]byte(`<worksheet><sheetData><row r="3"><c r="B3" t="inlineStr"><is><t>+7 916 123-45-67</t></is></c><c r="A3"><v>7.9161234567E10</v></c></row><row r="2"/></sheetData></worksheet>`), shared)
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="XFD1" t="s"><v>99999</v></c><c r="A1048577"><v>1</v></c></row></sheetData></worksheet>`), []byte(`<sst><si><t>`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, sheet, shared []byte) {
		path := filepath.Join(dir, "fuzz.xlsx")
		if err := os.WriteFile(path, withParts(t, sheet, shared), 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := Open(path)
		if err != nil {
			return
		}
		defer b.Close()
		for _, name := range b.Sheets() {
			rows, err := b.Rows(name)
			if err != nil {
				continue
			}
			last := 0
			for rows.Next() {
				if rows.Row() <= last {
					t.Fatalf("%s: row %d after %d", name, rows.Row(), last)
				}
				last = rows.Row()
			}
			if err := rows.Err(); err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
			rows.Close()
		}
	})
}
