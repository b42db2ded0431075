package ingest

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestValidUTF8 holds validUTF8 to utf8.Valid on every one- and two-byte
// sequence and on three- and four-byte ones built from the bytes at the
// edges of UTF-8's ranges, at every alignment to the eight-byte steps,
// amid Cyrillic and ASCII, and cut at the end.
func TestValidUTF8(t *testing.T) {
	edges := []byte{0x00, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF}
	var seqs [][]byte
	for a := range 256 {
		seqs = append(seqs, []byte{byte(a)})
		for b := range 256 {
			seqs = append(seqs, []byte{byte(a), byte(b)})
		}
		if a >= 0xE0 {
			for _, b := range edges {
				for _, c := range edges {
					seqs = append(seqs, []byte{byte(a), b, c})
					if a >= 0xF0 {
						for _, d := range edges {
							seqs = append(seqs, []byte{byte(a), b, c, d})
						}
					}
				}
			}
		}
	}
	prefixes := []string{"", "a", "ж", "aж", "жж", "aжж", "жжж", "aжжж", "12345678"}
	suffixes := []string{"", "ж", "жжжжжжжж", "abcdefghжжжж", "a"}
	n := 0
	buf := make([]byte, 0, 64)
	for _, seq := range seqs {
		for _, pre := range prefixes {
			for _, suf := range suffixes {
				buf = append(append(append(buf[:0], pre...), seq...), suf...)
				if got, want := validUTF8(buf), utf8.Valid(buf); got != want {
					t.Fatalf("validUTF8(%q) = %v, want %v", buf, got, want)
				}
				n++
			}
		}
	}
	for _, s := range []string{strings.Repeat("Иванов Иван;+7 916 123-45-67;Москва\n", 50), "\xd0", "ж\xd0", strings.Repeat("ж", 9) + "\xc0\x80"} {
		if got, want := validUTF8([]byte(s)), utf8.Valid([]byte(s)); got != want {
			t.Fatalf("validUTF8(%q) = %v, want %v", s, got, want)
		}
	}
	t.Logf("%d inputs", n)
}

// BenchmarkValidUTF8 checks rows of a Russian base: names, phones with
// labels, cities and companies, ASCII and Cyrillic side by side.
func BenchmarkValidUTF8(b *testing.B) {
	var sb strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&sb, "Клиент %d Иванович;раб.тел. 8 (495) %03d-%02d-%02d доб. 12;Москва;\"ООО \"\"Ромашка-%d\"\"\";перезвонить после 15:00\r\n", i, 100+i%900, i/900%100, i%100, i%97)
	}
	p := []byte(sb.String())
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if !validUTF8(p) {
			b.Fatal("invalid")
		}
	}
}

// FuzzValidUTF8 holds validUTF8 to utf8.Valid on any bytes.
func FuzzValidUTF8(f *testing.F) {
	for _, s := range []string{"", "a", "ж", "раб.тел. 8 (495) 123-45-67", "Клиент\xd0", "abcdefg\xc0\x80жж", "\xf0\x9f\x98\x80 ok"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		if got, want := validUTF8(p), utf8.Valid(p); got != want {
			t.Fatalf("validUTF8(%q) = %v, want %v", p, got, want)
		}
	})
}
