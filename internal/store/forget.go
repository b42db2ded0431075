package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// secretKey is the setting holding the database's secret for the keyed
// hashes of forgotten numbers. It never leaves the database.
const secretKey = "forget.secret"

// Suppressor recognises forgotten numbers by their keyed hash.
type Suppressor struct {
	secret []byte
	hashes map[[sha256.Size]byte]struct{}
}

// Suppressed reports whether the number was forgotten.
func (s *Suppressor) Suppressed(key uint64) bool {
	if s == nil || len(s.hashes) == 0 {
		return false
	}
	_, ok := s.hashes[forgetHash(s.secret, key)]
	return ok
}

// Suppressor loads the hashes of the forgotten numbers.
func (t *Tx) Suppressor(ctx context.Context) (*Suppressor, error) {
	s := &Suppressor{hashes: map[[sha256.Size]byte]struct{}{}}
	err := query(ctx, t.tx, `SELECT hash FROM forgotten`, nil, func(r *sql.Rows) error {
		var h []byte
		if err := r.Scan(&h); err != nil {
			return err
		}
		s.hashes[[sha256.Size]byte(h)] = struct{}{}
		return nil
	})
	if err != nil || len(s.hashes) == 0 {
		return s, err
	}
	s.secret, err = t.secret(ctx)
	return s, err
}

// secret returns the database's secret, making one the first time.
func (t *Tx) secret(ctx context.Context) ([]byte, error) {
	v, ok, err := t.Setting(ctx, secretKey)
	if err != nil {
		return nil, err
	}
	if ok {
		return hex.DecodeString(v)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	return secret, t.SetSetting(ctx, secretKey, hex.EncodeToString(secret))
}

func forgetHash(secret []byte, key uint64) [sha256.Size]byte {
	m := hmac.New(sha256.New, secret)
	m.Write(strconv.AppendUint(nil, key, 10))
	return [sha256.Size]byte(m.Sum(nil))
}

// Forgotten is what forgetting one number removed.
type Forgotten struct {
	Known bool `json:"known"` // the database held the number
	Rows  int  `json:"rows"`  // rows whose fields were erased
	Calls int  `json:"calls"`
}

// Forget erases the number and the personal data around it: the fields of
// every row it was found in, its calls, consent records and events, its
// links to bases. Only its keyed hash stays, so a base that brings it back
// is recognised. The database runs with secure_delete, so erased bytes are
// overwritten, not just unlinked; Store.Checkpoint then empties the WAL.
func (t *Tx) Forget(ctx context.Context, key uint64, at time.Time) (Forgotten, error) {
	var f Forgotten
	secret, err := t.secret(ctx)
	if err != nil {
		return f, err
	}
	num := int64(key)
	var bases []int64
	err = query(ctx, t.tx, `SELECT b.id FROM bases b CROSS JOIN base_numbers bn ON bn.base_id = b.id AND bn.num = ?`,
		[]any{num}, func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			bases = append(bases, id)
			return err
		})
	if err != nil {
		return f, err
	}
	for _, base := range bases {
		n, err := t.eraseRows(ctx, base, key)
		if err != nil {
			return f, err
		}
		f.Rows += n
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM base_numbers WHERE base_id = ? AND num = ?`, base, num); err != nil {
			return f, err
		}
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM calls WHERE num = ?`, num)
	if err != nil {
		return f, err
	}
	calls, _ := res.RowsAffected()
	f.Calls = int(calls)
	for _, q := range []string{`DELETE FROM consents WHERE num = ?`, `DELETE FROM events WHERE num = ?`} {
		if _, err := t.tx.ExecContext(ctx, q, num); err != nil {
			return f, err
		}
	}
	res, err = t.tx.ExecContext(ctx, `DELETE FROM numbers WHERE num = ?`, num)
	if err != nil {
		return f, err
	}
	n, _ := res.RowsAffected()
	f.Known = n > 0 || len(bases) > 0
	h := forgetHash(secret, key)
	_, err = t.tx.ExecContext(ctx, `INSERT INTO forgotten (hash, at) VALUES (?, ?) ON CONFLICT DO NOTHING`, h[:], formatTime(at))
	return f, err
}

// eraseRows blanks the fields of the rows of the base's imports the
// number was found in, and drops its links there. Other numbers of those
// rows stay linked, to rows that no longer say whose they were.
func (t *Tx) eraseRows(ctx context.Context, base int64, key uint64) (int, error) {
	type block struct {
		id   int64
		data []byte
	}
	var blocks []block
	err := query(ctx, t.tx, `SELECT rb.id, rb.data FROM row_blocks rb JOIN imports i ON i.id = rb.import_id
		WHERE i.base_id = ? ORDER BY rb.id`, []any{base}, func(r *sql.Rows) error {
		var b block
		err := r.Scan(&b.id, &b.data)
		blocks = append(blocks, b)
		return err
	})
	if err != nil {
		return 0, err
	}
	erased := 0
	for _, b := range blocks {
		rows, err := decodeBlock(b.id, b.data)
		if err != nil {
			return erased, err
		}
		changed := false
		for i := range rows {
			links := rows[i].Links[:0]
			hit := false
			for _, l := range rows[i].Links {
				if l.Key == key {
					hit = true
					continue
				}
				links = append(links, l)
			}
			if !hit {
				continue
			}
			rows[i].Links = links
			rows[i].Fields = make([]string, len(rows[i].Fields))
			changed = true
			erased++
		}
		if !changed {
			continue
		}
		var bb blockBuilder
		for _, r := range rows {
			j := bb.addRow(r.Line, r.Fields)
			for _, l := range r.Links {
				bb.addLink(j, l)
			}
		}
		if _, err := t.tx.ExecContext(ctx, `UPDATE row_blocks SET data = ? WHERE id = ?`, bb.encode(), b.id); err != nil {
			return erased, fmt.Errorf("erase rows: %w", err)
		}
	}
	return erased, nil
}

// Checkpoint copies the WAL into the database file and empties it, so
// what was overwritten there leaves no copy behind. It waits for readers
// as for any lock.
func (s *Store) Checkpoint(ctx context.Context) error {
	var busy, logFrames, done int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return err
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint: another command kept the database busy; run callbase forget again to finish erasing")
	}
	return nil
}

// IsForgotten reports whether the number was forgotten.
func (s *Store) IsForgotten(ctx context.Context, key uint64) (bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, secretKey).Scan(&v)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	secret, err := hex.DecodeString(v)
	if err != nil {
		return false, err
	}
	h := forgetHash(secret, key)
	var n int
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM forgotten WHERE hash = ?`, h[:]).Scan(&n)
	return n > 0, err
}
