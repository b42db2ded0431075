package store

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestListRowsPastKeptBlocks: the rows of a list are the same whether the
// walk kept their blocks or ListRows reads them again.
func TestListRowsPastKeptBlocks(t *testing.T) {
	ctx := context.Background()
	st, _ := openTemp(t)
	const rows = 3*blockRows + 10 // four blocks
	importClients(t, st, rows)

	defer func(k int) { keptBlocks = k }(keptBlocks)
	for _, keep := range []int{2048, 1, 0} {
		keptBlocks = keep
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		facts, err := tx.Facts(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		bases, err := tx.Bases(ctx)
		if err != nil || len(bases) != 1 {
			t.Fatalf("bases %v, %v", bases, err)
		}
		var cands []*Candidate
		err = tx.UntouchedCandidates(ctx, facts, bases[0], 0, func(c *Candidate) (bool, error) {
			cands = append(cands, c)
			return true, nil
		})
		if err != nil || len(cands) != rows {
			t.Fatalf("keptBlocks %d: %d candidates, %v", keep, len(cands), err)
		}
		lr, err := tx.ListRows(ctx, cands)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(cands))
		for i, c := range cands {
			ids[i] = c.FirstRow
		}
		got, err := lr.Rows(ids)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cands {
			r := got[c.FirstRow]
			if len(r.Fields) != 2 || r.Fields[1] != fmt.Sprint(c.Key) || r.Fields[0] != fmt.Sprint("Клиент ", i) {
				t.Fatalf("keptBlocks %d: number %d has row %q", keep, c.Key, r.Fields)
			}
			if h := lr.Header(c.FirstRow); len(h) != 2 || h[1] != "Телефон" {
				t.Fatalf("keptBlocks %d: header %q", keep, h)
			}
		}
		tx.Rollback()
	}
}

// TestWalkOfDamagedBlock: a damaged row block fails the walk with the
// block named, and the lookups it had sent end with it.
func TestWalkOfDamagedBlock(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2)) // with readers aside
	ctx := context.Background()
	st, _ := openTemp(t)
	importClients(t, st, 40*blockRows)
	var damaged int64
	if err := st.db.QueryRowContext(ctx, `SELECT max(id) FROM row_blocks`).Scan(&damaged); err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.ExecContext(ctx, `UPDATE row_blocks SET data = x'05ff' WHERE id = ?`, damaged); err != nil {
		t.Fatal(err)
	}

	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	facts, err := tx.Facts(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	done, err := tx.ReadAside(ctx, facts)
	if err != nil {
		t.Fatal(err)
	}
	bases, err := tx.Bases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	err = tx.UntouchedCandidates(ctx, facts, bases[0], 0, func(*Candidate) (bool, error) {
		seen++
		return true, nil
	})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("row block %d", damaged)) {
		t.Errorf("walk over a damaged block: %v (after %d candidates)", err, seen)
	}
	if err := done(); err != nil {
		t.Error(err)
	}
}

// importClients imports rows rows into base b, each a client's name and a
// number of its own, the Nth number 79160000000 + N*7919.
func importClients(t *testing.T, st *Store, rows int) {
	t.Helper()
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	im, err := tx.StartImport(ctx, ImportInfo{Base: "b", File: "f.csv", SHA256: "1", Format: "csv", At: at})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if err := im.AddTable(ctx, 0, "", []string{"Имя", "Телефон"}, []int{1}); err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		key := uint64(79160000000 + i*7919)
		id, err := im.AddRow(ctx, 0, i+2, []string{fmt.Sprint("Клиент ", i), fmt.Sprint(key)})
		if err != nil {
			t.Fatal(err)
		}
		if err := im.AddNumber(ctx, id, 1, Number{Key: key, Type: "mobile", Country: "RU"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := im.Finish(ctx, ImportCounts{}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
