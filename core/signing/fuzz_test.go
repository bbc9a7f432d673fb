package signing

import (
	"bytes"
	"testing"
	"time"
)

// FuzzLoads: Loads never panics; whatever it accepts carries a valid
// signature and decodes the same way again; and any change to a valid blob
// (replace, insert or delete one byte) is rejected.
func FuzzLoads(f *testing.F) {
	s, err := New(Options{Secret: "fuzz-secret", SecretFallbacks: []string{"old"}, Salt: CookieSalt, AcceptSHA1: true, MaxDataSize: 4096})
	if err != nil {
		f.Fatal(err)
	}
	now := unix(1700000000)
	f.Add("eyJmb28iOiJiYXIifQ:1r31eq:A-sIm9mFy_lF5bVAjLyV23-ZNSfybFkgMKo_5ZhGgVw", []byte(`{"foo":"bar"}`), true, uint16(3), byte('x'), uint8(0))
	f.Add(".eJyrrgUAAXUA-Q:1r31eq:xx", []byte(`{"k":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}`), true, uint16(40), byte(':'), uint8(1))
	f.Add("garbage", []byte{}, false, uint16(0), byte('.'), uint8(2))
	f.Add("::", []byte("\x00\xff"), false, uint16(60), byte('='), uint8(0))
	f.Fuzz(func(t *testing.T, raw string, data []byte, compress bool, pos uint16, b byte, op uint8) {
		// Arbitrary input.
		if got, err := s.Loads(raw, time.Hour, now); err == nil {
			if _, err := s.Unsign(raw); err != nil {
				t.Fatalf("Loads accepted %q but Unsign rejects it: %v", raw, err)
			}
			again, err := s.Loads(raw, time.Hour, now)
			if err != nil || !bytes.Equal(again, got) {
				t.Fatalf("second Loads differs: %v", err)
			}
		}

		// Mutations of a valid blob.
		valid := s.Dumps(data, compress, now)
		got, err := s.Loads(valid, time.Hour, now)
		if len(data) <= 4096 && (err != nil || !bytes.Equal(got, data)) {
			t.Fatalf("round trip failed: %v", err)
		}
		i := int(pos) % (len(valid) + 1)
		var m string
		switch op % 3 {
		case 0: // replace
			if i == len(valid) {
				i--
			}
			m = valid[:i] + string([]byte{b}) + valid[i+1:]
		case 1: // insert
			m = valid[:i] + string([]byte{b}) + valid[i:]
		default: // delete
			if i == len(valid) {
				i--
			}
			m = valid[:i] + valid[i+1:]
		}
		got, err = s.Loads(m, time.Hour, now)
		if m == valid {
			if len(data) <= 4096 && (err != nil || !bytes.Equal(got, data)) {
				t.Fatalf("identical blob rejected: %v", err)
			}
			return
		}
		if err == nil {
			t.Fatalf("mutated blob accepted: %q -> %q", valid, m)
		}
	})
}
