package pyjson

import (
	"math"
	"strconv"
)

// appendFloat appends f as Python's float.__repr__ would write it, which is
// what json.dumps uses. Python and strconv agree on the digits (both pick the
// shortest string that round-trips, nearest to the exact value); they differ
// only in layout, which is fixed here:
//
//   - repr switches to exponent form when the decimal exponent is < -4 or
//     >= 16 (1e-05, 1e+16), while 'g' would switch at 21;
//   - the exponent has a sign and at least two digits (1.5e-07, 1e+100);
//   - a float in fixed form always shows a fraction (1.0, -0.0, 100.0).
func appendFloat(dst []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}

	// strconv's 'e' form, "-d.ddde±XX", is already Python's exponent form.
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, 'e', -1, bitSize)

	ePos := len(b) - 4 // exponent is 2 or 3 digits: e±XX or e±XXX
	if b[ePos] != 'e' {
		ePos--
	}
	exp := 0
	for _, c := range b[ePos+2:] {
		exp = exp*10 + int(c-'0')
	}
	if b[ePos+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 16 {
		return append(dst, b...)
	}

	mant := b[:ePos]
	if mant[0] == '-' {
		dst = append(dst, '-')
		mant = mant[1:]
	}
	// mant is "d" or "d.ddd"; gather the bare significant digits.
	var digBuf [24]byte
	digits := append(digBuf[:0], mant[0])
	if len(mant) > 2 {
		digits = append(digits, mant[2:]...)
	}

	if exp < 0 {
		dst = append(dst, "0."...)
		for i := -1; i > exp; i-- {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	intLen := exp + 1
	if len(digits) <= intLen {
		dst = append(dst, digits...)
		for i := len(digits); i < intLen; i++ {
			dst = append(dst, '0')
		}
		return append(dst, ".0"...)
	}
	dst = append(dst, digits[:intLen]...)
	dst = append(dst, '.')
	return append(dst, digits[intLen:]...)
}
