package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// byCount prints "mobile 90; fixed 10": largest first, then by name. The
// separator is ";" since region names hold commas.
func byCount(m map[string]int) string { return top(m, len(m)) }

// top is byCount cut to the n largest, with how many more there are. An
// empty key reads "unknown".
func top(m map[string]int, n int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) == 0 {
		return "none"
	}
	parts := make([]string, 0, n+1)
	for _, k := range keys[:min(n, len(keys))] {
		name := k
		if name == "" {
			name = "unknown"
		}
		parts = append(parts, fmt.Sprintf("%s %d", name, m[k]))
	}
	if len(keys) > n {
		parts = append(parts, fmt.Sprintf("%d more", len(keys)-n))
	}
	return strings.Join(parts, "; ")
}

// printSkips tells what was left out of a file without being a reject:
// title rows above the header and sheets that hold no base.
func (g *globals) printSkips(titleRows int, sheets []string) {
	if titleRows > 0 {
		g.summaryf("  left out   %d title row(s) above the header\n", titleRows)
	}
	for _, s := range sheets {
		g.summaryf("  left out   %s\n", strings.ReplaceAll(s, "\n", "\n             "))
	}
}

// byReason prints reject counts with their total: "12 (too_short 8; invalid 4)".
func byReason(m map[string]int) string {
	total := 0
	for _, n := range m {
		total += n
	}
	if total == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", total, byCount(m))
}

func percent(n, of int) string {
	if of == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
