package signing

import (
	"bytes"
	"encoding/base64"
)

// Django decodes payloads with base64.urlsafe_b64decode after re-padding,
// which is far more lenient than encoding/base64: it skips characters
// outside the alphabet, accepts '+' and '/' as well as '-' and '_', stops
// at the first complete padding sequence and ignores non-zero trailing bits.
// A value whose signature verifies is decoded the same way here, so that
// anything Django accepts is accepted too. The fast path uses
// encoding/base64 for canonical input and falls back to an emulation of
// CPython's binascii.a2b_base64 (non-strict mode) otherwise.

const invalid64 = 0xFF

func makeB64Table(extra string) (t [256]byte) {
	for i := range t {
		t[i] = invalid64
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		t[std[i]] = byte(i)
	}
	if extra != "" {
		t[extra[0]] = 62
		t[extra[1]] = 63
	}
	return t
}

var (
	// urlsafe_b64decode translates "-_" to "+/" and then decodes with the
	// standard alphabet, so both pairs are valid.
	urlsafeTable = makeB64Table("-_")
	stdTable     = makeB64Table("")
)

// decodeURLPayload appends to dst the bytes Django's b64_decode yields for
// src: urlsafe_b64decode(src + "=" * (-len(src) % 4)).
func decodeURLPayload(dst, src []byte) ([]byte, bool) {
	if bytes.IndexByte(src, '\n') < 0 && bytes.IndexByte(src, '\r') < 0 {
		// encoding/base64 skips CR and LF, which would change Python's
		// re-padding count; every other difference makes it fail.
		n := base64.RawURLEncoding.DecodedLen(len(src))
		dst = growLen(dst, n)
		m, err := base64.RawURLEncoding.Decode(dst[len(dst)-n:], src)
		if err == nil {
			return dst[:len(dst)-n+m], true
		}
		dst = dst[:len(dst)-n]
	}
	return pyB64Decode(dst, src, &urlsafeTable, (4-len(src)%4)%4)
}

// pyB64Decode emulates CPython's binascii.a2b_base64 in non-strict mode on
// src followed by pad '=' characters, appending the output to dst.
func pyB64Decode(dst, src []byte, table *[256]byte, pad int) ([]byte, bool) {
	dst = growCap(dst, len(src)/4*3+3)
	quadPos, pads := 0, 0
	var left byte
	for i, n := 0, len(src)+pad; i < n; i++ {
		c := byte('=')
		if i < len(src) {
			c = src[i]
		}
		if c == '=' {
			// A pad only counts once two data characters of the quad are
			// in; a complete pad sequence ends decoding.
			if quadPos >= 2 {
				pads++
				if quadPos+pads >= 4 {
					return dst, true
				}
			}
			continue
		}
		v := table[c]
		if v == invalid64 {
			continue
		}
		pads = 0
		switch quadPos {
		case 0:
			left = v
			quadPos = 1
		case 1:
			dst = append(dst, left<<2|v>>4)
			left = v & 0x0F
			quadPos = 2
		case 2:
			dst = append(dst, left<<4|v>>2)
			left = v & 0x03
			quadPos = 3
		case 3:
			dst = append(dst, left<<6|v)
			quadPos = 0
		}
	}
	// "Incorrect padding" or an impossible length.
	return dst, quadPos == 0
}

// growLen extends dst by n bytes, reallocating only when needed.
func growLen(dst []byte, n int) []byte {
	dst = growCap(dst, n)
	return dst[:len(dst)+n]
}

// growCap ensures cap(dst)-len(dst) >= n.
func growCap(dst []byte, n int) []byte {
	if cap(dst)-len(dst) < n {
		nb := make([]byte, len(dst), len(dst)+n)
		copy(nb, dst)
		dst = nb
	}
	return dst
}
