package phone

// Most of a Russian base is +7 followed by ten digits, and in phonenumbers'
// metadata for RU (mobile 9\d{9}, fixed lines and 8-800 by area code) the
// first three of them decide validity, type and region. So the parser is
// asked once per three-digit prefix, at four points of it, and numbers of a
// prefix it called valid, all of one type, skip the parser from then on.
// The differential test holds this to what the parser says for every
// four-digit prefix.

// prefixInfo is what the parser said about one prefix of +7 numbers.
type prefixInfo struct {
	learned bool
	fast    bool // every sample was valid, of one type and region
	typ     Type
	country string
}

// nationalPrefix7 returns the ten national digits of a +7 number for the
// first digits Russia uses (3, 4, 8, 9), in the written forms whose reading
// does not need the parser: +7 916..., and in Russia also 8 916...,
// 7 916..., 916...
func (nz *Normalizer) nationalPrefix7(d []byte, plus bool) []byte {
	switch {
	case len(d) == 11 && d[0] == '7' && (plus || nz.ru):
		d = d[1:]
	case len(d) == 11 && d[0] == '8' && !plus && nz.ru:
		d = d[1:]
	case len(d) == 10 && !plus && nz.ru:
	default:
		return nil
	}
	switch d[0] {
	case '3', '4', '8', '9':
		return d
	}
	return nil
}

// fastNumber reads d through the prefix table, or reports that the parser
// must.
func (nz *Normalizer) fastNumber(d []byte, plus bool) (Number, bool) {
	nsn := nz.nationalPrefix7(d, plus)
	if nsn == nil {
		return Number{}, false
	}
	p := int(nsn[0]-'0')*100 + int(nsn[1]-'0')*10 + int(nsn[2]-'0')
	info := &nz.plan[p]
	if !info.learned {
		nz.learn(info, nsn)
	}
	if !info.fast {
		return Number{}, false
	}
	var e [12]byte
	e[0], e[1] = '+', '7'
	copy(e[2:], nsn)
	return Number{E164: string(e[:]), Type: info.typ, Country: info.country}, true
}

// learn asks the parser about the prefix of nsn: the number itself and
// three more numbers of the prefix must all be valid and agree.
func (nz *Normalizer) learn(info *prefixInfo, nsn []byte) {
	info.learned = true
	prefix := "+7" + string(nsn[:3])
	var first Number
	for i, sample := range [...]string{"+7" + string(nsn), prefix + "0000000", prefix + "5555555", prefix + "9999999"} {
		num, reason := nz.parse(sample, nil, true)
		if reason != OK {
			return
		}
		if i == 0 {
			first = num
		} else if num.Type != first.Type || num.Country != first.Country {
			return
		}
	}
	info.fast, info.typ, info.country = true, first.Type, first.Country
}

// tooShortInRussia: in Russia every number has ten national digits, so
// fewer digits without "+" are too short, unless they start with the
// international prefix 810. The parser agrees (see the differential test).
func (nz *Normalizer) tooShortInRussia(d []byte, plus bool) bool {
	return nz.ru && !plus && len(d) < 10 && !(len(d) >= 3 && d[0] == '8' && d[1] == '1' && d[2] == '0')
}
