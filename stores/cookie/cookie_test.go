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

func mustNew(t testing.TB, o cookiestore.Options) *cookiestore.Store {
	t.Helper()
	s, err := cookiestore.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func mustEncode(t testing.TB, s *cookiestore.Store, data string, now time.Time) string {
	t.Helper()
	v, err := s.Encode([]byte(data), now)
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
		ok   bool
	}{
		{"defaults", cookiestore.Options{Secret: "s"}, true},
		{"no secret", cookiestore.Options{}, false},
		{"negative max age", cookiestore.Options{Secret: "s", MaxAge: -time.Second}, false},
		{"sub-second max age", cookiestore.Options{Secret: "s", MaxAge: time.Millisecond}, false},
		{"one second", cookiestore.Options{Secret: "s", MaxAge: time.Second}, true},
		{"32-byte key", cookiestore.Options{Secret: "s", EncryptionKeys: [][]byte{key(1)}}, true},
		{"31-byte key", cookiestore.Options{Secret: "s", EncryptionKeys: [][]byte{make([]byte, 31)}}, false},
		{"second key short", cookiestore.Options{Secret: "s", EncryptionKeys: [][]byte{key(1), []byte("short")}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := cookiestore.New(tt.opts)
			if tt.ok != (err == nil) {
				t.Fatalf("New: err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, sessions.ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
			if err == nil && s.MaxAge() <= 0 {
				t.Fatalf("MaxAge = %v", s.MaxAge())
			}
		})
	}
	if got := mustNew(t, cookiestore.Options{Secret: "s"}).MaxAge(); got != 1209600*time.Second {
		t.Fatalf("default MaxAge = %v, want Django's 1209600 s", got)
	}
}

// Values are byte-identical to Django's signed_cookies backend.
func TestDjangoBytes(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Options{Secret: djangoSecret})
	now := time.Unix(djangoTime, 0)
	for data, want := range map[string]string{`{"foo":"bar"}`: djangoFooBar, `{}`: djangoEmpty} {
		if got := mustEncode(t, s, data, now); got != want {
			t.Errorf("Encode(%s) = %s, want Django's %s", data, got, want)
		}
		got, err := s.Decode(want, now.Add(time.Minute))
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
		"signed":    mustNew(t, cookiestore.Options{Secret: "secret"}),
		"encrypted": mustNew(t, cookiestore.Options{Secret: "secret", EncryptionKeys: [][]byte{key(7)}}),
	}
	now := time.Unix(djangoTime, 0)
	for name, s := range stores {
		for _, data := range cases {
			v := mustEncode(t, s, data, now)
			for i := 0; i < len(v); i++ {
				if c := v[i]; !isCookieSafe(c) {
					t.Fatalf("%s: value %q has %q, not cookie-safe", name, v, c)
				}
			}
			got, signedAt, err := s.DecodeWithTime(v, now.Add(time.Hour))
			if err != nil || string(got) != data {
				t.Fatalf("%s: round trip of %.40s: %.40q, %v", name, data, got, err)
			}
			if !signedAt.Equal(now) {
				t.Fatalf("%s: signedAt = %v, want %v", name, signedAt, now)
			}
		}
	}
	if v := mustEncode(t, stores["signed"], big, now); !strings.HasPrefix(v, ".") {
		t.Fatalf("a compressible session is not compressed: %.20s", v)
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
	stores := map[string]*cookiestore.Store{
		"signed":    mustNew(t, cookiestore.Options{Secret: "secret"}),
		"encrypted": mustNew(t, cookiestore.Options{Secret: "secret", EncryptionKeys: [][]byte{key(7)}}),
	}
	for name, s := range stores {
		for _, data := range []string{`{"foo":"bar"}`, `{"k":"` + strings.Repeat("ab", 100) + `"}`} {
			v := mustEncode(t, s, data, now)
			for i := 0; i < len(v); i++ {
				for _, c := range []byte{'A', 'B', 'z', '0', '-', '_', '.', ':', '=', '\n'} {
					if v[i] == c {
						continue
					}
					bad := v[:i] + string(c) + v[i+1:]
					if got, err := s.Decode(bad, now); err == nil {
						t.Fatalf("%s: byte %d of %q changed to %q accepted: %s", name, i, v, c, got)
					}
				}
			}
			for _, bad := range []string{"", v[:len(v)-1], v + "A", v + "=", "=" + v, " " + v, v[1:]} {
				if _, err := s.Decode(bad, now); err == nil {
					t.Fatalf("%s: modified value %q accepted", name, bad)
				}
			}
		}
	}
}

// Django 3.2 with DEFAULT_HASHING_ALGORITHM = "sha1" signs with HMAC-SHA1
// (vector legacy_and_rotation.sha1_signature_new_format): read only when
// asked for.
func TestLegacySHA1(t *testing.T) {
	t.Parallel()
	const sha1Value = "eyJmb28iOiJiYXIifQ:1r31eq:QINO-kwMIplJUhdPZr_XnWL3TLM"
	now := time.Unix(djangoTime+60, 0)
	if _, err := mustNew(t, cookiestore.Options{Secret: djangoSecret}).Decode(sha1Value, now); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("SHA-1 value accepted by default: %v", err)
	}
	legacy := mustNew(t, cookiestore.Options{Secret: djangoSecret, AcceptLegacyFormats: true})
	if got, err := legacy.Decode(sha1Value, now); err != nil || string(got) != `{"foo":"bar"}` {
		t.Fatalf("AcceptLegacyFormats: Decode = %q, %v", got, err)
	}
	if v := mustEncode(t, legacy, `{"foo":"bar"}`, time.Unix(djangoTime, 0)); v != djangoFooBar {
		t.Fatalf("AcceptLegacyFormats changed what is written: %s", v)
	}
}

func TestWrongSecretOrSalt(t *testing.T) {
	t.Parallel()
	now := time.Unix(djangoTime, 0)
	v := mustEncode(t, mustNew(t, cookiestore.Options{Secret: "one"}), `{"a":1}`, now)
	for name, o := range map[string]cookiestore.Options{
		"other secret": {Secret: "two"},
		"db salt":      {Secret: "one", Salt: signing.SessionSalt},
	} {
		_, err := mustNew(t, o).Decode(v, now)
		if !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("%s: err = %v, want ErrBadSignature", name, err)
		}
	}
	if _, err := mustNew(t, cookiestore.Options{Secret: "one"}).Decode("garbage", now); !errors.Is(err, signing.ErrMalformed) {
		t.Errorf("garbage: err = %v, want ErrMalformed", err)
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	now := time.Unix(djangoTime, 0)
	oldOnly := mustNew(t, cookiestore.Options{Secret: "old"})
	newOnly := mustNew(t, cookiestore.Options{Secret: "new"})
	rotated := mustNew(t, cookiestore.Options{Secret: "new", Fallbacks: []string{"older", "old"}})

	oldValue := mustEncode(t, oldOnly, `{"a":1}`, now)
	if got, err := rotated.Decode(oldValue, now); err != nil || string(got) != `{"a":1}` {
		t.Fatalf("fallback secret not accepted: %q, %v", got, err)
	}
	fresh := mustEncode(t, rotated, `{"a":1}`, now)
	if _, err := newOnly.Decode(fresh, now); err != nil {
		t.Fatalf("new value not signed with the first secret: %v", err)
	}
	if _, err := oldOnly.Decode(fresh, now); err == nil {
		t.Fatal("new value signed with a fallback secret")
	}
	if fresh != mustEncode(t, newOnly, `{"a":1}`, now) {
		t.Fatal("fallbacks changed the signature")
	}
}

// A value exactly MaxAge old is accepted; one second more is not, whether
// signed or sealed. Timestamps in the future are accepted, as in Django.
func TestExpiryBoundary(t *testing.T) {
	t.Parallel()
	signed := time.Unix(djangoTime, 0)
	for _, maxAge := range []time.Duration{0, time.Hour, 10 * time.Second} {
		for _, enc := range []bool{false, true} {
			o := cookiestore.Options{Secret: "secret", MaxAge: maxAge}
			if enc {
				o.EncryptionKeys = [][]byte{key(3)}
			}
			s := mustNew(t, o)
			age := s.MaxAge()
			v := mustEncode(t, s, `{"a":1}`, signed)
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
				_, err := s.Decode(v, tt.now)
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

func TestTooLarge(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Options{Secret: "secret"})
	_, err := s.Encode([]byte(`{"blob":"`+randomText(t, 5000)+`"}`), time.Unix(djangoTime, 0))
	if !errors.Is(err, sessions.ErrCookieTooLarge) {
		t.Fatalf("err = %v, want ErrCookieTooLarge", err)
	}
	if !strings.Contains(err.Error(), "bytes") {
		t.Fatalf("error does not name the size: %v", err)
	}
}

// randomText returns n incompressible base64url characters.
func randomText(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}
