package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// The keyed hashes of forgotten numbers are made with a secret kept in a
// file beside the database, not in it: a secret in the same file would let
// whoever has the file test every number of the plan (a billion +79
// numbers is minutes of work) and so read the forgotten numbers back.

// ErrForgotten is returned for a number forgotten at its owner's request:
// nothing about it is stored again.
var ErrForgotten = errors.New("forgotten at the owner's request")

// KeyPath is the file holding the secret of the database at dbPath.
func KeyPath(dbPath string) string { return dbPath + ".forget-key" }

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

// Suppressor returns the recognizer of forgotten numbers, loading it once
// per transaction. With forgotten numbers but no key file it fails: they
// could not be recognised, and must never be called or stored again.
func (t *Tx) Suppressor(ctx context.Context) (*Suppressor, error) {
	if t.suppress != nil {
		return t.suppress, nil
	}
	s := &Suppressor{hashes: map[[sha256.Size]byte]struct{}{}}
	err := query(ctx, t.tx, `SELECT hash FROM forgotten`, nil, func(r *sql.Rows) error {
		var h []byte
		if err := r.Scan(&h); err != nil {
			return err
		}
		if len(h) != sha256.Size {
			return fmt.Errorf("forgotten: a hash of %d bytes", len(h))
		}
		s.hashes[[sha256.Size]byte(h)] = struct{}{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(s.hashes) > 0 {
		if s.secret, err = t.store.secret(false); err != nil {
			return nil, err
		}
	}
	t.suppress = s
	return s, nil
}

// secret reads the key file, creating it when create is set and there is
// none yet.
func (s *Store) secret(create bool) ([]byte, error) {
	path := KeyPath(s.path)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		key := make([]byte, 32)
		rand.Read(key)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return s.secret(false) // another forget made it meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("create the forget key: %w", err)
		}
		_, err = f.WriteString(hex.EncodeToString(key) + "\n")
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("create the forget key: %w", err)
		}
		return key, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the forget key %s is missing: numbers forgotten at their owners' request cannot be recognised without it\nTry: restore it from the backup it was made with the database", path)
	}
	if err != nil {
		return nil, fmt.Errorf("read the forget key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("the forget key %s is damaged", path)
	}
	return key, nil
}

func forgetHash(secret []byte, key uint64) [sha256.Size]byte {
	m := hmac.New(sha256.New, secret)
	m.Write(strconv.AppendUint(nil, key, 10))
	return [sha256.Size]byte(m.Sum(nil))
}

// Forgotten is what forgetting numbers removed.
type Forgotten struct {
	Numbers int `json:"numbers"` // numbers the database held
	Rows    int `json:"rows"`    // rows whose fields were erased
	Calls   int `json:"calls"`
}

// Forget erases the numbers and the personal data around them: the fields
// of every row they were found in, their calls, consent records and
// events, their links to bases. Only their keyed hashes stay, so a base
// that brings one back is recognised. The database runs with
// secure_delete, so erased bytes are overwritten, not just unlinked;
// Store.Compact then rebuilds the file and empties the WAL.
func (t *Tx) Forget(ctx context.Context, keys []uint64, at time.Time) (Forgotten, error) {
	var f Forgotten
	secret, err := t.store.secret(true)
	if err != nil {
		return f, err
	}
	forget := map[uint64]bool{}
	bases := map[int64]bool{}
	for _, key := range keys {
		forget[key] = true
		links, err := basesHolding(ctx, t.tx, key)
		if err != nil {
			return f, err
		}
		for _, l := range links {
			bases[l.base] = true
		}
	}
	for base := range bases {
		n, err := t.eraseRows(ctx, base, forget)
		if err != nil {
			return f, err
		}
		f.Rows += n
	}
	if err := t.dropLeases(ctx, forget); err != nil {
		return f, err
	}
	for _, key := range keys {
		num := int64(key)
		res, err := t.prepared().ExecContext(ctx, `DELETE FROM calls WHERE num = ?`, num)
		if err != nil {
			return f, err
		}
		calls, _ := res.RowsAffected()
		f.Calls += int(calls)
		for _, q := range []string{`DELETE FROM consents WHERE num = ?`, `DELETE FROM events WHERE num = ?`} {
			if _, err := t.prepared().ExecContext(ctx, q, num); err != nil {
				return f, err
			}
		}
		for base := range bases {
			if err := unlink(ctx, t.tx, base, key); err != nil {
				return f, err
			}
		}
		if _, err := t.prepared().ExecContext(ctx, `DELETE FROM number_marks WHERE num = ?`, num); err != nil {
			return f, err
		}
		res, err = t.prepared().ExecContext(ctx, `DELETE FROM number_keys WHERE num = ?`, num)
		if err != nil {
			return f, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			f.Numbers++
		}
		h := forgetHash(secret, key)
		if _, err := t.prepared().ExecContext(ctx, `INSERT INTO forgotten (hash, at) VALUES (?, ?) ON CONFLICT DO NOTHING`, h[:], formatTime(at)); err != nil {
			return f, err
		}
	}
	t.suppress = nil // load again with these
	return f, nil
}

// eraseRows blanks the fields of the rows of the base's imports holding a
// number to forget, and drops those numbers' links there, in one pass over
// the base's blocks. Other numbers of those rows stay linked, to rows that
// no longer say whose they were.
func (t *Tx) eraseRows(ctx context.Context, base int64, forget map[uint64]bool) (int, error) {
	var ids []int64
	err := query(ctx, t.tx, `SELECT rb.id FROM row_blocks rb JOIN imports i ON i.id = rb.import_id
		WHERE i.base_id = ? ORDER BY rb.id`, []any{base}, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return 0, err
	}
	erased := 0
	for _, id := range ids {
		var data []byte
		if err := t.tx.QueryRowContext(ctx, `SELECT data FROM row_blocks WHERE id = ?`, id).Scan(&data); err != nil {
			return erased, err
		}
		rows, err := decodeBlock(id, data)
		if err != nil {
			return erased, err
		}
		changed := false
		for i := range rows {
			links := rows[i].Links[:0]
			hit := false
			for _, l := range rows[i].Links {
				if forget[l.Key] {
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
		if _, err := t.tx.ExecContext(ctx, `UPDATE row_blocks SET data = ? WHERE id = ?`, bb.encode(), id); err != nil {
			return erased, fmt.Errorf("erase rows: %w", err)
		}
	}
	return erased, nil
}

// Compact rebuilds the database file and empties its WAL, so no copy of
// erased data stays: not in free pages, not in the inner pages of a
// table's tree, where a deleted key can linger as a divider, not in the
// WAL. It waits for other commands as for any lock.
func (s *Store) Compact(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	var busy, logFrames, done int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return err
	}
	if busy != 0 {
		return fmt.Errorf("compact: another command kept the database busy; run callbase forget again to finish erasing")
	}
	return nil
}

// IsForgotten reports whether the number was forgotten.
func (s *Store) IsForgotten(ctx context.Context, key uint64) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM forgotten`).Scan(&n); err != nil || n == 0 {
		return false, err
	}
	secret, err := s.secret(false)
	if err != nil {
		return false, err
	}
	h := forgetHash(secret, key)
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM forgotten WHERE hash = ?`, h[:]).Scan(&n)
	return n > 0, err
}
