package signing

import "math"

// base62Alphabet is Django's b62 alphabet (digits, upper case, lower case).
const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// EncodeBase62 encodes n the way Django's b62_encode (baseconv.base62 in
// 3.2) does: no leading zeros, "0" for zero, a leading "-" when negative.
func EncodeBase62(n int64) string {
	var b [12]byte
	return string(appendBase62(b[:0], n))
}

// appendBase62 appends EncodeBase62(n) to dst without allocating.
func appendBase62(dst []byte, n int64) []byte {
	// Work on the magnitude as uint64 so that math.MinInt64 does not overflow.
	u := uint64(n)
	if n < 0 {
		dst = append(dst, '-')
		u = -u
	}
	var b [11]byte // 62^11 > 2^64
	i := len(b)
	for {
		i--
		b[i] = base62Alphabet[u%62]
		u /= 62
		if u == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}

// base62Value maps a byte to its digit value, or 0xFF when it is not a digit.
var base62Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for i := 0; i < len(base62Alphabet); i++ {
		t[base62Alphabet[i]] = byte(i)
	}
	return t
}()

// DecodeBase62 is the inverse of EncodeBase62. Like Django it accepts
// leading zeros and a leading "-". It rejects what Django cannot decode
// (empty input, other characters), a bare "-", and values outside int64
// (Python integers are unbounded; no real timestamp gets near that range).
// Errors match ErrMalformed.
func DecodeBase62(s string) (int64, error) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg = true
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, ErrMalformed
	}
	var u uint64
	for i := 0; i < len(s); i++ {
		d := base62Value[s[i]]
		if d == 0xFF {
			return 0, ErrMalformed
		}
		if u > (math.MaxUint64-uint64(d))/62 {
			return 0, ErrMalformed
		}
		u = u*62 + uint64(d)
	}
	if neg {
		if u > 1<<63 {
			return 0, ErrMalformed
		}
		return -int64(u), nil // u == 1<<63 wraps to math.MinInt64, which is right
	}
	if u > math.MaxInt64 {
		return 0, ErrMalformed
	}
	return int64(u), nil
}
