package signing

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// Expected results computed with CPython 3.11:
// base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), "" meaning an error.
var pyURLCases = []struct {
	in   string
	want string // hex
	ok   bool
}{
	{"", "", true},
	{"e30", "7b7d", true},
	{"e30=", "7b7d", true},
	{"e3==", "7b", true},
	{"e30==", "7b7d", true},
	{"e3=0", "", false},
	{"e=30", "", false},
	{"=e30", "", false},
	{"e30\n", "", false},
	{"e3\n0", "", false},
	{"e 3 0 ", "7b7d", true},
	{"a+b/", "6be6ff", true},
	{"a-b_", "6be6ff", true},
	{"YQ", "61", true},
	{"YR", "61", true}, // non-zero trailing bits are ignored
	{"YQ=", "61", true},
	{"YQ==", "61", true},
	{"YQ===", "61", true},
	{"Y", "", false},
	{"YQ=Yg", "610620", true},
	{"YWJj\nZGVm", "616263646566", true},
	{"YWJjZGVm!", "616263646566", true},
	{"é30", "", false},
	{"YWJjZA=x", "", false},
}

func TestDecodeURLPayload(t *testing.T) {
	for _, c := range pyURLCases {
		got, ok := decodeURLPayload([]byte("keep"), []byte(c.in))
		if ok != c.ok || (ok && hex.EncodeToString(got[4:]) != c.want) || (ok && string(got[:4]) != "keep") {
			t.Errorf("decode(%q) = %x, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
		// The emulation alone agrees too.
		got, ok = pyB64Decode(nil, []byte(c.in), &urlsafeTable, (4-len(c.in)%4)%4)
		if ok != c.ok || (ok && hex.EncodeToString(got) != c.want) {
			t.Errorf("pyB64Decode(%q) = %x, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// FuzzDecodeURLPayload checks that the encoding/base64 fast path never
// disagrees with the CPython emulation.
func FuzzDecodeURLPayload(f *testing.F) {
	for _, c := range pyURLCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fast, okFast := decodeURLPayload(nil, in)
		slow, okSlow := pyB64Decode(nil, in, &urlsafeTable, (4-len(in)%4)%4)
		if okFast != okSlow || (okFast && !bytes.Equal(fast, slow)) {
			t.Fatalf("%q: fast %x %v, emulation %x %v", in, fast, okFast, slow, okSlow)
		}
	})
}
