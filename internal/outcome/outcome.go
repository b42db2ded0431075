// Package outcome is the fixed vocabulary of call results and the words
// dialers, CRMs and people use for them.
package outcome

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Outcome is the result of one call attempt.
type Outcome string

// The vocabulary. Only these are stored.
const (
	Answered     Outcome = "answered"
	Interested   Outcome = "interested"
	Callback     Outcome = "callback"
	Sale         Outcome = "sale"
	Refused      Outcome = "refused"
	DoNotCall    Outcome = "do_not_call"
	NoAnswer     Outcome = "no_answer"
	Busy         Outcome = "busy"
	Voicemail    Outcome = "voicemail"
	WrongNumber  Outcome = "wrong_number"
	NotInService Outcome = "not_in_service"
)

// All lists the vocabulary in a stable order.
var All = []Outcome{Answered, Interested, Callback, Sale, Refused, DoNotCall, NoAnswer, Busy, Voicemail, WrongNumber, NotInService}

// Unanswered tells the attempts that reached nobody: a run of them makes a
// number unreachable.
func (o Outcome) Unanswered() bool { return o == NoAnswer || o == Busy || o == Voicemail }

// synonyms maps each accepted word, normalized by key, to its outcome.
var synonyms = map[string]Outcome{}

func init() {
	for o, words := range map[Outcome][]string{
		Answered: {"ответ", "ответил", "ответили", "дозвон", "дозвонились", "дозвонился", "разговор", "поговорили",
			"состоялся", "успешный", "answered", "answer", "connected", "talked", "completed"},
		Interested: {"интересно", "интерес", "заинтересован", "заинтересовался", "заинтересованы", "думает", "подумает",
			"отправить кп", "кп", "interested", "lead", "thinking"},
		Callback: {"перезвонить", "перезвон", "перезвоните", "просил перезвонить", "попросил перезвонить", "перенос",
			"callback", "call back", "call later", "recall"},
		Sale: {"продажа", "сделка", "покупка", "купил", "оплата", "заказ", "sale", "sold", "deal", "won", "order"},
		Refused: {"отказ", "отказался", "не интересно", "неинтересно", "не интересует", "не нужно", "не актуально",
			"неактуально", "refused", "refusal", "declined", "not interested", "rejected"},
		DoNotCall: {"не звонить", "больше не звонить", "просил не звонить", "просит не звонить", "не беспокоить",
			"стоп лист", "стоп-лист", "do not call", "dont call", "don't call", "dnc", "opt out", "optout", "stop"},
		NoAnswer: {"недозвон", "не дозвонились", "не дозвонился", "нет ответа", "не отвечает", "без ответа",
			"не берет трубку", "не взял трубку", "не ответил", "не в сети", "абонент недоступен", "вне зоны действия сети",
			"телефон выключен", "no answer", "noanswer", "not answered", "unanswered",
			"no response", "missed"},
		Busy: {"занято", "занят", "линия занята", "абонент занят", "сброс", "сбросил", "busy", "user busy", "line busy"},
		Voicemail: {"автоответчик", "голосовая почта", "голосовое меню", "автоинформатор", "voicemail", "voice mail",
			"answering machine", "machine", "amd"},
		WrongNumber: {"неверный номер", "не тот номер", "чужой номер", "ошиблись номером", "ошибка номера",
			"другой человек", "wrong number", "wrong person"},
		NotInService: {"не существует", "номер не существует", "несуществующий номер", "номер не обслуживается",
			"не обслуживается", "абонент не обслуживается", "номер заблокирован", "not in service",
			"disconnected", "invalid number", "number does not exist", "unallocated"},
	} {
		synonyms[key(string(o))] = o
		for _, w := range words {
			k := key(w)
			if prev, dup := synonyms[k]; dup && prev != o {
				panic(fmt.Sprintf("outcome word %q means both %s and %s", w, prev, o))
			}
			synonyms[k] = o
		}
	}
}

// ErrUnknown is wrapped by Parse's error for a word not in the vocabulary.
var ErrUnknown = errors.New("unknown outcome")

// maxWord bounds what Parse looks at: no outcome word is longer.
const maxWord = 64

// Parse reads an outcome word, in any case, with ё or е, and with any
// punctuation or spacing between words: "Не дозвонились", "NO_ANSWER",
// "не звонить!" all work.
func Parse(word string) (Outcome, error) {
	if len(word) <= 4*maxWord {
		if o, ok := synonyms[key(word)]; ok {
			return o, nil
		}
	}
	shown := word
	if r := []rune(shown); len(r) > maxWord {
		shown = string(r[:maxWord]) + "…"
	}
	return "", fmt.Errorf("%w %q: want one of %s, or a Russian or English word for one", ErrUnknown, shown, list())
}

func list() string {
	s := make([]string, len(All))
	for i, o := range All {
		s[i] = string(o)
	}
	return strings.Join(s, ", ")
}

// key lowercases, folds ё into е and turns every run of what is not a
// letter or digit into one space.
func key(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			r = unicode.ToLower(r)
			if r == 'ё' {
				r = 'е'
			}
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}
