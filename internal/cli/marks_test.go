package cli

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOptoutBeforeImport(t *testing.T) {
	db := tempDB(t)
	// Opted out before any base brings it: recognised when one does.
	mustRun(t, db, "optout", "add", "8 916 123-45-67")
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a")
	h := historyOf(t, db, "+79161234567")
	if h.OptedOutAt == "" || len(h.Bases) != 1 || len(h.Events) != 1 || h.Events[0].What != "opted_out" {
		t.Errorf("history %+v", h)
	}
	// Again: nothing changes.
	before := dump(t, db)
	if r := mustRun(t, db, "--json", "optout", "add", "+79161234567"); !strings.Contains(r.stdout, `"changed": 0`) {
		t.Errorf("second opt-out: %s", r.stdout)
	}
	if dump(t, db) != before {
		t.Error("opting out again changed the database")
	}
}

func TestOptoutImport(t *testing.T) {
	db := tempDB(t)
	path := writeFile(t, "dnc.csv", "Телефон;Дата\n+79161234567;01.11.2026\n89031234567;\nмусор;\n")
	r := mustRun(t, db, "--json", "optout", "import", path)
	if !strings.Contains(r.stdout, `"changed": 2`) || !strings.Contains(r.stdout, `"no_digits": 1`) {
		t.Errorf("optout import: %s", r.stdout)
	}
	if h := historyOf(t, db, "+79161234567"); h.OptedOutAt != "2026-10-31T21:00:00Z" {
		t.Errorf("opted out at %q, want the file's date in Moscow time", h.OptedOutAt)
	}
	if h := historyOf(t, db, "+79031234567"); h.OptedOutAt != "2026-11-27T09:30:00Z" {
		t.Errorf("opted out at %q, want --now for a row without a date", h.OptedOutAt)
	}
}

func TestDeadMarkUnmarkImport(t *testing.T) {
	db := tempDB(t)
	mustRun(t, db, "import", filepath.Join(testdata, "cli", "vendor-a.csv"), "--base", "a")
	if r := runCLI(t, db, "dead", "mark", "+79161234567"); r.code != 2 || !strings.Contains(r.stderr, "--reason") {
		t.Errorf("dead mark without --reason: exit %d, %s", r.code, r.stderr)
	}
	mustRun(t, db, "dead", "mark", "+79161234567", "--reason", "жалоба")
	if h := historyOf(t, db, "+79161234567"); h.Status != "dead" || h.DeadReason != "жалоба" {
		t.Errorf("after mark: %s %s", h.Status, h.DeadReason)
	}
	mustRun(t, db, "dead", "unmark", "+79161234567", "--reason", "ответил 27.11")
	h := historyOf(t, db, "+79161234567")
	if h.Status != "active" || len(h.Events) != 2 || !strings.Contains(h.Events[1].Detail, "ответил 27.11") {
		t.Errorf("after unmark: %s, events %+v", h.Status, h.Events)
	}
	path := writeFile(t, "hlr.csv", "number,status\n+79031234567,not exists\n+74951234567,active\n+79161234567,strange\n")
	r := mustRun(t, db, "--json", "dead", "import", path)
	if !strings.Contains(r.stdout, `"changed": 1`) || !strings.Contains(r.stdout, `"unknown_status": 1`) {
		t.Errorf("dead import: %s", r.stdout)
	}
	if h := historyOf(t, db, "+79031234567"); h.Status != "dead" || h.DeadReason != "validation: not exists" {
		t.Errorf("after dead import: %s %s", h.Status, h.DeadReason)
	}
	if h := historyOf(t, db, "+74951234567"); h.Status != "active" {
		t.Errorf("an active verdict changed the number: %s", h.Status)
	}
}

func TestConsent(t *testing.T) {
	db := tempDB(t)
	mustRun(t, db, "--now", "2026-11-01", "consent", "grant", "+79161234567", "--scope", "ads", "--source", "web form", "--evidence", "form #5521")
	mustRun(t, db, "--now", "2026-11-20", "consent", "withdraw", "+79161234567", "--scope", "ads", "--source", "call")
	mustRun(t, db, "--now", "2026-11-02", "consent", "grant", "+79161234567", "--scope", "pd", "--expires", "2026-11-10")
	h := decode[historyJSON](t, mustRun(t, db, "--json", "--now", "2026-11-15", "history", "+79161234567").stdout)
	if h.InForce["ads"] != "granted" || h.InForce["pd"] != "expired" || len(h.Consents) != 3 || h.Consents[0].Evidence != "form #5521" {
		t.Errorf("on 15.11: in force %v, consents %+v", h.InForce, h.Consents)
	}
	h = decode[historyJSON](t, mustRun(t, db, "--json", "--now", "2026-11-21", "history", "+79161234567").stdout)
	if h.InForce["ads"] != "withdrawn" {
		t.Errorf("on 21.11: ads %q, want withdrawn (the latest event wins)", h.InForce["ads"])
	}
	for _, args := range [][]string{
		{"consent", "grant", "+79161234567"},
		{"consent", "grant", "+79161234567", "--scope", "sms"},
		{"consent", "withdraw", "+79161234567", "--scope", "ads", "--expires", "2027-01-01"},
	} {
		if r := runCLI(t, db, args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
	path := writeFile(t, "consents.csv", "Телефон;Дата;Тип;Согласие;Основание\n+79031234567;01.11.2026 10:00;ads;да;анкета 7\n+79031234567;05.11.2026;ads;отозвано;звонок\n+79031234567;05.11.2026;sms;да;\n")
	r := mustRun(t, db, "--json", "consent", "import", path)
	if !strings.Contains(r.stdout, `"changed": 2`) || !strings.Contains(r.stdout, `"unknown_scope": 1`) {
		t.Errorf("consent import: %s", r.stdout)
	}
	if r := mustRun(t, db, "--json", "consent", "import", path); !strings.Contains(r.stdout, `"changed": 0`) {
		t.Errorf("consent import again: %s", r.stdout)
	}
}

// TestForget: after forget, neither the number in any common form nor the
// person's name, note or consent evidence is in the bytes of the database
// file or its WAL; a base bringing the number back is suppressed.
func TestForget(t *testing.T) {
	db := tempDB(t)
	base := writeFile(t, "base.csv", "ФИО;Телефон;Email\nЗабытова Анна Сергеевна;+7 916 765-43-21;zabytova@example.ru\nИванов Иван;8 903 123 45 67;\n")
	mustRun(t, db, "import", base, "--base", "a")
	mustRun(t, db, "calls", "add", "+79167654321", "--outcome", "callback", "--callback", "2026-11-28 16:00", "--note", "Анна просила в пятницу")
	mustRun(t, db, "consent", "grant", "+79167654321", "--scope", "ads", "--evidence", "анкета Забытовой")
	mustRun(t, db, "optout", "add", "+79167654321")
	// The search below can fail: before forget, the bytes hold the name.
	if !bytes.Contains(fileBytes(t, db), []byte("Забытова")) || !bytes.Contains(fileBytes(t, db), []byte("анкета Забытовой")) {
		t.Fatal("the database's bytes do not hold the name even before forget")
	}
	r := mustRun(t, db, "--json", "forget", "8 (916) 765-43-21")
	if !strings.Contains(r.stdout, `"rows": 1`) || !strings.Contains(r.stdout, `"calls": 1`) {
		t.Errorf("forget: %s", r.stdout)
	}
	files, _ := filepath.Glob(db + "*")
	for _, f := range files {
		if strings.HasSuffix(f, ".forget-key") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"79167654321", "9167654321", "89167654321", "916 765-43-21", "765-43-21", "7654321",
			"Забытова", "zabytova", "просила в пятницу", "анкета Забытовой"} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s still holds %q", filepath.Base(f), s)
			}
		}
		// Nor as SQLite stores the integer key: 8 or 6 bytes big-endian.
		be := binary.BigEndian.AppendUint64(nil, 79167654321)
		if bytes.Contains(data, be) || bytes.Contains(data, be[2:]) {
			t.Errorf("%s still holds the number as an integer key", filepath.Base(f))
		}
	}
	// The other person is kept.
	if h := historyOf(t, db, "+79031234567"); len(h.Bases) != 1 || h.Bases[0].Fields["ФИО"] != "Иванов Иван" {
		t.Errorf("the other row: %+v", h.Bases)
	}
	if r := mustRun(t, db, "history", "+79167654321"); !strings.Contains(r.stdout, "was forgotten") {
		t.Errorf("history of a forgotten number: %s", r.stdout)
	}
	// The same base imported into another base: the row is left out, counted.
	if r := mustRun(t, db, "--json", "import", base, "--base", "c"); !strings.Contains(r.stdout, `"suppressed": 1`) {
		t.Errorf("re-import of the base after forget: %s", r.stdout)
	}
	// Calls, consent, opt-outs and marks of the number store nothing again.
	log := writeFile(t, "log.csv", "Телефон;Время;Результат;Комментарий\n+79167654321;28.11.2026 10:00;Перезвонить;Анна Забытова просит позвонить\n")
	if r := mustRun(t, db, "--json", "calls", "import", log); !strings.Contains(r.stdout, `"forgotten": 1`) || !strings.Contains(r.stdout, `"added": 0`) {
		t.Errorf("calls import of a forgotten number: %s", r.stdout)
	}
	for _, args := range [][]string{
		{"consent", "grant", "+79167654321", "--scope", "ads", "--evidence", "паспорт Забытовой"},
		{"optout", "add", "+79167654321"},
		{"dead", "mark", "+79167654321", "--reason", "x"},
	} {
		if r := mustRun(t, db, append([]string{"--json"}, args...)...); !strings.Contains(r.stdout, `"forgotten": 1`) {
			t.Errorf("%v: %s", args, r.stdout)
		}
	}
	if r := runCLI(t, db, "calls", "add", "+79167654321", "--outcome", "answered"); r.code != 1 || !strings.Contains(r.stderr, "forgotten") {
		t.Errorf("calls add of a forgotten number: exit %d, %s", r.code, r.stderr)
	}
	if d := dump(t, db); strings.Contains(d, "Забытов") || strings.Contains(d, "79167654321") {
		t.Error("something of the forgotten person was stored again")
	}
	// The secret is in its own private file, not in the database.
	key := db + ".forget-key"
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v", fi, err)
	}
	secret, _ := os.ReadFile(key)
	dbBytes, _ := os.ReadFile(db)
	if len(secret) < 64 || bytes.Contains(dbBytes, bytes.TrimSpace(secret)) {
		t.Error("the forget key is missing or also in the database")
	}
	// A base bringing the number back: its row is left out, counted.
	again := writeFile(t, "again.csv", "Имя;Телефон\nАнна;89167654321\nПётр;89261112233\n")
	r = mustRun(t, db, "--json", "import", again, "--base", "b")
	if !strings.Contains(r.stdout, `"suppressed": 1`) {
		t.Errorf("import after forget: %s", r.stdout)
	}
	if strings.Contains(dump(t, db), "Анна") || strings.Contains(dump(t, db), "Забытова") {
		t.Error("the forgotten person's row was stored again")
	}
}

// fileBytes returns the bytes of the database and the files beside it
// (WAL, shared memory).
func fileBytes(t *testing.T, db string) []byte {
	t.Helper()
	files, _ := filepath.Glob(db + "*")
	var all []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, data...)
	}
	return all
}

// TestForgetKeyMissing: without its key file, a database with forgotten
// numbers refuses to import rather than take them for new ones.
func TestForgetKeyMissing(t *testing.T) {
	db := initDB(t)
	mustRun(t, db, "forget", "+79167654321")
	if err := os.Remove(db + ".forget-key"); err != nil {
		t.Fatal(err)
	}
	base := writeFile(t, "base.csv", "Имя;Телефон\nАнна;89167654321\n")
	before := dump(t, db)
	r := runCLI(t, db, "import", base, "--base", "a")
	if r.code != 1 || !strings.Contains(r.stderr, "forget key") || !strings.Contains(r.stderr, "missing") {
		t.Errorf("exit %d, %s", r.code, r.stderr)
	}
	if dump(t, db) != before {
		t.Error("the refused import changed the database")
	}
}
