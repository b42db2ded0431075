package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/callbase/callbase/internal/callbase"
)

const testdata = "../../testdata/ingest"

// dump is a table as the tests compare it.
type dump struct {
	Sheet     string
	Header    string // joined by |
	HeaderRow int
	PhoneCols []int
	Skipped   []int    // lines of the rows skipped above the header
	Rows      []string // "line|cell|cell"
}

func (d dump) String() string {
	return fmt.Sprintf("sheet %q header %q at %d phones %v skipped %v\n%s",
		d.Sheet, d.Header, d.HeaderRow, d.PhoneCols, d.Skipped, strings.Join(d.Rows, "\n"))
}

// readFile reads every table of a file; it fails the test on any error.
func readFile(t *testing.T, path string, opts Options) (string, []dump) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	var out []dump
	for {
		tb, err := r.NextTable()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextTable: %v", err)
		}
		d := dump{Sheet: tb.Sheet, Header: strings.Join(tb.Header, "|"), HeaderRow: tb.HeaderRow, PhoneCols: tb.PhoneCols}
		if tb.File != path {
			t.Errorf("File = %q, want %q", tb.File, path)
		}
		for _, s := range tb.Skipped {
			d.Skipped = append(d.Skipped, s.Line)
		}
		last := tb.HeaderRow
		for {
			row, err := tb.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if row.Line <= last {
				t.Errorf("row line %d after %d", row.Line, last)
			}
			last = row.Line
			if len(row.Cells) < len(tb.Header) {
				t.Errorf("line %d: %d cells for %d columns", row.Line, len(row.Cells), len(tb.Header))
			}
			d.Rows = append(d.Rows, fmt.Sprintf("%d|%s", row.Line, strings.Join(row.Cells, "|")))
		}
		out = append(out, d)
	}
	return r.Format(), out
}

var (
	twoSheetsTables = []dump{{
		Sheet: "Клиенты", Header: "ФИО|Телефон|Мобильный|Дата звонка|Сумма|Фамилия", HeaderRow: 1, PhoneCols: []int{1, 2},
		Rows: []string{
			"2|Иванов Иван Иванович|79161234567|89031234567|15.11.2026|1500.5|Иванов",
			"3|Петрова Анна|+7 (916) 555-12-34||16.11.2026|12000|Петрова",
			"4|Сидоров Пётр|84951234567|9261234567||3001|Сидоров",
			"5|Кузнецова Мария|8 (4212) 45-67-89|+7 999 123-45-67|01.12.2026||Кузнецова",
			"6|Смирнов Алексей|79991234567|нет||0.25|Смирнов",
			"7|Волков Андрей|79123456789|79123456780|09.01.2027|7|Волков",
		},
	}, {
		Sheet: "Новые", Header: "Имя|Телефон", HeaderRow: 1, PhoneCols: []int{1},
		Rows: []string{ // row 3 is blank in the sheet
			"2|Орлов Олег|79051112233",
			"4|Лебедева Ирина|8 905 111-22-44",
			"5|Козлов Николай|89051112255",
		},
	}}
	titleNumericTable = func(sheet string) []dump {
		return []dump{{
			Sheet: sheet, Header: "Клиент|Телефон|Город|Дата регистрации", HeaderRow: 3, PhoneCols: []int{1}, Skipped: []int{1},
			Rows: []string{
				"4|ООО Ромашка|79161234567|Москва|2026-11-03",
				"5|ИП Сидоров|89031112233|Казань|2026-11-04",
				"6|Иванов Иван|9161234568|Тверь|",
				"7|АО Восток|+7 (4212) 45-67-89|Хабаровск|2026-11-05",
				"8|ООО Запад|74951234567|Калининград|2026-11-06",
				"9|ИП Белова|89998887766|Сочи|2026-11-07",
			},
		}}
	}
)

func TestFiles(t *testing.T) {
	tests := []struct {
		file   string
		format string
		tables []dump
	}{
		{"clients_cp1251.csv", "csv windows-1251 ';'", []dump{{
			Header: "ФИО|Телефон|Город|Компания|Комментарий", HeaderRow: 1, PhoneCols: []int{1},
			Rows: []string{
				`2|Иванов Иван Иванович|+7 (916) 123-45-67|Москва|ООО "Ромашка"|перезвонить после 15:00`,
				"3|Петрова Анна Сергеевна|8 916 123 45 68|Санкт-Петербург|ИП Петрова А.С.|",
				`4|Сидоров Пётр Алексеевич|89161234569; 84951234567|Казань|АО "Татнефть-Сервис"|два номера`,
				"5|Кузнецова Мария|тел. 8(4212)45-67-89 доб. 12|Хабаровск|ООО «ДальСнаб»|",
				"6|Смирнов Алексей|нет|Новосибирск||отказ; не звонить",
				"7|Попов Дмитрий|8-923-456-78-90|Екатеринбург|ООО «УралТорг»|адрес: ул. Ленина, 5\nвторой этаж",
				"9|Васильева Ольга|79031112233|Краснодар|ИП Васильева|",
				"10|Новиков Сергей|+7 903 111-22-44|Самара|ООО «Волга-Опт»|ёлки",
				"11|Фёдоров Игорь|12-34|Ростов-на-Дону||мусор в номере",
				"12|Морозова Елена|8 (800) 555-35-35|Тула|ООО «Тульский пряник»|бесплатный",
				"13|Волков Андрей|8 912 345 67 89|Пермь|ООО «Камский берег»|",
			},
		}}},
		{"excel_unicode.txt", "csv utf-16le tab", []dump{{
			// "Контактное лицо" is a name and ИНН an identifier, though both hold digits or the word "контакт".
			Header: "Наименование|Контактное лицо|Моб. телефон|Раб. телефон|E-mail|ИНН", HeaderRow: 1, PhoneCols: []int{2, 3},
			Rows: []string{
				`2|ООО "Ромашка"|Иванов Иван|+7 916 123-45-67|8 (495) 123-45-67|info@romashka.ru|7701234567`,
				"3|ИП Петров П.П.|Петров Павел|89261112233||petrov@mail.ru|503412345678",
				"4|ООО «Северный ветер»|Соколова Ирина|8-903-222-33-44|8 (812) 333-44-55||7801234560",
				"5|АО «Сибирь-Логистик»|Лебедев Олег||8 (383) 222-11-00 доб. 105|office@sib-log.ru|5401234567",
				"6|ООО «Кубань Агро»|Козлова Наталья|+79184445566|+7 861 444-55-66|agro@kuban.ru|2309123456",
				"7|ИП Орлова Е.В.|Орлова Екатерина|8 999 000 11 22|нет||772012345678",
			},
		}}},
		{"utf8bom.csv", "csv utf-8 ','", []dump{{
			Header: "Клиент|Мобильный|Телефон 2|Город", HeaderRow: 3, PhoneCols: []int{1, 2}, Skipped: []int{1},
			Rows: []string{
				"4|Иванов, Иван|89161234567||Москва",
				"5|Петрова, Анна|+7 (926) 765-43-21|8 (495) 765-43-21|Москва, Зеленоград",
				"6|Сидоров, Пётр|8 903 123 45 67||Казань",
				"7|Кузнецова, Мария|79031234568|79031234569|Уфа",
				"8|Смирнов, Алексей|нет телефона||Омск",
			},
		}}},
		{"koi8r.csv", "csv koi8-r '|'", []dump{{
			Header: "Фамилия|Имя|Сотовый|Примечание", HeaderRow: 1, PhoneCols: []int{2},
			Rows: []string{
				"2|Иванов|Иван|89161234567|звонить вечером",
				"3|Петрова|Анна|+7 926 111-22-33|",
				"4|Сидоров|Пётр|8 (903) 444-55-66|просил перезвонить в пятницу",
				"5|Кузнецова|Мария|79057778899|",
				"6|Смирнов|Алексей|не отвечает|старый номер утерян",
				"7|Ёлкина|Ольга|8-915-000-11-22|ёлки-палки",
			},
		}}},
		{"headerless.csv", "csv utf-8 ';'", []dump{{
			Header: "A|B|C", HeaderRow: 0, PhoneCols: []int{1},
			Rows: []string{ // the first line is data, not lost to a header
				"1|Иванов Иван|89161234567|Москва",
				"2|Петрова Анна|+7 926 111-22-33|Тверь",
				"3|Сидоров Пётр|8 (903) 444-55-66|Казань",
				"4|Кузнецова Мария|79057778899|Уфа",
				"5|Смирнов Алексей|89031112233|Омск",
			},
		}}},
		{"title_numeric.csv", "csv utf-8 ';'", titleNumericTable("")},
		{"title_numeric.xlsx", "xlsx", titleNumericTable("title_numeric")},
		{"title_numeric.xls", "xls", titleNumericTable("title_numeric")},
		{"two_sheets.xlsx", "xlsx", twoSheetsTables},
		{"two_sheets.xls", "xls", twoSheetsTables},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			format, got := readFile(t, filepath.Join(testdata, tt.file), Options{})
			if format != tt.format {
				t.Errorf("Format() = %q, want %q", format, tt.format)
			}
			if len(got) != len(tt.tables) {
				t.Fatalf("%d tables, want %d:\n%v", len(got), len(tt.tables), got)
			}
			for i := range got {
				if got[i].String() != tt.tables[i].String() {
					t.Errorf("table %d:\n%v\nwant:\n%v", i, got[i], tt.tables[i])
				}
			}
		})
	}
}

func TestSheetOption(t *testing.T) {
	for _, file := range []string{"two_sheets.xlsx", "two_sheets.xls"} {
		path := filepath.Join(testdata, file)
		_, got := readFile(t, path, Options{Sheet: "новые"}) // case is forgiven
		if len(got) != 1 || got[0].String() != twoSheetsTables[1].String() {
			t.Errorf("%s --sheet Новые: %v", file, got)
		}
		_, err := Open(path, Options{Sheet: "Лист1"})
		ie := inputError(t, err)
		if want := `no sheet "Лист1"; the workbook has "Клиенты", "Новые", "Пустой"`; ie.Err.Error() != want || ie.File != path {
			t.Errorf("error %q, want %q", err, want)
		}
		if !strings.Contains(ie.Hint, `--sheet "Клиенты"`) {
			t.Errorf("hint %q", ie.Hint)
		}
		// The empty sheet asked for by name is an error, not silence.
		r, err := Open(path, Options{Sheet: "Пустой"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.NextTable()
		if ie := inputError(t, err); !errors.Is(err, ErrNoRows) || ie.Sheet != "Пустой" {
			t.Errorf("empty sheet: %v", err)
		}
		r.Close()
	}
}

func TestPhoneColOption(t *testing.T) {
	path := filepath.Join(testdata, "clients_cp1251.csv")
	headerless := filepath.Join(testdata, "headerless.csv")
	tests := []struct {
		path string
		cols []string
		want []int
		err  string
	}{
		{path, []string{"Телефон"}, []int{1}, ""},
		{path, []string{" телефон "}, []int{1}, ""},
		{path, []string{"B"}, []int{1}, ""},
		{path, []string{"b"}, []int{1}, ""},
		{path, []string{"2"}, []int{1}, ""},
		{path, []string{"Комментарий", "B"}, []int{1, 4}, ""}, // even a column that is not phones
		{path, []string{"B", "Телефон"}, []int{1}, ""},
		{path, []string{"Фёдор"}, nil, `--phone-col "Фёдор" matches no column; columns: A "ФИО", B "Телефон", C "Город", D "Компания", E "Комментарий"`},
		{path, []string{"F"}, nil, `--phone-col "F" matches no column`},
		{path, []string{"6"}, nil, `--phone-col "6" matches no column`},
		{path, []string{"0"}, nil, `--phone-col "0" matches no column`},
		{headerless, []string{"B"}, []int{1}, ""},
		{headerless, []string{"Телефон"}, nil, `--phone-col "Телефон" matches no column; columns: A, B, C`},
		{filepath.Join(testdata, "two_sheets.xlsx"), []string{"Мобильный"}, []int{2}, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(filepath.Base(tt.path), tt.cols), func(t *testing.T) {
			r, err := Open(tt.path, Options{PhoneCols: tt.cols})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			tb, err := r.NextTable()
			if tt.err != "" {
				ie := inputError(t, err)
				if !errors.Is(err, ErrNoPhoneColumn) || !strings.Contains(err.Error(), tt.err) || ie.File != tt.path {
					t.Errorf("error %q, want one with %q", err, tt.err)
				}
				if !strings.HasPrefix(ie.Hint, "Try: --phone-col") {
					t.Errorf("hint %q", ie.Hint)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tb.PhoneCols, tt.want) {
				t.Errorf("PhoneCols = %v, want %v", tb.PhoneCols, tt.want)
			}
		})
	}
}

// writeTemp writes data to a file in a temporary directory.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDetection covers header and phone column detection on small files.
func TestDetection(t *testing.T) {
	tests := []struct {
		name, csv string
		want      dump
		cols      []string
	}{
		{"title rows and a blank line", "Выгрузка клиентов за ноябрь 2026\nМенеджер: Петров\n\nИмя;Тел.;Город\nИванов;89161234567;Москва\nПетров;89161234568;Тверь\n",
			dump{Header: "Имя|Тел.|Город", HeaderRow: 4, PhoneCols: []int{1}, Skipped: []int{1, 2},
				Rows: []string{"5|Иванов|89161234567|Москва", "6|Петров|89161234568|Тверь"}}, nil},
		{"title quoting an office phone", "Отдел продаж: 8 (800) 555-35-35\nИмя;Номер;Город\nИванов;89161234567;Москва\nПетров;89161234568;Тверь\n",
			dump{Header: "Имя|Номер|Город", HeaderRow: 2, PhoneCols: []int{1}, Skipped: []int{1},
				Rows: []string{"3|Иванов|89161234567|Москва", "4|Петров|89161234568|Тверь"}}, nil},
		{"header without keywords", "Клиент;Связь;Город\nИванов;89161234567;Москва\nПетров;+7 916 123-45-68;Тверь\n",
			dump{Header: "Клиент|Связь|Город", HeaderRow: 1, PhoneCols: []int{1},
				Rows: []string{"2|Иванов|89161234567|Москва", "3|Петров|+7 916 123-45-68|Тверь"}}, nil},
		{"headerless with a bad first phone", "Иванов;8916;Москва\nПетров;89161234568;Тверь\nСидоров;89161234569;Омск\n",
			dump{Header: "A|B|C", PhoneCols: []int{1},
				Rows: []string{"1|Иванов|8916|Москва", "2|Петров|89161234568|Тверь", "3|Сидоров|89161234569|Омск"}}, nil},
		{"headerless with a title", "Список на обзвон\nИванов;89161234567;Москва\nПетров;89161234568;Тверь\n",
			dump{Header: "A|B|C", PhoneCols: []int{1}, Skipped: []int{1},
				Rows: []string{"2|Иванов|89161234567|Москва", "3|Петров|89161234568|Тверь"}}, nil},
		{"one column with header", "Телефон\n89161234567\n+7 916 123-45-68\n",
			dump{Header: "Телефон", HeaderRow: 1, PhoneCols: []int{0},
				Rows: []string{"2|89161234567", "3|+7 916 123-45-68"}}, nil},
		{"one column without header", "89161234567\n+7 916 123-45-68\n",
			dump{Header: "A", PhoneCols: []int{0}, Rows: []string{"1|89161234567", "2|+7 916 123-45-68"}}, nil},
		{"phones in a column without a name", "Имя;;Город\nИванов;89161234567;Москва\nПетров;89161234568;Тверь\n",
			dump{Header: "Имя|B|Город", HeaderRow: 1, PhoneCols: []int{1},
				Rows: []string{"2|Иванов|89161234567|Москва", "3|Петров|89161234568|Тверь"}}, nil},
		{"keyword column of contract numbers is no phone column",
			"Имя;Номер договора;Телефон\nИванов;79161234567;89031234567\nПетров;79161234568;89031234568\n",
			dump{Header: "Имя|Номер договора|Телефон", HeaderRow: 1, PhoneCols: []int{2},
				Rows: []string{"2|Иванов|79161234567|89031234567", "3|Петров|79161234568|89031234568"}}, nil},
		{"keyword column with other content", "Имя;Телефон;Мобильный\nИванов;звонить вечером;89031234567\nПетров;не звонить;89031234568\n",
			dump{Header: "Имя|Телефон|Мобильный", HeaderRow: 1, PhoneCols: []int{2},
				Rows: []string{"2|Иванов|звонить вечером|89031234567", "3|Петров|не звонить|89031234568"}}, nil},
		{"empty keyword column kept", "Имя;Телефон;Телефон 2\nИванов;89031234567;\nПетров;89031234568;\n",
			dump{Header: "Имя|Телефон|Телефон 2", HeaderRow: 1, PhoneCols: []int{1, 2},
				Rows: []string{"2|Иванов|89031234567|", "3|Петров|89031234568|"}}, nil},
		{"rows of other widths", "Имя;Телефон\nИванов;89031234567;лишнее;;\nПетров\n;;;\nСидоров;89031234569;;\n",
			dump{Header: "Имя|Телефон|C", HeaderRow: 1, PhoneCols: []int{1},
				Rows: []string{"2|Иванов|89031234567|лишнее", "3|Петров||", "5|Сидоров|89031234569|"}}, nil},
		{"no phones at all: no header guessed", "Выгрузка 2026\nИванов;Москва\nПетров;Тверь\n",
			dump{Header: "A|B", PhoneCols: []int{1}, Skipped: []int{1},
				Rows: []string{"2|Иванов|Москва", "3|Петров|Тверь"}}, []string{"B"}},
		{"no phones but a --phone-col name", "Выгрузка 2026\nИмя;Связь\nИванов;нет\nПетров;Тверь\n",
			dump{Header: "Имя|Связь", HeaderRow: 2, PhoneCols: []int{1}, Skipped: []int{1},
				Rows: []string{"3|Иванов|нет", "4|Петров|Тверь"}}, []string{"связь"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := readFile(t, writeTemp(t, "base.csv", []byte(tt.csv)), Options{PhoneCols: tt.cols})
			if len(got) != 1 || got[0].String() != tt.want.String() {
				t.Errorf("got:\n%v\nwant:\n%v", got, tt.want)
			}
		})
	}
}

func TestNoPhoneColumn(t *testing.T) {
	tests := []struct{ csv, want string }{
		{"Имя;Город;Телефон\nИванов;Москва;77012345\nПетров;Тверь;нет\n",
			`:1: no phone column found; columns: A "Имя", B "Город", C "Телефон"` + "\n" + `Try: --phone-col "Телефон"`},
		{"Имя;Город;ИНН\nИванов;Москва;77012345\nПетров;Тверь;77012346\n", // no telling the header
			`: no phone column found; columns: A, B, C` + "\n" +
				"Try: --phone-col with the header of the phone column, its letter (B) or its number (2)"},
		{"Имя;Связь\nИванов;89161234567\nПетров;нет\nСидоров;не звонить\n",
			`: no phone column found; columns: A, B` + "\n" + `Try: --phone-col "B"`},
		{"Выгрузка 2026\nИванов;Москва\nПетров;Тверь\n",
			`: no phone column found; columns: A, B` + "\n" +
				"Try: --phone-col with the header of the phone column, its letter (B) or its number (2)"},
	}
	for _, tt := range tests {
		path := writeTemp(t, "base.csv", []byte(tt.csv))
		r, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.NextTable()
		ie := inputError(t, err)
		if !errors.Is(err, ErrNoPhoneColumn) || err.Error() != path+tt.want || ie.File != path {
			t.Errorf("error:\n%v\nwant:\n%v", err, path+tt.want)
		}
		if _, err := r.NextTable(); err != io.EOF {
			t.Errorf("after the error: %v, want EOF", err)
		}
		r.Close()
	}
}

func TestIsPhoneHeader(t *testing.T) {
	yes := []string{"Телефон", "ТЕЛЕФОН", "телефон 2", "Тел.", "Тел. моб.", "Тел.моб.2", "Моб", "Мобильный", "Сотовый",
		"Номер телефона", "Номер", "Контакт", "Контакты", "Phone", "Mobile phone", "tel", "Cell", "MSISDN", "Телефон/факс",
		"Контактное лицо / телефон", "Телефон (рабочий)", "WhatsApp", "Ёмкость телефона"}
	no := []string{"ФИО", "Номер договора", "ИНН", "ОГРН", "Индекс", "ID", "Дата звонка", "Контактное лицо", "Код",
		"Оператор мобильной связи", "E-mail", "Город", "Сумма заказа", "Номер заказа", "Cell ID", "", "Тип телефона",
		"Регион телефона", "Телеграм-канал"}
	for _, h := range yes {
		if !isPhoneHeader(h) {
			t.Errorf("isPhoneHeader(%q) = false", h)
		}
	}
	for _, h := range no {
		if isPhoneHeader(h) {
			t.Errorf("isPhoneHeader(%q) = true", h)
		}
	}
	for _, h := range []string{"ИНН", "Индекс", "id", "Код клиента", "Сумма", "Дата"} {
		if !isIDHeader(h) {
			t.Errorf("isIDHeader(%q) = false", h)
		}
	}
}

func TestColumnName(t *testing.T) {
	for i, s := range map[int]string{0: "A", 1: "B", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := ColumnName(i); got != s {
			t.Errorf("ColumnName(%d) = %q, want %q", i, got, s)
		}
		if got := columnIndex(s); got != i {
			t.Errorf("columnIndex(%q) = %d, want %d", s, got, i)
		}
	}
	for _, s := range []string{"", "A1", "ABCD", "Ж"} {
		if got := columnIndex(s); got != -1 {
			t.Errorf("columnIndex(%q) = %d, want -1", s, got)
		}
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		cells []string
		n     int
		want  string
	}{
		{[]string{"a"}, 3, "a||"},
		{[]string{"a", "b", "c"}, 3, "a|b|c"},
		{[]string{"a", "b", "c", "", ""}, 3, "a|b|c"},
		{[]string{"a", "", "", "d", ""}, 2, "a|||d"},
	}
	for _, tt := range tests {
		if got := strings.Join(fit(tt.cells, tt.n), "|"); got != tt.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tt.cells, tt.n, got, tt.want)
		}
	}
}

// TestStreaming reads a file longer than the detection sample: rows come
// in order, none lost or repeated, and progress reaches the file size.
func TestStreaming(t *testing.T) {
	const n = 3000
	var b strings.Builder
	b.WriteString("Имя;Телефон\r\n")
	for i := range n {
		fmt.Fprintf(&b, "Клиент %d;+7 916 %03d-%02d-%02d\r\n", i, i/10000+100, i/100%100, i%100)
	}
	path := writeTemp(t, "big.csv", []byte(b.String()))
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if done, total := r.Progress(); total != int64(b.Len()) || done > total {
		t.Errorf("Progress before = %d/%d", done, total)
	}
	tb, err := r.NextTable()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		row, err := tb.Next()
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if row.Line != i+2 || row.Cells[0] != fmt.Sprintf("Клиент %d", i) {
			t.Fatalf("row %d = %d %q", i, row.Line, row.Cells)
		}
	}
	if _, err := tb.Next(); err != io.EOF {
		t.Errorf("after the last row: %v", err)
	}
	if _, err := tb.Next(); err != io.EOF {
		t.Errorf("EOF is not sticky: %v", err)
	}
	if done, total := r.Progress(); done != total {
		t.Errorf("Progress after = %d/%d", done, total)
	}
	if _, err := r.NextTable(); err != io.EOF {
		t.Errorf("second table: %v", err)
	}
}

func inputError(t *testing.T, err error) *callbase.InputError {
	t.Helper()
	var ie *callbase.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T) is not an InputError", err, err)
	}
	if !errors.Is(err, callbase.ErrInput) {
		t.Fatalf("error %v does not unwrap to ErrInput", err)
	}
	return ie
}

// TestIsBlank holds isBlank to its definition: nothing but white space.
func TestIsBlank(t *testing.T) {
	runes := []string{"", " ", "\t", "\r", "\n", "\v", "\f", "\u0085", "\u00a0", "\u2003", "\u3000", "a", "ж", "0", ";", "\xff", "\xc2", "\xe2\x80", "\x00", "\ufeff"}
	for _, a := range runes {
		for _, b := range runes {
			for _, c := range runes {
				s := a + b + c
				if got, want := isBlank(s), strings.TrimSpace(s) == ""; got != want {
					t.Errorf("isBlank(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
	// Every character, after a space: isBlank tells some by their first
	// byte alone.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		s := " " + string(r)
		if got, want := isBlank(s), strings.TrimSpace(s) == ""; got != want {
			t.Fatalf("isBlank(%q) = %v, want %v", s, got, want)
		}
	}
}

// A table's header is kept as long as the table, by clean for the whole
// run: it must not keep the reader's block of text (64 KB) with it, or
// memory would grow by a block with every file cleaned.
func TestHeaderKeepsNoBlock(t *testing.T) {
	const files = 100
	dir := t.TempDir()
	for i := range files {
		data := fmt.Sprintf("Имя;Телефон %d\nИванов;+7 916 123-45-%02d\n", i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.csv", i)), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	headers := make([][]string, files)
	for i := range files {
		r, err := Open(filepath.Join(dir, fmt.Sprintf("%d.csv", i)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := r.NextTable()
		if err != nil {
			t.Fatal(err)
		}
		headers[i] = tbl.Header
		r.Close()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("the headers of %d files keep %d KB", files, grown>>10)
	if grown > files*16<<10 {
		t.Errorf("the headers of %d files keep %d KB", files, grown>>10)
	}
	runtime.KeepAlive(headers)
}
