package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var errInjected = errors.New("injected read error")

// chunkReader hands out data at most chunk bytes at a time, fails with
// errInjected from byte failAt on (when failAt >= 0), and returns the last
// bytes together with io.EOF when eofWithData is set.
type chunkReader struct {
	data        []byte
	chunk       int
	failAt      int
	eofWithData bool
	off         int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.failAt >= 0 && c.off >= c.failAt {
		return 0, errInjected
	}
	end := len(c.data)
	if c.failAt >= 0 {
		end = min(end, c.failAt)
	}
	n := copy(p[:min(len(p), c.chunk)], c.data[c.off:end])
	c.off += n
	if c.off == len(c.data) && (n == 0 || c.eofWithData) {
		return n, io.EOF
	}
	return n, nil
}

// stdCSV is the reader csvReader stands in for, configured as openCSV
// configured it.
func stdCSV(r io.Reader, delim byte) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = rune(delim)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	return cr
}

type readerCase struct {
	data        string
	delim       byte
	chunk       int // bytes per Read of the source; 0 for all at once
	size        int // csvReader's buffer and read size; 0 for the defaults
	failAt      int // -1 for never
	eofWithData bool
}

func (c readerCase) String() string {
	data := c.data
	if len(data) > 200 {
		data = data[:200] + "..."
	}
	return fmt.Sprintf("%q delim %q chunk %d size %d failAt %d", data, c.delim, c.chunk, c.size, c.failAt)
}

// compareReaders reads c with encoding/csv and csvReader side by side and
// reports the first difference.
func compareReaders(t *testing.T, c readerCase) {
	t.Helper()
	src := func() io.Reader {
		chunk := c.chunk
		if chunk <= 0 {
			chunk = len(c.data) + 1
		}
		return &chunkReader{data: []byte(c.data), chunk: chunk, failAt: c.failAt, eofWithData: c.eofWithData}
	}
	want := stdCSV(src(), c.delim)
	var got *csvReader
	if c.size > 0 {
		got = newCSVReaderSize(src(), c.delim, c.size, max(1, c.size/3))
	} else {
		got = newCSVReader(src(), c.delim)
	}
	errs := 0
	// Records share the reader's arena: every one read must stay as it
	// was, however many follow, and appending to one must leave the
	// others alone.
	var kept, wanted [][]string
	defer func() {
		for i := range kept {
			kept[i] = append(kept[i], "appended")
		}
		for i := range kept {
			if !slices.Equal(kept[i][:len(kept[i])-1], wanted[i]) {
				t.Fatalf("%v: record %d became %q, want %q", c, i+1, kept[i], wanted[i])
			}
		}
	}()
	for n := 1; ; n++ {
		wrec, werr := want.Read()
		grec, gerr := got.Read()
		if werr != gerr { // the very same error value, as next() maps it
			t.Fatalf("%v: record %d: error %v, want %v", c, n, gerr, werr)
		}
		if !slices.Equal(grec, wrec) || (grec == nil) != (wrec == nil) {
			t.Fatalf("%v: record %d: %q, want %q", c, n, grec, wrec)
		}
		kept, wanted = append(kept, grec), append(wanted, wrec)
		if werr == io.EOF {
			return
		}
		if werr != nil {
			if errs++; errs == 3 {
				return
			}
			continue
		}
		wfirst, _ := want.FieldPos(0)
		wlast, _ := want.FieldPos(len(wrec) - 1)
		gfirst, glast := got.Lines()
		if gfirst != wfirst || glast != wlast {
			t.Fatalf("%v: record %d %q: lines %d-%d, want %d-%d", c, n, wrec, gfirst, glast, wfirst, wlast)
		}
		if got.InputOffset() != want.InputOffset() {
			t.Fatalf("%v: record %d %q: offset %d, want %d", c, n, wrec, got.InputOffset(), want.InputOffset())
		}
		if n > 1<<20 {
			t.Fatalf("%v: no end", c)
		}
	}
}

// csvReaderCases are inputs where encoding/csv's rules are easy to get
// wrong.
var csvReaderCases = []string{
	"",
	"\n",
	"\n\n\n",
	"\r\n",
	"\r",
	"\r\r\n",
	"a",
	"a\n",
	"a\r\n",
	"a\r",
	"a\rb\n",
	"a\r\rb\r\n",
	"a;b;c\n",
	"a;b;c",
	"a;b;c;\n",
	";\n",
	";;\n;\n",
	"a;b\n\n\nc;d\n",
	"a;b\r\n\r\nc;d\r\n",
	"\n\na;b\n",
	" a ; b \n",
	"a\"b;c\"\"d\"\n",
	"a;b\"\n",
	"\"a\";\"b\"\n",
	"\"a;b\";c\n",
	"\"a\nb\";c\n",
	"\"a\r\nb\";c\r\n",
	"\"a\rb\";c\n",
	"\"a\"\"b\";c\n",
	"\"\"\n",
	"\"\"\"\n",
	"\"\"\"\"\n",
	"\"\";\"\"\n",
	"\"a\"b;c\n",
	"\"a\"b\";c\n",
	"\"a\" ;b\n",
	"\"a\"\r;b\n",
	"\"a\"\rb\n",
	"\"a\"\r\n",
	"\"a\"\r",
	"\"a\"",
	"\"a",
	"\"a\n",
	"\"a\nb\nc",
	"\"a\n\n\nb\";c\n",
	"a;\"b\nc\";\"d\ne\"\nf\n",
	"a;\"b\nc\";d;\"e\nf\"\ng\n",
	"\"\n\"\n",
	"\"\n",
	"\"",
	"\"\r",
	"\"\r\n",
	"\"a\"\"",
	"\"a\"\"\n",
	"a;\"\n",
	"a;\"b\"",
	"a;\"b\"\"",
	";\"\";\n",
	"\"a\";\n",
	"\"a\";",
	"a\"\n\"b\n",
	"\xff\xfe;\xc3\x28\n\"\xff\";\"\xe2\x82\"\n",
	"Имя;Телефон\nИванов;\"8 916 123-45-67; 8 903 123-45-67\"\n",
	"ФИО;Компания\nКондратьев;\"ООО \"\"Энерго-Монтаж\"\"\"\nЖуков;НПО «Эталон»\n",
	"a;b\n\"c\nd\n",
	"\"a\"\"b\"\"\"\n\"\"\"\"\"\"\n",
	"\"\"a\n",
	"\"\"\"a\n",
	"a;b\n" + strings.Repeat("x", 300) + ";" + strings.Repeat("y", 300) + "\n",
	"\"" + strings.Repeat("q\n", 200) + "\";z\n",
}

func TestCSVReaderMatchesEncodingCSV(t *testing.T) {
	for _, data := range csvReaderCases {
		for _, delim := range []byte{';', ',', '\t', '|', 'a', ' '} {
			d := strings.NewReplacer(";", string(delim)).Replace(data)
			for _, chunk := range []int{0, 1, 2, 3, 7} {
				for _, size := range []int{0, 1, 2, 3, 4, 9} {
					for _, failAt := range []int{-1, 0, 1, len(d) / 2, len(d) - 1, len(d)} {
						for _, eof := range []bool{false, true} {
							compareReaders(t, readerCase{d, delim, chunk, size, failAt, eof})
						}
					}
				}
			}
		}
	}
}

// TestCSVReaderLarge goes through the default buffer many times over, with
// lines longer than the buffer and quoted fields across its edges.
func TestCSVReaderLarge(t *testing.T) {
	var sb strings.Builder
	for i := range 20000 {
		switch i % 7 {
		case 0:
			fmt.Fprintf(&sb, "Клиент %d;\"ООО \"\"Ромашка-%d\"\"\";8916%07d\r\n", i, i, i)
		case 1:
			fmt.Fprintf(&sb, "\"многострочный\r\nкомментарий %d\";%d\n\n", i, i)
		case 2:
			fmt.Fprintf(&sb, "%s;%d\n", strings.Repeat("д", i%5000), i)
		default:
			fmt.Fprintf(&sb, "Клиент %d;+7 916 %03d-45-67;Москва;;\n", i, i%1000)
		}
		if i == 10000 {
			sb.WriteString("\"" + strings.Repeat("очень длинное поле;", 20000) + "\";x\n")
			sb.WriteString(strings.Repeat("z", 200000) + "\n")
		}
	}
	data := sb.String()
	for _, chunk := range []int{0, 4096, 5000, 100000} {
		for _, eof := range []bool{false, true} {
			compareReaders(t, readerCase{data, ';', chunk, 0, -1, eof})
		}
	}
	compareReaders(t, readerCase{data, ';', 4096, 0, len(data) / 3, false})
}

// TestCSVReaderNoProgress fails as bufio does on a reader that keeps
// returning nothing.
func TestCSVReaderNoProgress(t *testing.T) {
	_, werr := stdCSV(emptyReader{}, ';').Read()
	_, gerr := newCSVReader(emptyReader{}, ';').Read()
	if werr != io.ErrNoProgress || gerr != werr {
		t.Fatalf("error %v, want %v", gerr, werr)
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// FuzzCSVReader holds csvReader to encoding/csv on any input, delimiter,
// chunking of the source, buffer size and read error.
func FuzzCSVReader(f *testing.F) {
	for i, data := range csvReaderCases {
		f.Add([]byte(data), byte(";,\t|"[i%4]), uint8(i%5), uint8(i%3), uint16(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, delim byte, chunk, size uint8, failAt uint16) {
		if delim == 0 || delim >= 0x80 || delim == '"' || delim == '\r' || delim == '\n' {
			delim = ";,\t|"[delim%4] // what encoding/csv refuses or reads as a rune
		}
		// The guard's UTF-8 check, on the same bytes.
		if validUTF8(data) != utf8.Valid(data) {
			t.Fatalf("validUTF8(%q) = %v", data, validUTF8(data))
		}
		compareReaders(t, readerCase{
			data:        string(data),
			delim:       delim,
			chunk:       int(chunk % 32),
			size:        int(size % 16),
			failAt:      int(failAt) - 1,
			eofWithData: chunk >= 128,
		})
	})
}

// BenchmarkCSVReader reads a base from memory with encoding/csv and with
// csvReader: the parser alone, without decoding or the guard.
func BenchmarkCSVReader(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("ФИО;Компания;Город;Телефон;Доп. телефон;E-mail;Комментарий\n")
	for i := range 50000 {
		company := "НПО «Эталон»"
		if i%3 == 0 {
			company = fmt.Sprintf("\"ООО \"\"Ромашка-%d\"\"\"", i%97)
		}
		fmt.Fprintf(&sb, "Клиент %d Иванович;%s;Москва;+7 916 %03d-%02d-%02d;;client%d@example.ru;перезвонить после 15:00\n",
			i, company, 100+i%900, i/900%100, i%100, i)
	}
	data := sb.String()
	for _, impl := range []string{"encoding-csv", "csvReader"} {
		b.Run(impl, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var read func() ([]string, error)
				if impl == "csvReader" {
					read = newCSVReader(strings.NewReader(data), ';').Read
				} else {
					read = stdCSV(strings.NewReader(data), ';').Read
				}
				for {
					if _, err := read(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
