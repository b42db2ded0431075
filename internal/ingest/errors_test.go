package ingest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/callbase/callbase/internal/callbase"
)

// readErr opens a file and reads it to the end, returning the first error.
func readErr(path string, opts Options) error {
	r, err := Open(path, opts)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		tb, err := r.NextTable()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		for {
			if _, err := tb.Next(); err == io.EOF {
				break
			} else if err != nil {
				return err
			}
		}
	}
}

func TestInputErrors(t *testing.T) {
	xlsx, err := os.ReadFile(filepath.Join(testdata, "two_sheets.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	xls, err := os.ReadFile(filepath.Join(testdata, "two_sheets.xls"))
	if err != nil {
		t.Fatal(err)
	}
	header := "Имя;Телефон\n"
	tests := []struct {
		name string // file name: the extension matters to some messages
		data []byte
		is   error
		row  int
		msg  string // part of the message, hint included
	}{
		{"empty.csv", nil, ErrNoRows, 0, "no rows: the file is empty"},
		{"blank.csv", []byte("\r\n\r\n  \n;;;\n"), ErrNoRows, 0, "no rows: the file holds only blank lines"},
		{"header.csv", []byte(header), ErrNoData, 1, "header but no data rows"},
		{"header-title.csv", []byte("Выгрузка\n\n" + header + "\n"), ErrNoData, 3, "header but no data rows"},
		{"junk.csv", []byte("\x00\x01\x02\x03binary\x00junk\xff\xfe\x00"), ErrNotText, 0, "does not look like text: it looks like binary data"},
		{"doc.pdf.csv", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), ErrNotText, 0, "it looks like a PDF document"},
		{"nul-later.csv", []byte(header + strings.Repeat("Иванов;89161234567\n", 4000) + "Петров;8916\x00\n"), ErrNotText, 4002, "a NUL byte"},
		{"text.xlsx", []byte("это не таблица, а письмо\nс приветом\n"), ErrNoPhoneColumn, 0, "Note: the file is named .xlsx but holds text, so it was read as CSV"},
		{"page.xls", []byte("<html><body><table><tr><td>Телефон</td></tr></table></body></html>"), ErrUnsupported, 0, "an HTML page"},
		{"excel2003.xls", []byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`), ErrUnsupported, 0, "Excel 2003 XML"},
		{"truncated.xlsx", xlsx[:len(xlsx)*2/3], callbase.ErrInput, 0, "damaged or truncated"},
		{"truncated.xls", xls[:4096], callbase.ErrInput, 0, "damaged or truncated"},
		{"huge-field.csv", []byte(header + "Иванов;\"8916" + strings.Repeat("1", MaxField) + "\"\n"), ErrTooLarge, 2, "column \"Телефон\": too large: a field of"},
		{"unclosed-quote.csv", []byte(header + "Иванов;\"89161234567\n" + strings.Repeat("Петров;89161234567\n", MaxRecord/18+1000)), ErrTooLarge, 2, "a record longer than 16 MB"},
		{"wide.csv", []byte(header + strings.Repeat(";", MaxColumns+5) + "\n"), ErrTooLarge, 2, "fields, at most 10000"},
		{"very-wide.csv", []byte(header + strings.Repeat(";", 101*MaxColumns) + "\n"), ErrTooLarge, 2, "more than 10000 fields"},
		{"mixed.csv", append([]byte(header+strings.Repeat("Иванов;89161234567\n", 60000)), []byte("\xcf\xe5\xf2\xf0\xee\xe2;89161234568\n")...), nil, 60002, "invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, tt.name, tt.data)
			err := readErr(path, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			ie := inputError(t, err)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if ie.File != path || ie.Row != tt.row {
				t.Errorf("error names %s:%d, want %s:%d", ie.File, ie.Row, path, tt.row)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q lacks %q", err, tt.msg)
			}
		})
	}
}

// password_secret.xlsx was saved by excelize with the password "secret".
func TestEncryptedWorkbook(t *testing.T) {
	path := filepath.Join(testdata, "password_secret.xlsx")
	_, err := Open(path, Options{})
	ie := inputError(t, err)
	if !errors.Is(err, ErrEncrypted) || !strings.Contains(ie.Hint, "remove the password") || ie.File != path {
		t.Errorf("error %v", err)
	}
}

func TestMixedEncodingHint(t *testing.T) {
	data := append([]byte("Name;Phone\n"), []byte("\xcf\xe5\xf2\xf0\xee\xe2;89161234568\n")...)
	path := writeTemp(t, "mixed.csv", data)
	// The head is not valid UTF-8, so this one is read as Windows-1251.
	_, got := readFile(t, path, Options{})
	if len(got) != 1 || got[0].Rows[0] != "2|Петров|89161234568" {
		t.Errorf("got %v", got)
	}
	// Told UTF-8, bad bytes become U+FFFD and the row is kept.
	_, got = readFile(t, path, Options{Encoding: "utf-8"})
	if len(got) != 1 || !strings.HasPrefix(got[0].Rows[0], "2|\uFFFD") {
		t.Errorf("got %v", got)
	}
	// A UTF-8 head with Windows-1251 further down: stop, and say how to go on.
	long := append([]byte("Имя;Телефон\n"+strings.Repeat("Иванов;89161234567\n", 60000)), []byte("\xcf\xe5\xf2\xf0\xee\xe2;89161234568\n")...)
	err := readErr(writeTemp(t, "long.csv", long), Options{})
	if ie := inputError(t, err); !strings.HasPrefix(ie.Hint, "Try: --encoding cp1251") {
		t.Errorf("hint %q", ie.Hint)
	}
}

func TestOptionErrors(t *testing.T) {
	path := filepath.Join(testdata, "headerless.csv")
	for _, opts := range []Options{{Encoding: "latin-1"}, {Delimiter: ":"}} {
		_, err := Open(path, opts)
		if !errors.Is(err, callbase.ErrUsage) {
			t.Errorf("Open(%+v) = %v, want a usage error", opts, err)
		}
	}
	for _, p := range []string{filepath.Join(testdata, "missing.csv"), testdata} {
		_, err := Open(p, Options{})
		if ie := inputError(t, err); ie.File != p {
			t.Errorf("Open(%s) = %v", p, err)
		}
	}
}

// TestTextAsXLSX: a CSV saved under a workbook's name is still read.
func TestTextAsXLSX(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata, "clients_cp1251.csv"))
	if err != nil {
		t.Fatal(err)
	}
	format, got := readFile(t, writeTemp(t, "clients.xlsx", data), Options{})
	if format != "csv windows-1251 ';'" || len(got) != 1 || len(got[0].Rows) != 11 {
		t.Errorf("%s: %v", format, got)
	}
}

func TestExplicitOptions(t *testing.T) {
	tests := []struct {
		file      string
		opts      Options
		format    string
		firstRow  string
		phoneCols int
	}{
		{"clients_cp1251.csv", Options{Encoding: "cp1251", Delimiter: ";"}, "csv windows-1251 ';'", "2|Иванов Иван Иванович|", 1},
		{"clients_cp1251.csv", Options{Encoding: "Windows-1251"}, "csv windows-1251 ';'", "2|Иванов Иван Иванович|", 1},
		{"koi8r.csv", Options{Encoding: "KOI8-R", Delimiter: "|"}, "csv koi8-r '|'", "2|Иванов|Иван|", 1},
		{"excel_unicode.txt", Options{Encoding: "utf-16", Delimiter: "tab"}, "csv utf-16le tab", `2|ООО "Ромашка"|`, 2},
		{"excel_unicode.txt", Options{Encoding: "UTF-16LE", Delimiter: "\t"}, "csv utf-16le tab", `2|ООО "Ромашка"|`, 2},
		{"utf8bom.csv", Options{Encoding: "utf-8", Delimiter: ","}, "csv utf-8 ','", "4|Иванов, Иван|", 2},
		{"two_sheets.xlsx", Options{Encoding: "cp1251", Delimiter: ";"}, "xlsx", "2|Иванов Иван Иванович|", 2}, // ignored
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.opts.Encoding, func(t *testing.T) {
			format, got := readFile(t, filepath.Join(testdata, tt.file), tt.opts)
			if format != tt.format || len(got) == 0 || !strings.HasPrefix(got[0].Rows[0], tt.firstRow) || len(got[0].PhoneCols) != tt.phoneCols {
				t.Errorf("%s: %v", format, got)
			}
		})
	}
	// A wrong explicit encoding is obeyed, and NULs say so.
	err := readErr(filepath.Join(testdata, "excel_unicode.txt"), Options{Encoding: "cp1251"})
	if !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), "--encoding") {
		t.Errorf("UTF-16 read as cp1251: %v", err)
	}
}

func TestDetectEncoding(t *testing.T) {
	ru := "Фамилия;Имя;Телефон;Примечание\nИванов;Иван;89161234567;перезвонить после обеда\nПетрова;Анна;+7 926 111-22-33;занята, просила позже\n"
	tests := []struct {
		name string
		data []byte
		enc  string
		bom  int
	}{
		{"utf-8", []byte(ru), encUTF8, 0},
		{"utf-8 bom", append([]byte("\xef\xbb\xbf"), ru...), encUTF8, 3},
		{"ascii", []byte("name;phone\nIvanov;89161234567\n"), encUTF8, 0},
		{"cp1251", encode(t, ru, enc1251), enc1251, 0},
		{"koi8-r", encode(t, ru, encKOI8R), encKOI8R, 0},
		{"cp866", encode(t, ru, enc866), enc866, 0},
		{"cp1251 caps", encode(t, "ФАМИЛИЯ;ТЕЛЕФОН\nИВАНОВ ИВАН ПЕТРОВИЧ;89161234567\n", enc1251), enc1251, 0},
		{"cp1251 short", encode(t, "Иванов;89161234567\n", enc1251), enc1251, 0},
		{"koi8-r short", encode(t, "Иванов;89161234567\n", encKOI8R), encKOI8R, 0},
		{"utf-16le bom", append([]byte{0xFF, 0xFE}, encode(t, ru, encUTF16LE)...), encUTF16LE, 2},
		{"utf-16be bom", append([]byte{0xFE, 0xFF}, encode(t, ru, encUTF16BE)...), encUTF16BE, 2},
		{"utf-16le", encode(t, ru, encUTF16LE), encUTF16LE, 0},
		{"utf-16be", encode(t, ru, encUTF16BE), encUTF16BE, 0},
		{"utf-8 cut in a letter", []byte(ru)[:len("Фамилия;И")+1], encUTF8, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, bom, err := detectEncoding(tt.data, !strings.Contains(tt.name, "cut"))
			if err != nil || enc != tt.enc || bom != tt.bom {
				t.Errorf("detectEncoding = %q, %d, %v; want %q, %d", enc, bom, err, tt.enc, tt.bom)
			}
		})
	}
	// Read back whole through Open: the text survives.
	for _, enc := range []string{enc1251, encKOI8R, enc866, encUTF16LE, encUTF16BE} {
		_, got := readFile(t, writeTemp(t, "x.csv", encode(t, ru, enc)), Options{})
		if len(got) != 1 || got[0].Header != "Фамилия|Имя|Телефон|Примечание" ||
			got[0].Rows[1] != "3|Петрова|Анна|+7 926 111-22-33|занята, просила позже" {
			t.Errorf("%s: %v", enc, got)
		}
	}
}

func encode(t *testing.T, s, enc string) []byte {
	t.Helper()
	var e interface{ Bytes([]byte) ([]byte, error) }
	switch enc {
	case encUTF16LE, encUTF16BE, enc1251, encKOI8R, enc866:
		e = encoderFor(enc)
	default:
		t.Fatalf("no encoder for %s", enc)
	}
	b, err := e.Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encoderFor(enc string) *encoding.Encoder {
	switch enc {
	case encUTF16LE:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewEncoder()
	case encUTF16BE:
		return xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM).NewEncoder()
	case enc1251:
		return charmap.Windows1251.NewEncoder()
	case encKOI8R:
		return charmap.KOI8R.NewEncoder()
	}
	return charmap.CodePage866.NewEncoder()
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		name, text string
		want       byte
	}{
		{"semicolon", "a;b;c\n1;2;3\n4;5;6\n", ';'},
		{"comma", "a,b,c\n1,2,3\n", ','},
		{"tab", "a\tb\tc\n1\t2\t3\n", '\t'},
		{"pipe", "a|b|c\n1|2|3\n", '|'},
		{"semicolon with commas in text", "ФИО;Адрес;Телефон\nИванов;г. Москва, ул. Ленина, 5;89161234567\nПетров;г. Тверь, пр. Мира, 1;89161234568\n", ';'},
		{"comma with quoted semicolons", "name,phone\n\"Иванов; Иван\",89161234567\n\"Петров; Пётр\",\"8916; 8903\"\n", ','},
		{"semicolon with a comma in every row", "a;b,c;d\n1;2,3;4\n5;6,7;8\n", ';'},
		{"title row", "Выгрузка клиентов за ноябрь\n\nИмя\tТелефон\tГород\nИванов\t8916\tМосква\nПетров\t8917\tТверь\n", '\t'},
		{"quoted newlines", "a;b\n\"x\ny;z\";2\n3;4\n", ';'},
		{"one column", "89161234567\n89161234568\n", ';'},
		{"one column with semicolons", "a;b\n", ';'},
		{"one column holding commas", "89161234567, 89031234567\n", ','},
		{"empty", "", ';'},
	}
	for _, tt := range tests {
		if got := sniffDelimiter(tt.text); got != tt.want {
			t.Errorf("%s: sniffDelimiter = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLineEnds(t *testing.T) {
	for name, sep := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		data := strings.ReplaceAll("Имя;Телефон\nИванов;89161234567\nПетров;\"8916\n1234568\"\nСидоров;89161234569\n", "\n", sep)
		_, got := readFile(t, writeTemp(t, "x.csv", []byte(data)), Options{})
		// Inside quotes, CRLF and a lone CR (in a CR-only file) come out as LF.
		want := []string{"2|Иванов|89161234567", "3|Петров|8916\n1234568", "5|Сидоров|89161234569"}
		if len(got) != 1 || strings.Join(got[0].Rows, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: %v", name, got)
		}
	}
}

func TestGuardUTF8Boundaries(t *testing.T) {
	// Valid UTF-8 fed one byte at a time passes; a bad byte is found on its line.
	text := []byte("Имя;Телефон\nЁжиков 😀;89161234567\n")
	g := &guard{r: &oneByte{bytes.NewReader(text)}, delim: ';', line: 1, strictUTF8: true}
	if b, err := io.ReadAll(g); err != nil || !bytes.Equal(b, text) {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
	bad := append(append([]byte{}, text...), "Пет\xd0;1\n"...)
	g = &guard{r: &oneByte{bytes.NewReader(bad)}, delim: ';', line: 1, strictUTF8: true}
	_, err := io.ReadAll(g)
	var ge *guardError
	if !errors.As(err, &ge) || ge.line != 3 {
		t.Errorf("error = %v, want one on line 3", err)
	}
	cut := append(append([]byte{}, text...), "\xd0"...)
	g = &guard{r: bytes.NewReader(cut), delim: ';', line: 1, strictUTF8: true}
	if _, err := io.ReadAll(g); !errors.As(err, &ge) {
		t.Errorf("a sequence cut by the end of file passed: %v", err)
	}
}

type oneByte struct{ r io.Reader }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}
