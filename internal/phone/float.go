package phone

// Spreadsheets store a number typed into a cell as a float, and CSV exports
// then write it as 79161234567.0, 79161234567,0 or 7.9161234567E+10. Those
// still hold every digit. 7.91612E+10 does not: the digits are gone.

const maxFloatPart = 20 // digits in the integer or fraction part of a float

// floatDigits is the whole number a float stands for.
type floatDigits struct {
	digits [maxDigits]byte
	n      int
	reason Reason // OK, or why the float is not a whole number
}

// scanFloat recognises a spreadsheet float starting at the digit s[i] and
// returns its end. A number written with dots as separators
// (916.123.45.67) is not a float: without an exponent, only a fraction of
// zeros (".0") makes one.
func scanFloat(s string, i int, f *floatDigits) (end int, ok bool) {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	intPart := s[i:j]
	var frac string
	if j+1 < len(s) && (s[j] == '.' || s[j] == ',') && isDigit(s[j+1]) {
		k := j + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		frac, j = s[j+1:k], k
	}
	exp, hasExp := 0, false
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		neg := k < len(s) && s[k] == '-'
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		start := k
		for k < len(s) && isDigit(s[k]) && k-start < 3 {
			exp = exp*10 + int(s[k]-'0')
			k++
		}
		if k > start && (k == len(s) || !isDigit(s[k])) {
			hasExp, j = true, k
			if neg {
				exp = -exp
			}
		}
	}
	if len(intPart) > maxFloatPart || len(frac) > maxFloatPart {
		return 0, false
	}
	if !hasExp && (frac == "" || !allZeros(frac) || moreNumberFollows(s, j)) {
		return 0, false
	}
	if j+1 < len(s) && (s[j] == '.' || s[j] == ',') && isDigit(s[j+1]) {
		return 0, false // 495.000.00.00 is dots between groups
	}
	f.wholeNumber(intPart, frac, exp)
	return j, true
}

// wholeNumber sets f to intPart.frac × 10^exp, if that is a whole number.
func (f *floatDigits) wholeNumber(intPart, frac string, exp int) {
	var all [2 * maxFloatPart]byte
	n := copy(all[:], intPart)
	n += copy(all[n:], frac)
	mantissa := all[:n]
	point := len(intPart) // digits before the decimal point
	for len(mantissa) > 0 && mantissa[0] == '0' {
		mantissa = mantissa[1:]
		point--
	}
	intDigits := point + exp
	switch {
	case len(mantissa) == 0:
		f.reason = TooShort // zero
	case len(mantissa) < intDigits:
		f.reason = DigitsLost // the exponent asks for digits the mantissa no longer has
	case intDigits <= 0 || !allZeros(mantissa[intDigits:]):
		f.reason = Invalid // not a whole number
	case intDigits > maxDigits:
		f.reason = TooLong
	default:
		f.n = copy(f.digits[:], mantissa[:intDigits])
		f.reason = OK
	}
}

func allZeros[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

// moreNumberFollows reports whether the number goes on after s[j]: then
// "495.00 12 34" is not the float 495.
func moreNumberFollows(s string, j int) bool {
	for j < len(s) {
		cl, size := classAt(s, j)
		if cl != space {
			return cl == digit || s[j] == '-'
		}
		j += size
	}
	return false
}
