package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Candidate is a number of a base with everything the calling rules ask.
type Candidate struct {
	Key                     uint64
	Type, Country           string
	Operator, Region, Zones string
	ZoneList                []string // Zones split, shared by the candidates of a scan: do not change
	State                   State
	LastCallAt              time.Time
	LastOutcome             string
	LastCallBase            int64
	Attempts                int // calls since the base's cycle started
	LeaseUntil              time.Time
	LeaseBase               string
	Consent                 map[string]Consent // scope -> the event in force at now
	FirstRow                int64              // the row of the base it was first found in
	block                   *rowBlock          // FirstRow's block, when a walk read it (see ListRows)
}

// Candidates calls fn for every number of base b (or only for key, when
// not 0) with the facts as of now. The candidate passed to fn is fn's to
// keep.
func (t *Tx) Candidates(ctx context.Context, b BaseInfo, now time.Time, key uint64, fn func(*Candidate) error) error {
	cs, err := t.newCandidateScan(ctx, b, now, key)
	if err != nil {
		return err
	}
	if key != 0 {
		return t.candidatesAmong(ctx, cs, b, []uint64{key}, fn)
	}
	q := candidateColumns + `, json_extract(bl.rows, '$[' || j.key || ']') FROM base_links bl
		CROSS JOIN json_each(bl.nums) j CROSS JOIN numbers n ON n.num = j.value WHERE bl.base_id = ?1`
	return query(ctx, t.tx, q, []any{b.ID, cs.start}, func(r *sql.Rows) error {
		c, err := cs.scan(r)
		if err != nil {
			return err
		}
		return fn(c)
	})
}

// candidatesAmong calls fn for the numbers of keys (sorted) that base b
// holds, in key order.
func (t *Tx) candidatesAmong(ctx context.Context, cs *candidateScan, b BaseInfo, keys []uint64, fn func(*Candidate) error) error {
	keys, rows, err := t.held(ctx, b.ID, keys)
	if err != nil || len(keys) == 0 {
		return err
	}
	// CROSS JOIN keeps SQLite walking the keys in their order.
	q := candidateColumns + `, j.key FROM json_each(?1) j CROSS JOIN numbers n ON n.num = j.value`
	fn = withFirstRows(rows, fn)
	return query(ctx, t.tx, q, []any{keysJSON(keys), cs.start}, func(r *sql.Rows) error {
		c, err := cs.scan(r)
		if err != nil {
			return err
		}
		return fn(c)
	})
}

// held returns the numbers among keys (sorted) that base holds, with
// their first rows there.
func (t *Tx) held(ctx context.Context, base int64, keys []uint64) (held []uint64, rows []int64, err error) {
	if len(keys) == 0 {
		return nil, nil, nil
	}
	f, err := newLinkFinder(ctx, t.tx, base)
	if err != nil {
		return nil, nil, err
	}
	defer f.close()
	for _, k := range keys {
		row, ok, err := f.find(k)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			held, rows = append(held, k), append(rows, row)
		}
	}
	return held, rows, nil
}

// withFirstRows wraps fn for candidates read with the index of their key
// among those held (see held) in place of their first row: it puts the
// row there.
func withFirstRows(rows []int64, fn func(*Candidate) error) func(*Candidate) error {
	return func(c *Candidate) error {
		if c.FirstRow < 0 || c.FirstRow >= int64(len(rows)) {
			return fmt.Errorf("number %d: no first row", c.Key)
		}
		c.FirstRow = rows[c.FirstRow]
		return fn(c)
	}
}

// Touched is the condition of the number_marks_touched index: numbers
// called, warmed or promised a callback.
const touched = `(n.last_call_at != '' OR n.temperature != 'cold' OR n.callback_at != '')`

// TouchedCandidates calls fn for every number of base b anything happened
// to (see number_marks_touched), through that index.
func (t *Tx) TouchedCandidates(ctx context.Context, f *Facts, b BaseInfo, fn func(*Candidate) error) error {
	cs := &candidateScan{start: formatTime(b.CycleStartedAt), Facts: f}
	var keys []uint64
	err := query(ctx, t.tx, `SELECT n.num FROM number_marks n INDEXED BY number_marks_touched WHERE `+touched, nil, func(r *sql.Rows) error {
		var k int64
		err := r.Scan(&k)
		keys = append(keys, uint64(k))
		return err
	})
	if err != nil {
		return err
	}
	return t.candidatesAmong(ctx, cs, b, keys, fn)
}

// UntouchedCandidates calls fn for the numbers of base b nothing happened
// to, but for the dead and opted out (see untouchedFacts), in import
// order (the order of their first rows), until fn says stop. They are
// read from the base's row blocks (their links only) and looked up in
// parts of import order, each sorted by key and read with one statement
// (see untouchedFacts). With readers aside (see ReadAside) the three
// overlap: this goroutine walks the blocks, the readers look the parts up,
// and fn is called on another goroutine, one number at a time, as parts
// come back in order. want, when not 0, is how many fn may take at most:
// a little more than that are looked up first, then more, growing, until
// fn says stop; without want, all.
func (t *Tx) UntouchedCandidates(ctx context.Context, f *Facts, b BaseInfo, want int, fn func(*Candidate) (more bool, err error)) error {
	cs := &candidateScan{start: formatTime(b.CycleStartedAt), Facts: f}
	type blockID struct{ id, imp int64 }
	var ids []blockID
	err := query(ctx, t.tx, `SELECT rb.id, rb.import_id FROM row_blocks rb JOIN imports i ON i.id = rb.import_id
		WHERE i.base_id = ? ORDER BY rb.id`, []any{b.ID}, func(r *sql.Rows) error {
		var id blockID
		err := r.Scan(&id.id, &id.imp)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return err
	}
	// About how many numbers are looked up: a round (see below), or the
	// whole base.
	lookups := want + want/16 + 64
	if want == 0 {
		if err := t.tx.QueryRowContext(ctx, `SELECT `+linkCount, b.ID).Scan(&lookups); err != nil {
			return err
		}
	}
	if err := t.readMarked(ctx, f, lookups); err != nil {
		return err
	}
	lk := newLookups(ctx, t, cs, fn)
	defer lk.close()
	// With want, the walk waits for fn to judge a round of a little more
	// than want (a few of the numbers walked are dead or opted out), often
	// all it takes, before it walks on; without, it walks every block.
	round := want + want/16 + 64
	seen := map[uint64]struct{}{}
	var (
		links  []blockLink
		part   []walkedLink // numbers not yet looked up, in import order
		walked int          // numbers sent to be looked up this round
		kept   int          // blocks kept for the list's rows
	)
	for _, id := range ids {
		if lk.stopped() {
			break
		}
		blk := &rowBlock{id: id.id, imp: id.imp}
		// A failed walk stops the lookups it sent: close waits for them.
		if err := t.prepared().QueryRowContext(ctx, `SELECT data, tbl FROM row_blocks WHERE id = ?`, id.id).Scan(&blk.data, &blk.tbl); err != nil {
			lk.fail(err)
			return err
		}
		if links, err = blockLinks(links[:0], id.id, blk.data); err != nil {
			lk.fail(err)
			return err
		}
		keptThis := false
		for _, l := range links {
			if _, leased := cs.leases[l.key]; leased {
				continue // on a live list: no list takes it
			}
			if _, ok := seen[l.key]; ok {
				continue
			}
			seen[l.key] = struct{}{}
			// The block is kept for the list's rows (see ListRows), up
			// to keptBlocks of them: a sparse selection would otherwise
			// keep a block for nearly every number it lists.
			wl := walkedLink{blockLink: l}
			if kept < keptBlocks {
				wl.block, keptThis = blk, true
			}
			part = append(part, wl)
		}
		if keptThis {
			kept++
		}
		if len(part) >= partSize || (want > 0 && walked+len(part) >= round) {
			walked += len(part)
			lk.send(part)
			part = nil
		}
		if want > 0 && walked >= round {
			// Until fn has judged them: it may want no more.
			lk.wait()
			walked, round = 0, min(2*round, max(round, 1<<16))
		}
	}
	if len(part) > 0 && !lk.stopped() {
		lk.send(part)
	}
	return lk.close()
}

// candidateColumns are what a candidate is read from, but for its first
// row, which follows; ?2 is the start of the base's cycle.
const candidateColumns = `SELECT n.num, n.type, n.country, n.place_id, n.status, n.dead_reason, n.temperature,
		n.callback_at, n.opted_out_at, n.detached_at, n.last_call_at, n.last_outcome, n.last_call_base,
		CASE WHEN n.last_call_at >= ?2 THEN (SELECT count(*) FROM calls c WHERE c.num = n.num AND c.at >= ?2) ELSE 0 END`

// candidateScan turns rows of candidateColumns into candidates, with the
// places, live consents and leases read into maps first: few numbers have
// consents or leases, and joining them per number costs SQLite more.
type candidateScan struct {
	start string // the base's cycle start
	*Facts
}

// Facts are what candidates take from the small tables, as of an
// instant: places, the consents in force and the live leases. A list
// reads them once for all its bases.
type Facts struct {
	places    map[int64]placeKey
	kindNames map[int64][2]string // kinds by id: type, country
	consents  map[uint64]map[string]Consent
	leases    map[uint64]liveLease
	kinds     map[[2]string][2]string
	kindsOf   map[string]map[string][2]string // type -> country -> both, shared
	zones     map[string][]string             // zones -> split, shared
	special   []uint64                        // see specialKeys; nil until read
	// marked are the keys of number_marks, sorted, when marksKnown; marks
	// is how many, once marksCounted (see readMarked).
	marked                   []uint64
	marks                    int
	marksCounted, marksKnown bool
	asides                   []*sql.Tx // see ReadAside; none: lookups on t, in turn with the walk
}

// Facts reads the places, consents in force and leases live at now.
func (t *Tx) Facts(ctx context.Context, now time.Time) (*Facts, error) { return t.facts(ctx, now, 0) }

// facts reads Facts, only of key when not 0.
func (t *Tx) facts(ctx context.Context, now time.Time, key uint64) (*Facts, error) {
	f := &Facts{kinds: map[[2]string][2]string{}, kindsOf: map[string]map[string][2]string{}, zones: map[string][]string{}}
	var err error
	if f.places, err = placeNames(ctx, t.tx); err != nil {
		return nil, err
	}
	if f.kindNames, err = kindNames(ctx, t.tx); err != nil {
		return nil, err
	}
	if f.consents, err = t.consentsInForce(ctx, now, key); err != nil {
		return nil, err
	}
	if f.leases, err = t.liveLeases(ctx, now, key); err != nil {
		return nil, err
	}
	return f, nil
}

func (t *Tx) newCandidateScan(ctx context.Context, b BaseInfo, now time.Time, key uint64) (*candidateScan, error) {
	f, err := t.facts(ctx, now, key)
	if err != nil {
		return nil, err
	}
	return &candidateScan{start: formatTime(b.CycleStartedAt), Facts: f}, nil
}

func (cs *candidateScan) scan(r *sql.Rows) (*Candidate, error) {
	var (
		typ, country, cb, oo, de, last, status, out, reason, temp string
		place                                                     int64
	)
	c := &Candidate{}
	err := r.Scan(&c.Key, &typ, &country, &place, &status, &reason, &temp,
		&cb, &oo, &de, &last, &out, &c.LastCallBase, &c.Attempts, &c.FirstRow)
	if err != nil {
		return nil, err
	}
	// Share the strings many numbers hold alike.
	k := cs.kinds[[2]string{typ, country}]
	if k[0] == "" {
		k = [2]string{typ, country}
		cs.kinds[k] = k
	}
	c.Type, c.Country = k[0], k[1]
	p := cs.places[place]
	c.Operator, c.Region, c.Zones, c.ZoneList = p.operator, p.region, p.zones, cs.zoneList(p.zones)
	c.State = State{Status: intern(status), DeadReason: reason, Temperature: intern(temp),
		CallbackAt: parseTime(cb), OptedOutAt: parseTime(oo), DetachedAt: parseTime(de)}
	c.LastCallAt, c.LastOutcome = parseTime(last), intern(out)
	if l, ok := cs.leases[c.Key]; ok {
		c.LeaseUntil, c.LeaseBase = l.until, l.base
	}
	c.Consent = cs.consents[c.Key]
	return c, nil
}

// intern returns the common words of numbers' columns without a copy.
func intern(s string) string {
	for _, w := range [...]string{"", "active", "dead", "cold", "warm", "hot", "customer",
		"answered", "interested", "callback", "sale", "refused", "do_not_call", "no_answer", "busy",
		"voicemail", "wrong_number", "not_in_service"} {
		if s == w {
			return w
		}
	}
	return s
}

// kindNames reads the kinds table: type and country by id.
func kindNames(ctx context.Context, q querier) (map[int64][2]string, error) {
	m := map[int64][2]string{}
	err := query(ctx, q, `SELECT id, type, country FROM kinds`, nil, func(r *sql.Rows) error {
		var (
			id int64
			k  [2]string
		)
		err := r.Scan(&id, &k[0], &k[1])
		m[id] = k
		return err
	})
	return m, err
}

// placeNames reads the places table.
func placeNames(ctx context.Context, q querier) (map[int64]placeKey, error) {
	m := map[int64]placeKey{}
	err := query(ctx, q, `SELECT id, operator, region, zones FROM places`, nil, func(r *sql.Rows) error {
		var (
			id int64
			p  placeKey
		)
		err := r.Scan(&id, &p.operator, &p.region, &p.zones)
		m[id] = p
		return err
	})
	return m, err
}

// consentsInForce reads, per number (or for key only), the consent event
// in force at now for each scope: the latest at or before now, a
// withdrawal winning a tie; an expired grant is not in force.
func (t *Tx) consentsInForce(ctx context.Context, now time.Time, key uint64) (map[uint64]map[string]Consent, error) {
	m := map[uint64]map[string]Consent{}
	q := `SELECT num, scope, granted, at, expires_at FROM consents WHERE at <= ?1`
	args := []any{formatTime(now)}
	if key != 0 {
		q += ` AND num = ?2`
		args = append(args, int64(key))
	}
	err := query(ctx, t.tx, q+` ORDER BY num, scope, at, granted DESC`, args, func(r *sql.Rows) error {
		var (
			num         int64
			c           Consent
			at, expires string
		)
		if err := r.Scan(&num, &c.Scope, &c.Granted, &at, &expires); err != nil {
			return err
		}
		c.At, c.ExpiresAt = parseTime(at), parseTime(expires)
		if m[uint64(num)] == nil {
			m[uint64(num)] = map[string]Consent{}
		}
		m[uint64(num)][c.Scope] = c // in time order: the last one read wins
		return nil
	})
	for num, scopes := range m {
		for scope, c := range scopes {
			if c.Granted && !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt) {
				delete(scopes, scope)
			}
		}
		if len(scopes) == 0 {
			delete(m, num)
		}
	}
	return m, err
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
