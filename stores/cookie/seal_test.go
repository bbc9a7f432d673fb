package cookiestore_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessionkit/core/signing"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

func TestSealHidesPlaintext(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Options{Secret: "secret", EncryptionKeys: [][]byte{key(9)}})
	if !s.Encrypted() {
		t.Fatal("Encrypted() = false")
	}
	now := time.Unix(djangoTime, 0)
	data := `{"card":"4111111111111111","secret":"hunter2"}`
	a := mustEncode(t, s, data, now)
	b := mustEncode(t, s, data, now)
	if !strings.HasPrefix(a, "v1.") || strings.Contains(a, ":") {
		t.Fatalf("sealed value %q: want the v1. prefix and no Django separator", a)
	}
	if a == b {
		t.Fatal("two seals of the same data are equal: the nonce is not random")
	}
	raw, err := base64.RawURLEncoding.DecodeString(a[len("v1."):])
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"4111111111111111", "hunter2", "card"} {
		if strings.Contains(string(raw), leak) || strings.Contains(a, leak) {
			t.Fatalf("sealed value leaks %q", leak)
		}
	}
	for _, leak := range []string{base64.RawURLEncoding.EncodeToString([]byte(data))[:16]} {
		if strings.Contains(a, leak) {
			t.Fatalf("sealed value contains the base64 of the JSON")
		}
	}
	// Signed-only stores cannot read sealed values, not even with the same
	// secret: the secret does not derive the encryption key.
	if _, err := mustNew(t, cookiestore.Options{Secret: "secret"}).Decode(a, now); err == nil {
		t.Fatal("a store without keys opened a sealed value")
	}
}

func TestSealRotation(t *testing.T) {
	t.Parallel()
	now := time.Unix(djangoTime, 0)
	k1 := mustNew(t, cookiestore.Options{Secret: "s", EncryptionKeys: [][]byte{key(1)}})
	k2 := mustNew(t, cookiestore.Options{Secret: "s", EncryptionKeys: [][]byte{key(2)}})
	rotated := mustNew(t, cookiestore.Options{Secret: "s", EncryptionKeys: [][]byte{key(2), key(1)}})

	old := mustEncode(t, k1, `{"a":1}`, now)
	if got, err := rotated.Decode(old, now); err != nil || string(got) != `{"a":1}` {
		t.Fatalf("old key not accepted: %q, %v", got, err)
	}
	fresh := mustEncode(t, rotated, `{"a":1}`, now)
	if _, err := k2.Decode(fresh, now); err != nil {
		t.Fatalf("new value not sealed with the first key: %v", err)
	}
	if _, err := k1.Decode(fresh, now); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("retired key: err = %v, want ErrBadSignature", err)
	}
	// The salt separates purposes: the same key material under another
	// salt derives another key.
	other := mustNew(t, cookiestore.Options{Secret: "s", Salt: "other", EncryptionKeys: [][]byte{key(1)}})
	if _, err := other.Decode(old, now); err == nil {
		t.Fatal("a value sealed under one salt opened under another")
	}
}

// With encryption on, Django-signed values made with Secret are still read,
// so turning encryption on logs nobody out; their next save seals them.
func TestSealAcceptsSignedValues(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Options{Secret: djangoSecret, EncryptionKeys: [][]byte{key(4)}})
	got, err := s.Decode(djangoFooBar, time.Unix(djangoTime, 0))
	if err != nil || string(got) != `{"foo":"bar"}` {
		t.Fatalf("Decode(Django's value) = %q, %v", got, err)
	}
}

func TestSealMalformed(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Options{Secret: "s", EncryptionKeys: [][]byte{key(4)}})
	now := time.Unix(djangoTime, 0)
	for _, v := range []string{"v1.", "v1.AAAA", "v1.!!!!", "v1." + strings.Repeat("A", 48) + "\n", "v1." + strings.Repeat("A", 49)} {
		if _, err := s.Decode(v, now); err == nil {
			t.Errorf("Decode(%q) accepted", v)
		}
	}
	if _, err := s.Decode("v1."+strings.Repeat("A", 48), now); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("forged value: err = %v, want ErrBadSignature", err)
	}
}
