package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Reading numbers a key at a time costs modernc about 10 µs each, most of
// it in random B-tree seeks whose pages the 16 MiB cache does not keep.
// The bulk readers here hand SQLite many keys at once, sorted, as one JSON
// array through json_each: one statement, seeks in key order (each leaf
// page read once), nothing bound per key.

// keysJSON writes sorted keys as a JSON array.
func keysJSON(keys []uint64) string {
	return string(appendJSONInts(make([]byte, 0, len(keys)*12+2), keys))
}

// blockLink is a number of a row block: the row it is in, and its key.
type blockLink struct {
	row int64
	key uint64
}

// blockLinks appends the links of block id to dst, by row then key,
// without decoding the rows' fields (which the walk does not need).
func blockLinks(dst []blockLink, id int64, data []byte) ([]blockLink, error) {
	d := decoder{data: data}
	n := d.count()
	for range n {
		d.uvarint() // line
		for range d.count() {
			d.skipString()
		}
	}
	start := len(dst)
	for range d.count() {
		i := d.uvarint()
		key := d.uvarint()
		d.uvarint() // column
		d.skipString()
		if i >= uint64(n) {
			d.err = errBadBlock
			break
		}
		dst = append(dst, blockLink{rowID(id, int(i)), key})
	}
	if d.err == nil && len(d.data) > 0 {
		d.err = errBadBlock
	}
	if d.err != nil {
		return dst[:start], fmt.Errorf("row block %d: %w", id, d.err)
	}
	// The numbers of one row go in key order, as the list orders them.
	slices.SortFunc(dst[start:], func(a, b blockLink) int {
		if c := cmp.Compare(a.row, b.row); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	return dst, nil
}

func (d *decoder) skipString() {
	n := d.uvarint()
	if d.err != nil {
		return
	}
	if n > uint64(len(d.data)) {
		d.err = errBadBlock
		return
	}
	d.data = d.data[n:]
}

// untouchedFacts reads the untouched numbers among keys (sorted,
// distinct) that a list may take at all: what the rules and the list need
// of an active number nothing happened to that did not opt out, in no
// particular order. Dead and opted-out numbers no list ever takes
// (policy's status and opt_out rules), so they are left out in SQLite and
// their reasons not read; its temperature is cold, it has no callback and
// no call, so those columns are not read either. It does not read the
// base's links (base_links), which would add seeks: the caller found the
// keys as links of the base's row blocks, and a base holds exactly the
// numbers its blocks link (forget drops both), the first link of a
// number being its first row.
//
// When the marked numbers are known (see readMarked), the others are
// read without joining number_marks, which took a third of a lookup's time.
func untouchedFacts(ctx context.Context, db querier, cs *candidateScan, keys []uint64, fn func(*Candidate) error) error {
	// CROSS JOIN keeps SQLite walking the keys in their (sorted) order.
	// Read from the tables, not the view numbers: the kind as its id,
	// and a number without marks (nearly all) has the defaults. The
	// numbers found come as one string, "key kind place detached_at" each,
	// comma-separated: modernc hands over each value at a cost above
	// SQLite's seek (an export of 100,000 from big.db: 0.9 s of CPU
	// looking up as four values a number, 0.66 s as one string).
	const (
		found  = `SELECT group_concat(k.num || ' ' || k.kind || ' ' || k.place_id || ' ' || `
		joined = found + `coalesce(n.detached_at, ''), ',')
			FROM json_each(?1) j CROSS JOIN number_keys k ON k.num = j.value LEFT JOIN number_marks n ON n.num = k.num
			WHERE n.num IS NULL OR (n.status = 'active' AND n.opted_out_at = '' AND NOT ` + touched + `)`
		unmarked = found + `'', ',') FROM json_each(?1) j CROSS JOIN number_keys k ON k.num = j.value`
	)
	if !cs.marksKnown {
		return readFound(ctx, db, cs, joined, keys, fn)
	}
	var plain, marked []uint64
	for _, k := range keys {
		if _, ok := slices.BinarySearch(cs.marked, k); ok {
			marked = append(marked, k)
		} else {
			plain = append(plain, k)
		}
	}
	if err := readFound(ctx, db, cs, unmarked, plain, fn); err != nil {
		return err
	}
	return readFound(ctx, db, cs, joined, marked, fn)
}

// readFound runs one of untouchedFacts' queries on keys and hands fn the
// candidates it finds.
func readFound(ctx context.Context, db querier, cs *candidateScan, q string, keys []uint64, fn func(*Candidate) error) error {
	if len(keys) == 0 {
		return nil
	}
	var found sql.RawBytes
	return query(ctx, db, q, []any{keysJSON(keys)}, func(r *sql.Rows) error {
		if err := r.Scan(&found); err != nil {
			return err
		}
		for len(found) > 0 {
			var one []byte
			one, found, _ = bytes.Cut(found, []byte{','})
			f, err := parseFound(one)
			if err != nil {
				return fmt.Errorf("looking up numbers: %w", err)
			}
			k, ok := cs.kindNames[f.kind]
			if !ok {
				return fmt.Errorf("number %d: no kind %d", f.key, f.kind)
			}
			c := &Candidate{Key: f.key}
			c.Type, c.Country = k[0], k[1]
			cs.fillPlace(c, f.place)
			c.State = State{Status: "active", Temperature: "cold", DetachedAt: parseTime(f.detached)}
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	})
}

// marksPerLookup: readMarked reads the marks when there are at most this
// many a lookup. A variable for tests, which set -1 to join the marks.
var marksPerLookup = 4

// readMarked reads the keys of every marked number into f, once, when
// there are few enough that reading them costs less than joining the
// marks to each of about lookups numbers (a list's bases ask in turn): some 0.3 µs a mark against
// 1.7 µs a lookup (100,000 lookups of big.db: 0.55 s joined, 0.38 s not;
// its 107,000 marks read in 0.03 s).
func (t *Tx) readMarked(ctx context.Context, f *Facts, lookups int) error {
	if f.marksKnown {
		return nil
	}
	if !f.marksCounted {
		if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM number_marks`).Scan(&f.marks); err != nil {
			return err
		}
		f.marksCounted = true
	}
	n := f.marks
	if n > marksPerLookup*lookups {
		return nil
	}
	var all sql.RawBytes
	err := query(ctx, t.tx, `SELECT json_group_array(num) FROM number_marks`, nil, func(r *sql.Rows) error {
		return r.Scan(&all)
	})
	if err != nil {
		return err
	}
	marked, err := parseJSONUints(string(all), make([]uint64, 0, n))
	if err != nil {
		return fmt.Errorf("number marks: %w", err)
	}
	slices.Sort(marked)
	f.marked, f.marksKnown = marked, true
	return nil
}

// foundNumber is a number untouchedFacts found.
type foundNumber struct {
	key         uint64
	kind, place int64
	detached    string
}

// parseFound reads "key kind place detached_at" (the last may be empty).
func parseFound(b []byte) (foundNumber, error) {
	var f foundNumber
	fields := [4][]byte{}
	rest := b
	for i := range 3 {
		var ok bool
		if fields[i], rest, ok = bytes.Cut(rest, []byte{' '}); !ok {
			return f, fmt.Errorf("bad lookup result %q", b)
		}
	}
	fields[3] = rest
	key, err1 := strconv.ParseUint(string(fields[0]), 10, 64)
	kind, err2 := strconv.ParseInt(string(fields[1]), 10, 64)
	place, err3 := strconv.ParseInt(string(fields[2]), 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return f, fmt.Errorf("bad lookup result %q: %w", b, err)
	}
	return foundNumber{key, kind, place, string(fields[3])}, nil
}

// ReadAside lets the lookups of untouched numbers run on two read-only
// connections beside t (see UntouchedCandidates), which must be a write
// transaction (Begin) that has written nothing yet, and must write nothing
// until the lookups are done: the readers must see what t sees. They do:
// t took the write lock when it began (IMMEDIATE), so no other connection
// can commit while t is open, and the readers' snapshots, taken here after
// t began, are the newest commit, the one t reads. A write of t's own
// would be the one thing the readers do not see. Call done when the
// lookups are over: it fails when t wrote meanwhile, so that a caller
// that did drops what the readers found.
//
// Where that cannot be vouched for (a read-only t, whose snapshot another
// process may have moved past; a t that has written) or the connections
// cannot be had, the lookups stay on t: slower, never wrong.
func (t *Tx) ReadAside(ctx context.Context, f *Facts) (done func() error, err error) {
	none := func() error { return nil }
	if !t.write || runtime.GOMAXPROCS(0) < 2 {
		return none, nil
	}
	var changes int64
	if err := t.tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&changes); err != nil {
		return nil, err
	}
	if changes != t.changesAtBegin {
		return none, nil
	}
	var asides []*sql.Tx
	rollback := func() {
		for _, a := range asides {
			a.Rollback()
		}
	}
	// Two: the walk of the blocks keeps t busy meanwhile.
	// Begun without ctx's cancel, which would roll a reader back behind
	// done's back and put its connection in the pool still mapping the
	// file; done ends them, whatever happened meanwhile.
	for range 2 {
		a, err := t.store.db.BeginTx(context.WithoutCancel(ctx), &sql.TxOptions{ReadOnly: true})
		if err != nil {
			rollback()
			return none, nil
		}
		asides = append(asides, a)
		// A read transaction takes its snapshot at its first read: now.
		var n int
		if err := a.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
			rollback()
			return none, nil
		}
	}
	// The lookups' B-tree pages, read through a mapping of the file instead
	// of read(2) into the page cache: a list of 100,000 reads some 50,000
	// pages it never reads again (0.2-0.3 s of system time on big.db; the
	// mapped pages count in the RSS, as file pages). Only while the
	// lookups last: t writes after them, and the readers go back to the
	// pool.
	mmapped := mmap(ctx, t.tx, mmapSize)
	for _, a := range asides {
		mmap(ctx, a, mmapSize)
	}
	f.asides = asides
	return func() error {
		ctx := context.WithoutCancel(ctx)
		f.asides = nil
		for _, a := range asides {
			mmap(ctx, a, 0)
		}
		rollback()
		if mmapped {
			mmap(ctx, t.tx, 0)
		}
		var now int64
		if err := t.tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&now); err != nil {
			return err
		}
		if now != changes {
			return errors.New("the transaction wrote while numbers were looked up beside it")
		}
		return nil
	}, nil
}

// mmapSize is as much of the file as SQLite maps (SQLITE_MAX_MMAP_SIZE).
const mmapSize = 0x7fff0000

// mmap sets how much of the database file db's connection reads through a
// mapping; false when it could not.
func mmap(ctx context.Context, db *sql.Tx, size int64) bool {
	var got int64
	return db.QueryRowContext(ctx, `PRAGMA mmap_size = `+strconv.FormatInt(size, 10)).Scan(&got) == nil
}

// untouched runs q, which selects a number's key, type, country, place,
// status, dead reason, opt-out and detachment times and its first row in
// the base, and calls fn for each.
func (cs *candidateScan) untouched(ctx context.Context, db querier, q string, args []any, fn func(*Candidate) error) error {
	var typ, country, status, reason, oo, de sql.RawBytes
	var place int64
	return query(ctx, db, q, args, func(r *sql.Rows) error {
		c := &Candidate{}
		if err := r.Scan(&c.Key, &typ, &country, &place, &status, &reason, &oo, &de, &c.FirstRow); err != nil {
			return err
		}
		cs.fill(c, typ, country, place)
		c.State = State{Status: intern(string(status)), Temperature: "cold", OptedOutAt: parseTime(string(oo)), DetachedAt: parseTime(string(de))}
		if len(reason) > 0 {
			c.State.DeadReason = string(reason)
		}
		return fn(c)
	})
}

// fill sets what c takes from the facts read first: its kind, place,
// lease and consents.
func (cs *candidateScan) fill(c *Candidate, typ, country []byte, place int64) {
	c.Type, c.Country = cs.kind(typ, country)
	cs.fillPlace(c, place)
}

// fillPlace sets c's place, lease and consents.
func (cs *candidateScan) fillPlace(c *Candidate, place int64) {
	p := cs.places[place]
	c.Operator, c.Region, c.Zones, c.ZoneList = p.operator, p.region, p.zones, cs.zoneList(p.zones)
	if l, ok := cs.leases[c.Key]; ok {
		c.LeaseUntil, c.LeaseBase = l.until, l.base
	}
	c.Consent = cs.consents[c.Key]
}

// kind returns the shared strings of a type and country read raw.
func (f *Facts) kind(typ, country []byte) (string, string) {
	// m[string(b)] converts without a copy; a composite key would copy.
	byCountry := f.kindsOf[string(typ)]
	if byCountry == nil {
		byCountry = map[string][2]string{}
		f.kindsOf[string(typ)] = byCountry
	}
	k, ok := byCountry[string(country)]
	if !ok {
		k = [2]string{string(typ), string(country)}
		byCountry[k[1]] = k
	}
	return k[0], k[1]
}

// zoneList splits zones once per distinct value.
func (f *Facts) zoneList(zones string) []string {
	if zones == "" {
		return nil
	}
	z, ok := f.zones[zones]
	if !ok {
		z = strings.Split(zones, ",")
		f.zones[zones] = z
	}
	return z
}
