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
	s := mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(9)}})
	sg := signer(t, "secret")
	now := time.Unix(djangoTime, 0)
	data := `{"card":"4111111111111111","secret":"hunter2"}`
	a := mustEncode(t, s, sg, data, now)
	b := mustEncode(t, s, sg, data, now)
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
	if _, err := mustNew(t, cookiestore.Options{}).Decode(sg, a, djangoAge, now); err == nil {
		t.Fatal("a store without keys opened a sealed value")
	}
}

func TestSealRotation(t *testing.T) {
	t.Parallel()
	now := time.Unix(djangoTime, 0)
	sg := signer(t, "s")
	k1 := mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(1)}})
	k2 := mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(2)}})
	rotated := mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(2), key(1)}})

	old := mustEncode(t, k1, sg, `{"a":1}`, now)
	if got, err := rotated.Decode(sg, old, djangoAge, now); err != nil || string(got) != `{"a":1}` {
		t.Fatalf("old key not accepted: %q, %v", got, err)
	}
	fresh := mustEncode(t, rotated, sg, `{"a":1}`, now)
	if _, err := k2.Decode(sg, fresh, djangoAge, now); err != nil {
		t.Fatalf("new value not sealed with the first key: %v", err)
	}
	if _, err := k1.Decode(sg, fresh, djangoAge, now); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("retired key: err = %v, want ErrBadSignature", err)
	}
}

// sealedBefore was sealed by the store before the signing settings moved
// to sessions.Config (Options{Secret: "s", EncryptionKeys: key(1)}, at
// djangoTime, `{"a":1}`). The key derivation must not change, or every
// sealed cookie in the wild logs its user out.
const sealedBefore = "v1.zwWNSzQJ0US03Dsqzztpd8fQGBP75WJu3BKjXK83hGrZe43a4-67d8rkGA"

func TestSealDerivationUnchanged(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(1)}})
	now := time.Unix(djangoTime+60, 0)
	// Neither the Manager's secret nor its salt enters the derivation.
	for _, sg := range []*signing.Signer{signer(t, "s"), signer(t, "another secret")} {
		if got, err := s.Decode(sg, sealedBefore, djangoAge, now); err != nil || string(got) != `{"a":1}` {
			t.Fatalf("a value sealed before: %q, %v", got, err)
		}
	}
	if _, err := mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(2)}}).Decode(signer(t, "s"), sealedBefore, djangoAge, now); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("another key: err = %v, want ErrBadSignature", err)
	}
}

// With encryption on, Django-signed values made with the Manager's secret
// are still read, so turning encryption on logs nobody out; their next
// save seals them.
func TestSealAcceptsSignedValues(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(4)}})
	got, err := s.Decode(signer(t, djangoSecret), djangoFooBar, djangoAge, time.Unix(djangoTime, 0))
	if err != nil || string(got) != `{"foo":"bar"}` {
		t.Fatalf("Decode(Django's value) = %q, %v", got, err)
	}
}

func TestSealMalformed(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(4)}})
	sg := signer(t, "s")
	now := time.Unix(djangoTime, 0)
	for _, v := range []string{"v1.", "v1.AAAA", "v1.!!!!", "v1." + strings.Repeat("A", 48) + "\n", "v1." + strings.Repeat("A", 49)} {
		if _, err := s.Decode(sg, v, djangoAge, now); err == nil {
			t.Errorf("Decode(%q) accepted", v)
		}
	}
	if _, err := s.Decode(sg, "v1."+strings.Repeat("A", 48), djangoAge, now); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("forged value: err = %v, want ErrBadSignature", err)
	}
}
