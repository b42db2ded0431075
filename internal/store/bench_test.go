package store

import (
	"context"
	"testing"
)

// benchImport stores 50,000 rows of four fields, each with a distinct
// number when numbers is set, in one import.
func benchImport(b *testing.B, numbers bool) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		st, _ := openTemp(b)
		b.StartTimer()
		tx, _ := st.Begin(ctx)
		im, err := tx.StartImport(ctx, ImportInfo{Base: "b", File: "f", SHA256: "x", Format: "csv", At: at})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 50000 {
			id, err := im.AddRow(ctx, 0, i+2, []string{"Клиент 1", "Москва", "+7 916 123 45 67", "комментарий"})
			if err != nil {
				b.Fatal(err)
			}
			if numbers {
				key := uint64(79000000000 + (i*7919)%999999999)
				if err := im.AddNumber(ctx, id, 2, Number{Key: key, Type: "mobile", Country: "RU", Place: Place{Operator: "МТС", Region: "Москва", Zones: "Europe/Moscow"}}); err != nil {
					b.Fatal(err)
				}
			}
		}
		if _, err := im.Finish(ctx, ImportCounts{}); err != nil {
			b.Fatal(err)
		}
		tx.Commit()
	}
}
func BenchmarkImportRows(b *testing.B)           { benchImport(b, false) }
func BenchmarkImportRowsAndNumbers(b *testing.B) { benchImport(b, true) }
