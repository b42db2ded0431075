package ingest

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/phone"
)

// errEmpty: a source with no non-blank rows at all.
var errEmpty = errors.New("empty")

// table reads the head of a source, finds the header and the phone
// columns, and returns the table with the rows read so far kept for Next.
func (r *Reader) table(src source, sheet string) (*Table, error) {
	var rows []Row
	size := 0
	for len(rows) < titleRows+sampleRows && size < sampleBytes {
		row, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(rows) > 0 {
				if h := analyse(rows, r.norm).findHeader(r.opts.PhoneCols); h >= 0 {
					err = (&Table{Header: rows[h].Cells}).nameColumn(err)
				}
			}
			return nil, err
		}
		if blank(row.Cells) {
			continue
		}
		rows = append(rows, row)
		for _, c := range row.Cells {
			size += len(c) + 16
		}
	}
	if len(rows) == 0 {
		return nil, errEmpty
	}
	a := analyse(rows, r.norm)
	t := &Table{File: r.path, Sheet: sheet, src: src}

	header := a.findHeader(r.opts.PhoneCols)
	first := header + 1 // first data row in the sample
	if header < 0 {
		first = a.titleRows()
	}
	if header >= 0 {
		t.HeaderRow = rows[header].Line
		t.Skipped = rows[:header:header]
	} else {
		t.Skipped = rows[:first:first]
	}
	data := rows[first:]
	if len(data) == 0 {
		return nil, &callbase.InputError{File: r.path, Sheet: sheet, Row: t.HeaderRow, Err: ErrNoData}
	}

	width := 0
	if header >= 0 {
		width = a.width[header]
	}
	for i := first; i < len(rows); i++ {
		width = max(width, a.width[i])
	}
	t.Header = make([]string, width)
	for j := range t.Header {
		if header >= 0 && j < len(rows[header].Cells) {
			// A clone: a header is kept as long as its table, and a
			// cell keeps the reader's block of text (see csvReader).
			t.Header[j] = strings.Clone(strings.TrimSpace(rows[header].Cells[j]))
		}
		if t.Header[j] == "" {
			t.Header[j] = ColumnName(j)
		}
	}

	var err error
	if len(r.opts.PhoneCols) > 0 {
		t.PhoneCols, err = t.resolve(r.opts.PhoneCols)
	} else {
		t.PhoneCols, err = t.detect(a, first, header >= 0)
	}
	if err != nil {
		return nil, err
	}
	t.buf = data
	return t, nil
}

// analysis holds what is known of each sampled row.
type analysis struct {
	rows    []Row
	n       int      // rows checked for phones: the parse budget may stop short
	width   []int    // index of the last non-empty cell + 1
	filled  []int    // non-empty cells
	phones  [][]bool // cell gives at least one valid number (rows < n)
	nphones []int
	dw      []int // dataWidth cache, -1 until known
}

// maxParses bounds the cells handed to the phone parser during detection,
// so that a sample of very wide rows costs a second at most.
const maxParses = 50000

func analyse(rows []Row, norm *phone.Normalizer) *analysis {
	a := &analysis{rows: rows, width: make([]int, len(rows)), filled: make([]int, len(rows)),
		phones: make([][]bool, len(rows)), nphones: make([]int, len(rows)), dw: make([]int, len(rows))}
	budget := maxParses
	for i, row := range rows {
		a.dw[i] = -1
		check := budget > 0
		if check {
			a.n = i + 1
			a.phones[i] = make([]bool, len(row.Cells))
		}
		for j, c := range row.Cells {
			if isBlank(c) {
				continue
			}
			a.width[i] = j + 1
			a.filled[i]++
			if !check || len(c) > 200 || digits(c) < 5 {
				continue
			}
			budget--
			for _, x := range norm.Cell(c) {
				if x.Reason == phone.OK {
					a.phones[i][j] = true
					a.nphones[i]++
					break
				}
			}
		}
	}
	return a
}

// colStats counts, for every column, the filled cells and those holding a
// valid number, over the checked rows from row from on.
func (a *analysis) colStats(from int) (filled, ok []int) {
	w := slices.Max(a.width)
	filled, ok = make([]int, w), make([]int, w)
	for k := from; k < a.n; k++ {
		for j, c := range a.rows[k].Cells {
			if j < w && !isBlank(c) {
				filled[j]++
				if a.phones[k][j] {
					ok[j]++
				}
			}
		}
	}
	return filled, ok
}

// dataWidth is the most common width of the rows after row i.
func (a *analysis) dataWidth(i int) int {
	if a.dw[i] >= 0 {
		return a.dw[i]
	}
	counts := map[int]int{}
	best, bestN := 0, 0
	for k := i + 1; k < len(a.rows) && k <= i+100; k++ {
		w := a.width[k]
		counts[w]++
		if counts[w] > bestN || (counts[w] == bestN && w > best) {
			best, bestN = w, counts[w]
		}
	}
	a.dw[i] = best
	return best
}

// dataStarts reports whether row i looks like data: it holds a phone and
// is as wide as the rows below it (a title row quoting an office phone does
// not count).
func (a *analysis) dataStarts(i int) bool {
	return a.nphones[i] > 0 && (a.filled[i] >= 2 || a.width[i] >= a.dataWidth(i))
}

// findHeader returns the index of the header row in the sample, -1 if the
// file has none. It looks at the first rows only, and never below the first
// row of data: first for a row naming a --phone-col or a phone keyword,
// then for a row of labels as wide as the data below it.
func (a *analysis) findHeader(phoneCols []string) int {
	limit := min(titleRows, len(a.rows))
	for i := 0; i < limit && !a.dataStarts(i); i++ {
		if a.nphones[i] > 0 {
			continue
		}
		wide := a.filled[i] >= 2 || a.dataWidth(i) <= 1
		for _, c := range a.rows[i].Cells {
			if wide && isPhoneHeader(c) {
				return i
			}
			for _, pc := range phoneCols {
				if sameName(c, pc) && !shortRef(pc) {
					return i
				}
			}
		}
	}
	for i := 0; i < limit && i+1 < len(a.rows) && !a.dataStarts(i); i++ {
		if a.nphones[i] > 0 || !a.labels(i) {
			continue
		}
		dw := a.dataWidth(i)
		if a.width[i] < dw || a.filled[i] < min(2, dw) {
			continue
		}
		return i
	}
	return -1
}

// labels reports whether row i could name the columns of the rows below:
// short cells, none like a number, and some column below holding mostly
// phones under a word. Without phones below there is no telling a header
// from data, and taking data for a header would lose a row.
func (a *analysis) labels(i int) bool {
	cells := a.rows[i].Cells
	for _, c := range cells {
		if utf8.RuneCountInString(c) > 100 || digits(c) >= 7 {
			return false
		}
	}
	filled, ok := a.colStats(i + 1)
	phonesBelow := false
	for j := range filled {
		if filled[j] == 0 || ok[j]*2 <= filled[j] {
			continue
		}
		phonesBelow = true
		if j < len(cells) && !isBlank(cells[j]) && (digits(cells[j]) > 2 || !hasLetter(cells[j])) {
			return false // a number where the header should name the phone column
		}
	}
	return phonesBelow
}

// titleRows counts the rows to skip in a file without a header: lone cells
// above rows of data that are wider.
func (a *analysis) titleRows() int {
	n := 0
	for i := 0; i < min(titleRows, len(a.rows)-1); i++ {
		if a.dataStarts(i) || a.filled[i] != 1 || a.nphones[i] > 0 {
			break
		}
		if dw := a.dataWidth(i); dw < 2 || a.width[i] >= dw {
			break
		}
		n = i + 1
	}
	return n
}

// detect finds the phone columns: those named like one whose content does
// not say otherwise, and those where most filled cells hold a valid number
// (unless named like an identifier: ИНН, ОГРН, индекс, ...).
func (t *Table) detect(a *analysis, first int, hasHeader bool) ([]int, error) {
	var cols []int
	best, bestRatio := -1, 0.0
	filledAt, okAt := a.colStats(first)
	for j, name := range t.Header {
		ok, filled := 0, 0
		if j < len(filledAt) {
			ok, filled = okAt[j], filledAt[j]
		}
		keyword := hasHeader && isPhoneHeader(name)
		idLike := hasHeader && isIDHeader(name)
		switch {
		case keyword && ok*2 >= filled:
			cols = append(cols, j)
		case !keyword && !idLike && filled > 0 && ok*2 > filled:
			cols = append(cols, j)
		}
		ratio := 0.0
		if filled > 0 {
			ratio = float64(ok) / float64(filled)
		}
		if keyword {
			ratio += 1 // a named column is the better guess
		}
		if ratio > bestRatio {
			best, bestRatio = j, ratio
		}
	}
	if len(cols) > 0 {
		return cols, nil
	}
	hint := "Try: --phone-col with the header of the phone column, its letter (B) or its number (2)"
	if best >= 0 && bestRatio > 0 {
		hint = fmt.Sprintf("Try: --phone-col %q", t.Header[best])
	}
	return nil, &callbase.InputError{File: t.File, Sheet: t.Sheet, Row: t.HeaderRow,
		Err:  fmt.Errorf("%w found; columns: %s", ErrNoPhoneColumn, t.columnList()),
		Hint: hint}
}

// resolve turns --phone-col values into column indexes.
func (t *Table) resolve(specs []string) ([]int, error) {
	var cols []int
	for _, spec := range specs {
		var found []int
		for j, name := range t.Header {
			if sameName(name, spec) {
				found = append(found, j)
			}
		}
		s := strings.TrimSpace(spec)
		if len(found) == 0 {
			if j := columnIndex(s); j >= 0 && j < len(t.Header) {
				found = append(found, j)
			} else if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(t.Header) {
				found = append(found, n-1)
			}
		}
		if len(found) == 0 {
			return nil, &callbase.InputError{File: t.File, Sheet: t.Sheet, Row: t.HeaderRow,
				Err: fmt.Errorf("%w: --phone-col %q matches no column; columns: %s", ErrNoPhoneColumn, spec, t.columnList()),
				Hint: fmt.Sprintf("Try: --phone-col %q, --phone-col %s or --phone-col %d (a header name, a letter or a number)",
					t.Header[0], ColumnName(0), 1)}
		}
		cols = append(cols, found...)
	}
	slices.Sort(cols)
	return slices.Compact(cols), nil
}

// columnList names the columns for a message: A "ФИО", B "Телефон", ...
func (t *Table) columnList() string {
	var b strings.Builder
	for j, name := range t.Header {
		if j == 20 {
			fmt.Fprintf(&b, ", ... (%d in all)", len(t.Header))
			break
		}
		if j > 0 {
			b.WriteString(", ")
		}
		letter := ColumnName(j)
		if t.HeaderRow == 0 || name == letter {
			b.WriteString(letter)
		} else {
			fmt.Fprintf(&b, "%s %q", letter, name)
		}
	}
	return b.String()
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			// Decide on the first rune that is no ASCII space: every row's
			// first cell comes here, and trimming a name costs more.
			if c < utf8.RuneSelf && c != '\v' && c != '\f' {
				return false
			}
			// Between U+00C0 and U+1680, the first space past Latin-1,
			// there is none: the Cyrillic of most first cells is told by
			// its first byte, without decoding it.
			if c >= 0xC3 && c < 0xE1 {
				return false
			}
			if r, _ := utf8.DecodeRuneInString(s[i:]); !unicode.IsSpace(r) {
				return false
			}
			return strings.TrimSpace(s) == ""
		}
	}
	return true
}

func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// shortRef reports whether a --phone-col value reads as a number or a
// column letter or two, too short to find the header row by.
func shortRef(s string) bool {
	s = strings.TrimSpace(s)
	if _, err := strconv.Atoi(s); err == nil {
		return true
	}
	return len(s) <= 2 && columnIndex(s) >= 0
}

// sameName compares header names ignoring case, ё/е and runs of spaces.
func sameName(a, b string) bool {
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.ReplaceAll(strings.ToLower(s), "ё", "е")), " ")
	}
	na := norm(a)
	return na != "" && na == norm(b)
}

// words splits a header into lower-case words of letters or of digits,
// with ё read as е: "Тел.моб.2" -> тел, моб, 2.
func words(s string) []string {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	var out []string
	start, kind := -1, 0
	for i, r := range s + " " {
		k := 0
		switch {
		case unicode.IsLetter(r):
			k = 1
		case unicode.IsDigit(r):
			k = 2
		}
		if k != kind {
			if start >= 0 && kind != 0 {
				out = append(out, s[start:i])
			}
			start, kind = i, k
		}
	}
	return out
}

// Words that name a phone column. Strong ones name it whatever else the
// header says; weak ones only when no identifier word is there too.
var (
	strongPhone = []string{"телеф", "моб", "сотов", "phone", "telephone", "mobil", "msisdn", "cellphone",
		"whatsapp", "ватсап", "вотсап", "viber", "вайбер"}
	weakPhone = []string{"тел", "тлф", "номер", "номера", "контакт", "контакты", "tel", "mob", "cell", "contact", "contacts", "number"}
	// Not a phone even with a strong word: "Оператор мобильной связи", "Дата звонка".
	notPhone = []string{"инн", "огрн", "огрнип", "кпп", "окпо", "оквэд", "снилс", "бик", "паспорт", "договор",
		"заказ", "счет", "дата", "сумм", "оператор", "регион", "тип", "статус", "модел", "inn", "ogrn", "kpp",
		"passport", "contract", "order", "account", "date", "sum", "amount", "operator", "region", "type", "status",
		"email", "mail", "почта", "адрес", "address", "model"}
	// Identifier-like words: such columns are never phones by content alone.
	idLike = []string{"лицо", "лица", "код", "id", "ид", "индекс", "index", "zip", "цена", "стоимост",
		"количеств", "кол", "price", "qty", "артикул", "гуид", "guid", "uuid", "год", "year"}
)

// matchWord: exact for short words, prefix for words of four letters or more.
func matchWord(w string, list []string) bool {
	for _, k := range list {
		if w == k || (utf8.RuneCountInString(k) >= 4 && strings.HasPrefix(w, k)) {
			return true
		}
	}
	return false
}

func isPhoneHeader(name string) bool {
	ws := words(name)
	strong, weak, neg, id := false, false, false, false
	for _, w := range ws {
		switch {
		case matchWord(w, notPhone):
			neg = true
		case slices.ContainsFunc(strongPhone, func(k string) bool { return strings.HasPrefix(w, k) }):
			strong = true
		case slices.Contains(weakPhone, w):
			weak = true
		case matchWord(w, idLike):
			id = true
		}
	}
	return !neg && (strong || (weak && !id))
}

func isIDHeader(name string) bool {
	for _, w := range words(name) {
		if matchWord(w, notPhone) || matchWord(w, idLike) {
			return true
		}
	}
	return false
}
