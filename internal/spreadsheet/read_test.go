package spreadsheet

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

const testdata = "../../testdata/ingest"

// readAll renders every sheet as "sheet:row|cell|cell" lines.
func readAll(t *testing.T, path string) []string {
	t.Helper()
	b, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	defer b.Close()
	var out []string
	for _, s := range b.Sheets() {
		rows, err := b.Rows(s)
		if err != nil {
			t.Fatalf("Rows(%q): %v", s, err)
		}
		for rows.Next() {
			out = append(out, fmt.Sprintf("%s:%d|%s", s, rows.Row(), strings.Join(rows.Cells(), "|")))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("sheet %q: %v", s, err)
		}
		rows.Close()
	}
	return out
}

// Both files were saved by LibreOffice from the same source and must read
// the same: phones stored as numbers keep every digit, dates follow the
// cell format, formulas give their results.
var twoSheets = []string{
	"Клиенты:1|ФИО|Телефон|Мобильный|Дата звонка|Сумма|Фамилия",
	"Клиенты:2|Иванов Иван Иванович|79161234567|89031234567|15.11.2026|1500.5|Иванов",
	"Клиенты:3|Петрова Анна|+7 (916) 555-12-34||16.11.2026|12000|Петрова",
	"Клиенты:4|Сидоров Пётр|84951234567|9261234567||3001|Сидоров",
	"Клиенты:5|Кузнецова Мария|8 (4212) 45-67-89|+7 999 123-45-67|01.12.2026||Кузнецова",
	"Клиенты:6|Смирнов Алексей|79991234567|нет||0.25|Смирнов",
	"Клиенты:7|Волков Андрей|79123456789|79123456780|09.01.2027|7|Волков",
	"Новые:1|Имя|Телефон",
	"Новые:2|Орлов Олег|79051112233",
	"Новые:3|",
	"Новые:4|Лебедева Ирина|8 905 111-22-44",
	"Новые:5|Козлов Николай|89051112255",
}

var titleNumeric = []string{
	"title_numeric:1|Выгрузка клиентов за ноябрь 2026",
	"title_numeric:2|",
	"title_numeric:3|Клиент|Телефон|Город|Дата регистрации",
	"title_numeric:4|ООО Ромашка|79161234567|Москва|2026-11-03",
	"title_numeric:5|ИП Сидоров|89031112233|Казань|2026-11-04",
	"title_numeric:6|Иванов Иван|9161234568|Тверь",
	"title_numeric:7|АО Восток|+7 (4212) 45-67-89|Хабаровск|2026-11-05",
	"title_numeric:8|ООО Запад|74951234567|Калининград|2026-11-06",
	"title_numeric:9|ИП Белова|89998887766|Сочи|2026-11-07",
}

func TestReadFiles(t *testing.T) {
	tests := []struct {
		file   string
		kind   Kind
		sheets []string
		rows   []string
	}{
		{"two_sheets.xlsx", XLSX, []string{"Клиенты", "Новые", "Пустой"}, twoSheets},
		{"two_sheets.xls", XLS, []string{"Клиенты", "Новые", "Пустой"}, twoSheets},
		{"title_numeric.xlsx", XLSX, []string{"title_numeric"}, titleNumeric},
		{"title_numeric.xls", XLS, []string{"title_numeric"}, titleNumeric},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(testdata, tt.file)
			b, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if b.Kind() != tt.kind || strings.Join(b.Sheets(), "|") != strings.Join(tt.sheets, "|") {
				t.Errorf("kind %v sheets %q, want %v %q", b.Kind(), b.Sheets(), tt.kind, tt.sheets)
			}
			if _, err := b.Rows("Нет такого"); err == nil {
				t.Error("Rows of a missing sheet: no error")
			}
			b.Close()
			got := readAll(t, path)
			if strings.Join(got, "\n") != strings.Join(tt.rows, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.rows, "\n"))
			}
		})
	}
}

// TestXLSXNumberFormats writes a phone number under the formats that lose
// digits when applied, and dates under common formats.
func TestXLSXNumberFormats(t *testing.T) {
	f := excelize.NewFile()
	custom := func(code string) *excelize.Style { return &excelize.Style{CustomNumFmt: &code} }
	tests := []struct {
		value any
		style *excelize.Style
		want  string
	}{
		{79161234567, nil, "79161234567"},
		{79161234567, &excelize.Style{NumFmt: 0, Font: &excelize.Font{Bold: true}}, "79161234567"},
		{79161234567, &excelize.Style{NumFmt: 2}, "79161234567"},  // 0.00
		{79161234567, &excelize.Style{NumFmt: 3}, "79161234567"},  // #,##0
		{79161234567, &excelize.Style{NumFmt: 11}, "79161234567"}, // 0.00E+00
		{79161234567, &excelize.Style{NumFmt: 14}, "79161234567"}, // a date format by mistake
		{9161234567, custom("+7 (###) ###-##-##"), "+7 (916) 123-45-67"},
		{79161234567, custom("# ##0"), "79161234567"},
		{791612345678, nil, "791612345678"},
		{791612345678, &excelize.Style{NumFmt: 0, Font: &excelize.Font{Italic: true}}, "791612345678"},
		{"8 916 123-45-67", nil, "8 916 123-45-67"},
		{"89161234567", &excelize.Style{NumFmt: 49}, "89161234567"}, // text
		{"0012", nil, "0012"},
		{12345, &excelize.Style{NumFmt: 3}, "12,345"},
		{0.25, &excelize.Style{NumFmt: 10}, "25.00%"},
		{1500.5, nil, "1500.5"},
		{time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), &excelize.Style{NumFmt: 14}, "15.11.2026"},
		{time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), custom("yyyy-mm-dd"), "2026-11-15"},
		{true, nil, "TRUE"},
	}
	for i, tt := range tests {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetCellValue("Sheet1", cell, tt.value); err != nil {
			t.Fatal(err)
		}
		if tt.style != nil {
			id, err := f.NewStyle(tt.style)
			if err != nil {
				t.Fatal(err)
			}
			f.SetCellStyle("Sheet1", cell, cell, id)
		}
	}
	path := filepath.Join(t.TempDir(), "formats.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, path)
	for i, tt := range tests {
		want := fmt.Sprintf("Sheet1:%d|%s", i+1, tt.want)
		if i >= len(got) || got[i] != want {
			g := ""
			if i < len(got) {
				g = got[i]
			}
			t.Errorf("%v with %+v: got %q, want %q", tt.value, tt.style, g, want)
		}
	}
}

func TestMaybeLossy(t *testing.T) {
	for s, want := range map[string]bool{
		"7.92E+10": true, "79,161,234,567": true, "79161234567.00": true, "10-19-6737998": true,
		"79 161 234 567": true, "791,612,345,678": true, "1,234,567,890,123": true, "79 161 234 567,00": true, "1.23456789012346E+18": true,
		"8 916 123-45-67": false, "+7 916 123 45 67": false, "7-916-123-45-67": false, "7-919-444-4499": false, "15.11.2026": false,
		"15.11.2026 10:30:00": false, "79161234567": false, "+7 (916) 123-45-67": false, "1500.5": false, "Иванов": false,
	} {
		if got := maybeLossy(s); got != want {
			t.Errorf("maybeLossy(%q) = %v, want %v", s, got, want)
		}
	}
	// It runs for every cell of a workbook, on the goroutine an import waits for.
	if n := testing.AllocsPerRun(100, func() { maybeLossy("79 161 234 567,00") }); n != 0 {
		t.Errorf("maybeLossy allocates %v times a call", n)
	}
}

func TestLongInteger(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"79161234567", "79161234567", true},
		{"1234567", "1234567", true},
		{"123456", "", false},
		{"7.9161234567E+10", "79161234567", true},
		{"7.9161234567e10", "79161234567", true},
		{"46341", "", false},
		{"46341.5", "", false},
		{"1500.5", "", false},
		{"1e300", "", false},
		{"Иванов", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := longInteger(tt.raw)
		if got != tt.want || ok != tt.ok {
			t.Errorf("longInteger(%q) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDateFormats(t *testing.T) {
	serial := 46341.0 // 2026-11-15
	tests := []struct {
		code string
		v    float64
		want string
		date bool
	}{
		{"DD.MM.YYYY", serial, "15.11.2026", true},
		{"dd/mm/yy", serial, "15/11/26", true},
		{"d.m.yyyy", serial, "15.11.2026", true},
		{`yyyy\-mm\-dd`, serial, "2026-11-15", true},
		{"[$-419]DD.MM.YYYY", serial, "15.11.2026", true},
		{"dd.mm.yyyy hh:mm", serial + 0.5, "15.11.2026 12:00", true},
		{"hh:mm:ss", 0.75, "18:00:00", true},
		{"mm:ss", 0.5 + 90.0/86400, "01:30", true},
		{`yyyy" г."`, serial, "2026 г.", true},
		{"dd mmmm yyyy", serial, "2026-11-15", true}, // month names: ISO
		{"h:mm AM/PM", 0.75, "18:00:00", true},       // AM/PM: ISO time
		{"[h]:mm", 1.5, "1900-01-01 12:00:00", true}, // elapsed hours: ISO
		{"General", serial, "", false},
		{"0.00", serial, "", false},
		{`# ##0" руб."`, serial, "", false},
		{"0.00E+00", serial, "", false},
	}
	for _, tt := range tests {
		if got := isDateFormat(tt.code); got != tt.date {
			t.Errorf("isDateFormat(%q) = %v, want %v", tt.code, got, tt.date)
		}
		if !tt.date {
			continue
		}
		if got, ok := formatDate(tt.v, tt.code, false); !ok || got != tt.want {
			t.Errorf("formatDate(%v, %q) = %q, %v; want %q", tt.v, tt.code, got, ok, tt.want)
		}
	}
	if got, _ := formatDate(0, "dd.mm.yyyy", true); got != "01.01.1904" {
		t.Errorf("1904 epoch: %q", got)
	}
	if got, _ := formatDate(59, "dd.mm.yyyy", false); got != "28.02.1900" {
		t.Errorf("before the 1900 leap bug: %q", got)
	}
	if _, ok := formatDate(-1, "dd.mm.yyyy", false); ok {
		t.Error("a negative date was formatted")
	}
}

// biff builds a workbook stream from records.
type biff struct{ bytes.Buffer }

func (b *biff) rec(typ uint16, body ...[]byte) int {
	pos := b.Len()
	var data []byte
	for _, x := range body {
		data = append(data, x...)
	}
	binary.Write(&b.Buffer, binary.LittleEndian, typ)
	binary.Write(&b.Buffer, binary.LittleEndian, uint16(len(data)))
	b.Write(data)
	return pos
}

func le16(v int) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func le32(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func le64f(v float64) []byte {
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))
}
func cell(row, col, xf int) []byte { return append(append(le16(row), le16(col)...), le16(xf)...) }

// buildXLS returns a stream with one sheet "Лист1" holding the given cell
// records, and an SST whose second string is split over a CONTINUE record
// that switches from 8-bit to 16-bit characters.
func buildXLS(cells func(b *biff)) []byte {
	var b biff
	b.rec(recBOF, le16(0x0600), le16(0x0005), make([]byte, 12))
	b.rec(recFormat, le16(164), le16(10), []byte{0}, []byte("DD.MM.YYYY"))
	for range 15 {
		b.rec(recXF, le16(0), le16(0), make([]byte, 16))
	}
	b.rec(recXF, le16(0), le16(164), make([]byte, 16)) // xf 15: a date
	name := []byte{4, 0, 0x1B, 0x04, 0x38, 0x04, 0x41, 0x04, 0x42, 0x04}
	name[1] = 1 // 16-bit characters: "Лист"
	bs := b.rec(recBoundSheet, le32(0), []byte{0, 0}, name)
	// SST: "Телефон" in 16-bit characters; "Ivан" starts 8-bit and goes on
	// 16-bit after the CONTINUE boundary.
	tel := []byte{}
	for _, r := range "Телефон" {
		tel = append(tel, le16(int(r))...)
	}
	b.rec(recSST, le32(2), le32(2), le16(7), []byte{1}, tel, le16(4), []byte{0}, []byte("Iv"))
	b.rec(recContinue, []byte{1}, le16('а'), le16('н'))
	b.rec(recEOF)
	sheet := b.Len()
	binary.LittleEndian.PutUint32(b.Bytes()[bs+4:], uint32(sheet))
	b.rec(recBOF, le16(0x0600), le16(0x0010), make([]byte, 12))
	cells(&b)
	b.rec(recEOF)
	return b.Bytes()
}

func readStream(t *testing.T, stream []byte) ([]string, error) {
	t.Helper()
	wb, err := parseXLS(stream)
	if err != nil {
		return nil, err
	}
	rows, err := wb.rows(wb.sheets[0].name)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		out = append(out, fmt.Sprintf("%d|%s", rows.Row(), strings.Join(rows.Cells(), "|")))
	}
	return out, rows.Err()
}

func TestXLSRecords(t *testing.T) {
	stream := buildXLS(func(b *biff) {
		b.rec(recLabelSST, cell(0, 0, 0), le32(0))
		b.rec(recLabelSST, cell(0, 1, 0), le32(1))
		b.rec(recNumber, cell(1, 0, 0), le64f(79161234567))
		b.rec(recRK, cell(1, 1, 0), le32(150050<<2|3)) // 1500.50 as an integer / 100
		b.rec(recMulRK, le16(1), le16(2), le16(0), le32(7<<2|2), le16(15), le32(46341<<2|2), le16(3))
		b.rec(recLabel, cell(2, 3, 0), le16(3), []byte{0}, []byte("abc"))
		b.rec(recBoolErr, cell(2, 0, 0), []byte{1, 0})
		b.rec(recBoolErr, cell(2, 1, 0), []byte{0x2A, 1})
		b.rec(recFormula, cell(3, 0, 0), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 6))
		b.rec(0x04BC, make([]byte, 8)) // SHRFMLA between FORMULA and STRING
		b.rec(recString, le16(5), []byte{0}, []byte("Hello"))
		b.rec(recFormula, cell(3, 1, 0), le64f(3001), make([]byte, 6))
		b.rec(recBOF, le16(0x0600), le16(0x0020), make([]byte, 12)) // an embedded chart
		b.rec(recLabelSST, cell(9, 9, 0), le32(0))
		b.rec(recEOF)
		b.rec(recNumber, cell(5, 2, 0), le64f(-0.5))
	})
	got, err := readStream(t, stream)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1|Телефон|Ivан",
		"2|79161234567|1500.5|7|15.11.2026",
		"3|TRUE|#N/A||abc",
		"4|Hello|3001",
		"5|",
		"6|||-0.5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestXLSDamaged(t *testing.T) {
	good := buildXLS(func(b *biff) { b.rec(recLabelSST, cell(0, 0, 0), le32(0)) })
	tests := []struct {
		name   string
		stream []byte
		want   error
	}{
		{"empty", nil, ErrCorrupt},
		{"cut in the globals", good[:40], ErrCorrupt},
		{"cut in the sheet", good[:len(good)-6], ErrCorrupt},
		{"BIFF5", append(append([]byte{0x09, 0x08, 4, 0}, le16(0x0500)...), le16(5)...), ErrUnsupported},
		{"BIFF4", []byte{0x09, 0x04, 4, 0, 0, 0, 0, 0}, ErrUnsupported},
		{"encrypted", func() []byte {
			var b biff
			b.rec(recBOF, le16(0x0600), le16(0x0005), make([]byte, 12))
			b.rec(recFilePass, make([]byte, 6))
			return b.Bytes()
		}(), ErrEncrypted},
		{"string index out of range", buildXLS(func(b *biff) { b.rec(recLabelSST, cell(0, 0, 0), le32(9)) }), ErrCorrupt},
		{"short cell record", buildXLS(func(b *biff) { b.rec(recNumber, cell(0, 0, 0)) }), ErrCorrupt},
		{"column past IV", buildXLS(func(b *biff) { b.rec(recNumber, cell(0, 256, 0), le64f(1)) }), ErrCorrupt},
		{"MULRK past IV", buildXLS(func(b *biff) {
			b.rec(recMulRK, le16(0), le16(255), le16(0), le32(2), le16(0), le32(2), le16(256))
		}), ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readStream(t, tt.stream)
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEncrypted(t *testing.T) {
	if _, err := Open(filepath.Join(testdata, "password_secret.xlsx")); !errors.Is(err, ErrEncrypted) {
		t.Errorf("error = %v, want ErrEncrypted", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	xlsx, _ := os.ReadFile(filepath.Join(testdata, "two_sheets.xlsx"))
	xls, _ := os.ReadFile(filepath.Join(testdata, "two_sheets.xls"))
	var zipped bytes.Buffer
	zipFile(t, &zipped, "mimetype", "application/vnd.oasis.opendocument.spreadsheet")
	var other bytes.Buffer
	zipFile(t, &other, "hello.txt", "hello")
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"text", []byte("ФИО;Телефон\n"), ErrUnsupported},
		{"truncated xlsx", xlsx[:len(xlsx)/2], ErrCorrupt},
		{"truncated xls", xls[:3000], ErrCorrupt},
		{"ods", zipped.Bytes(), ErrUnsupported},
		{"other zip", other.Bytes(), ErrUnsupported},
		{"ole2 header only", xls[:512], ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Open(write(tt.name, tt.data))
			if err == nil {
				// a damaged sheet may only show when read
				for _, s := range b.Sheets() {
					rows, rerr := b.Rows(s)
					if rerr != nil {
						err = rerr
						break
					}
					for rows.Next() {
					}
					if err = rows.Err(); err != nil {
						break
					}
				}
				b.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzXLS feeds workbook streams to the BIFF reader: it must never panic
// (a panic would come back as an "internal error").
func FuzzXLS(f *testing.F) {
	f.Add(buildXLS(func(b *biff) { b.rec(recLabelSST, cell(0, 0, 0), le32(1)) }))
	for _, name := range []string{"two_sheets.xls", "title_numeric.xls"} {
		file, err := os.Open(filepath.Join(testdata, name))
		if err != nil {
			f.Fatal(err)
		}
		fi, _ := file.Stat()
		stream, err := workbookStream(file, fi.Size())
		file.Close()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(stream)
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		wb, err := parseXLS(stream)
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
			return
		}
		for _, s := range wb.sheets {
			rows, err := wb.rows(s.name)
			if err != nil {
				if strings.Contains(err.Error(), "internal error") {
					t.Fatal(err)
				}
				continue
			}
			last := 0
			for rows.Next() {
				if rows.Row() <= last {
					t.Fatalf("row %d after %d", rows.Row(), last)
				}
				last = rows.Row()
			}
			if err := rows.Err(); err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
		}
	})
}

func zipFile(t *testing.T, w io.Writer, name, content string) {
	t.Helper()
	z := zip.NewWriter(w)
	f, err := z.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte(content))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMergeCells(t *testing.T) {
	tests := []struct{ formatted, raw, want string }{
		{"7.92E+10", "79161234567", "79161234567"}, // a number shown in a lossy format
		{"79,161,234,567.00", "79161234567", "79161234567"},
		{"7.91612E+10", "7.91612E+10", "7.91612E+10"}, // text: stays as written
		{"15.11.2026", "46341", "15.11.2026"},         // a date
		{"", "8916", "8916"},
	}
	for _, tt := range tests {
		if got := mergeCells([]string{tt.formatted}, []string{tt.raw}); got[0] != tt.want {
			t.Errorf("mergeCells(%q, %q) = %q, want %q", tt.formatted, tt.raw, got[0], tt.want)
		}
	}
}

// TestXLSXCloseEarly: closing rows part way through a sheet whose raw
// values are being read ahead stops that reading (no goroutine left
// blocked, no hang).
func TestXLSXCloseEarly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lossy.xlsx")
	f := excelize.NewFile()
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 11}) // 0.00E+00
	for i := 1; i <= 2000; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		f.SetCellValue("Sheet1", cell, 79161234567+i)
		f.SetCellStyle("Sheet1", cell, cell, style)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	book, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	rows, err := book.Rows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if !rows.Next() {
			t.Fatal(rows.Err())
		}
		if got, want := rows.Cells()[0], fmt.Sprint(79161234567+i+1); got != want {
			t.Errorf("row %d: %q, want %q", i+1, got, want)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
}
