package cookiestore_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/signing"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

var _ sessions.ClientStore = (*cookiestore.Store)(nil)

// The worked example of Django 3.2.25 (shared/spec/django-sessions.md §4.9).
const (
	djangoSecret = "vectors-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-!@#$%^&*(-_=+)"
	djangoTime   = 1700000000
	djangoFooBar = "eyJmb28iOiJiYXIifQ:1r31eq:A-sIm9mFy_lF5bVAjLyV23-ZNSfybFkgMKo_5ZhGgVw"
	djangoEmpty  = "e30:1r31eq:WWkxEw9iZUQKcuMOY8H9OhWW3CPwNOO_oTcpCJob6jE"
)

// djangoAge is Django's SESSION_COOKIE_AGE, the Manager's default.
const djangoAge = sessions.DefaultCookieAge

func mustNew(t testing.TB, o cookiestore.Options) *cookiestore.Store {
	t.Helper()
	s, err := cookiestore.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// signer is the signer a Manager with this Secret and SecretFallbacks
// hands its ClientStore (Salt defaults to signing.CookieSalt).
func signer(t testing.TB, secret string, fallbacks ...string) *signing.Signer {
	t.Helper()
	sg, err := signing.New(signing.Options{Secret: secret, Salt: signing.CookieSalt, SecretFallbacks: fallbacks})
	if err != nil {
		t.Fatal(err)
	}
	return sg
}

func mustEncode(t testing.TB, s *cookiestore.Store, sg *signing.Signer, data string, now time.Time) string {
	t.Helper()
	v, err := s.Encode(sg, []byte(data), now)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return v
}

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts cookiestore.Options
		msg  string // "" when New succeeds
	}{
		{"defaults", cookiestore.Options{}, ""},
		{"32-byte key", cookiestore.Options{EncryptionKeys: [][]byte{key(1)}}, ""},
		{"31-byte key", cookiestore.Options{EncryptionKeys: [][]byte{make([]byte, 31)}},
			"cookiestore: invalid config: EncryptionKeys[0]: 31 bytes of key material, need at least 32"},
		{"second key short", cookiestore.Options{EncryptionKeys: [][]byte{key(1), []byte("short")}},
			"cookiestore: invalid config: EncryptionKeys[1]: 5 bytes of key material, need at least 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := cookiestore.New(tt.opts)
			if (tt.msg == "") != (err == nil) {
				t.Fatalf("New: err = %v, want ok=%v", err, tt.msg == "")
			}
			if err == nil {
				return
			}
			if !errors.Is(err, sessions.ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
			// The message names the package once and does not stutter.
			if err.Error() != tt.msg {
				t.Fatalf("err = %q, want %q", err, tt.msg)
			}
		})
	}
}

// Values are byte-identical to Django's signed_cookies backend.
func TestDjangoBytes(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Options{})
	sg := signer(t, djangoSecret)
	now := time.Unix(djangoTime, 0)
	for data, want := range map[string]string{`{"foo":"bar"}`: djangoFooBar, `{}`: djangoEmpty} {
		if got := mustEncode(t, s, sg, data, now); got != want {
			t.Errorf("Encode(%s) = %s, want Django's %s", data, got, want)
		}
		got, err := s.Decode(sg, want, djangoAge, now.Add(time.Minute))
		if err != nil || string(got) != data {
			t.Errorf("Decode(Django's %s) = %q, %v; want %s", want, got, err, data)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	big := `{"big":"` + strings.Repeat("x", 2000) + `"}`
	cases := []string{`{}`, `{"foo":"bar"}`, `{"name":"Zo\u00eb","emoji":"\ud83d\ude00"}`, big}
	stores := map[string]*cookiestore.Store{
		"signed":    mustNew(t, cookiestore.Options{}),
		"encrypted": mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(7)}}),
	}
	sg := signer(t, "secret")
	now := time.Unix(djangoTime, 0)
	for name, s := range stores {
		for _, data := range cases {
			v := mustEncode(t, s, sg, data, now)
			for i := 0; i < len(v); i++ {
				if c := v[i]; !isCookieSafe(c) {
					t.Fatalf("%s: value %q has %q, not cookie-safe", name, v, c)
				}
			}
			got, err := s.Decode(sg, v, djangoAge, now.Add(time.Hour))
			if err != nil || string(got) != data {
				t.Fatalf("%s: round trip of %.40s: %.40q, %v", name, data, got, err)
			}
		}
	}
	// A signed value is what the signer makes: Django's, timestamp included.
	v := mustEncode(t, stores["signed"], sg, big, now)
	if !strings.HasPrefix(v, ".") {
		t.Fatalf("a compressible session is not compressed: %.20s", v)
	}
	if got, signedAt, err := sg.LoadsWithTime(v, djangoAge, now); err != nil || string(got) != big || !signedAt.Equal(now) {
		t.Fatalf("signer reads %.40q signed at %v, %v; want the data signed at %v", got, signedAt, err, now)
	}
}

// isCookieSafe accepts the characters both formats use: base64url, the
// compression dot and Django's ":" separator.
func isCookieSafe(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == ':'
}

// Changing any single byte of a value, or cutting or extending it, makes it
// invalid.
func TestTamper(t *testing.T) {
	t.Parallel()
	now := time.Unix(djangoTime, 0)
	sg := signer(t, "secret")
	stores := map[string]*cookiestore.Store{
		"signed":    mustNew(t, cookiestore.Options{}),
		"encrypted": mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(7)}}),
	}
	for name, s := range stores {
		for _, data := range []string{`{"foo":"bar"}`, `{"k":"` + strings.Repeat("ab", 100) + `"}`} {
			v := mustEncode(t, s, sg, data, now)
			for i := 0; i < len(v); i++ {
				for _, c := range []byte{'A', 'B', 'z', '0', '-', '_', '.', ':', '=', '\n'} {
					if v[i] == c {
						continue
					}
					bad := v[:i] + string(c) + v[i+1:]
					if got, err := s.Decode(sg, bad, djangoAge, now); err == nil {
						t.Fatalf("%s: byte %d of %q changed to %q accepted: %s", name, i, v, c, got)
					}
				}
			}
			for _, bad := range []string{"", v[:len(v)-1], v + "A", v + "=", "=" + v, " " + v, v[1:]} {
				if _, err := s.Decode(sg, bad, djangoAge, now); err == nil {
					t.Fatalf("%s: modified value %q accepted", name, bad)
				}
			}
		}
	}
}

// Decode errors match core/signing's sentinels and say where they came
// from.
func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	now := time.Unix(djangoTime, 0)
	s := mustNew(t, cookiestore.Options{})
	v := mustEncode(t, s, signer(t, "one"), `{"a":1}`, now)
	dbSigner, err := signing.New(signing.Options{Secret: "one", Salt: signing.SessionSalt})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		sg    *signing.Signer
		value string
		now   time.Time
		want  error
	}{
		{"other secret", signer(t, "two"), v, now, signing.ErrBadSignature},
		{"db salt", dbSigner, v, now, signing.ErrBadSignature},
		{"garbage", signer(t, "one"), "garbage", now, signing.ErrMalformed},
		{"expired", signer(t, "one"), v, now.Add(djangoAge + time.Second), signing.ErrExpired},
	}
	for _, tt := range tests {
		_, err := s.Decode(tt.sg, tt.value, djangoAge, tt.now)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "cookiestore: decode: ") {
			t.Errorf("%s: err = %q, want the cookiestore: decode: prefix", tt.name, err)
		}
	}
}

// The store signs with the signer's first secret and verifies with any:
// the rotation is sessions.Config.SecretFallbacks', handed over in sg.
func TestRotation(t *testing.T) {
	t.Parallel()
	now := time.Unix(djangoTime, 0)
	s := mustNew(t, cookiestore.Options{})
	oldOnly, newOnly, rotated := signer(t, "old"), signer(t, "new"), signer(t, "new", "older", "old")

	oldValue := mustEncode(t, s, oldOnly, `{"a":1}`, now)
	if got, err := s.Decode(rotated, oldValue, djangoAge, now); err != nil || string(got) != `{"a":1}` {
		t.Fatalf("fallback secret not accepted: %q, %v", got, err)
	}
	fresh := mustEncode(t, s, rotated, `{"a":1}`, now)
	if fresh != mustEncode(t, s, newOnly, `{"a":1}`, now) {
		t.Fatal("fallbacks changed the signature")
	}
	if _, err := s.Decode(oldOnly, fresh, djangoAge, now); err == nil {
		t.Fatal("new value signed with a fallback secret")
	}
}

// A value exactly maxAge old is accepted; one second more (or half a
// second) is not, whether signed or sealed. Timestamps in the future are
// accepted, as in Django.
func TestExpiryBoundary(t *testing.T) {
	t.Parallel()
	signed := time.Unix(djangoTime, 0)
	sg := signer(t, "secret")
	for _, age := range []time.Duration{djangoAge, time.Hour, 10 * time.Second} {
		for _, enc := range []bool{false, true} {
			var o cookiestore.Options
			if enc {
				o.EncryptionKeys = [][]byte{key(3)}
			}
			s := mustNew(t, o)
			v := mustEncode(t, s, sg, `{"a":1}`, signed)
			tests := []struct {
				now  time.Time
				want error
			}{
				{signed.Add(-time.Hour), nil},
				{signed, nil},
				{signed.Add(age), nil},
				{signed.Add(age + 500*time.Millisecond), signing.ErrExpired},
				{signed.Add(age + time.Second), signing.ErrExpired},
			}
			for _, tt := range tests {
				_, err := s.Decode(sg, v, age, tt.now)
				if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
					t.Errorf("maxAge=%v enc=%v now=signed%+v: err = %v, want %v", age, enc, tt.now.Sub(signed), err, tt.want)
				}
				if tt.want != nil && !errors.Is(err, signing.ErrBadSignature) {
					t.Errorf("ErrExpired does not match ErrBadSignature: %v", err)
				}
			}
		}
	}
}

// Encode does not check the size: the Manager checks the whole cookie
// once (see TestManagerTooLarge).
func TestEncodeLeavesSizeToManager(t *testing.T) {
	t.Parallel()
	sg := signer(t, "secret")
	now := time.Unix(djangoTime, 0)
	data := `{"blob":"` + randomText(t, 5000) + `"}`
	for _, o := range []cookiestore.Options{{}, {EncryptionKeys: [][]byte{key(2)}}} {
		s := mustNew(t, o)
		v, err := s.Encode(sg, []byte(data), now)
		if err != nil || len(v) <= sessions.MaxCookieSize {
			t.Fatalf("Encode of a 5000-byte session: %d bytes, %v; want a long value and no error", len(v), err)
		}
		if got, err := s.Decode(sg, v, djangoAge, now); err != nil || string(got) != data {
			t.Fatalf("Decode of a long value: %v", err)
		}
	}
}

// Without a signer (a Manager always passes one) Encode and Decode fail
// instead of panicking; a sealing store still seals and opens.
func TestNilSigner(t *testing.T) {
	t.Parallel()
	now := time.Unix(djangoTime, 0)
	s := mustNew(t, cookiestore.Options{})
	if _, err := s.Encode(nil, []byte(`{}`), now); err == nil {
		t.Fatal("Encode without a signer succeeded")
	}
	if _, err := s.Decode(nil, djangoEmpty, djangoAge, now); err == nil {
		t.Fatal("Decode without a signer succeeded")
	}
	sealed := mustNew(t, cookiestore.Options{EncryptionKeys: [][]byte{key(2)}})
	v := mustEncode(t, sealed, nil, `{}`, now)
	if got, err := sealed.Decode(nil, v, djangoAge, now); err != nil || string(got) != `{}` {
		t.Fatalf("sealed round trip without a signer: %q, %v", got, err)
	}
}

// randomText returns n incompressible base64url characters.
func randomText(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}
