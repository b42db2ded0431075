package callbase

import (
	"errors"
	"io"
	"testing"
)

func TestInputError(t *testing.T) {
	tests := []struct {
		err  *InputError
		want string
	}{
		{&InputError{File: "a.csv", Err: io.ErrUnexpectedEOF}, "a.csv: unexpected EOF"},
		{&InputError{File: "a.csv", Row: 14, Column: "Телефон", Err: errors.New("bad")}, `a.csv:14: column "Телефон": bad`},
		{&InputError{File: "a.xlsx", Sheet: "Лист1", Row: 2, Err: errors.New("bad"), Hint: "Try: save as XLSX"}, "a.xlsx:Лист1:2: bad\nTry: save as XLSX"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, ErrInput) || !errors.Is(tt.err, tt.err.Err) {
			t.Errorf("%q does not unwrap to ErrInput and its cause", tt.want)
		}
	}
	if err := Usagef("--base is required"); !errors.Is(err, ErrUsage) || err.Error() != "--base is required" {
		t.Errorf("Usagef = %v", err)
	}
}
