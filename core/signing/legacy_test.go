package signing

import (
	"encoding/base64"
	"errors"
	"testing"
)

func TestDecodeLegacySession(t *testing.T) {
	v := loadVectors(t)
	suite := v.Legacy.Pre31Suite
	if suite.HashKeySalt != "django.contrib.sessions"+"SessionStore" || v.Salts.LegacyHashSalt != suite.HashKeySalt {
		t.Fatalf("unexpected legacy salt %q", suite.HashKeySalt)
	}
	_, wantJSON, _ := cut(suite.Base64Decoded)
	got, err := DecodeLegacySession(suite.Value, []string{suite.Secret}, "SessionStore")
	if err != nil || string(got) != wantJSON {
		t.Errorf("test-suite vector: %q, %v", got, err)
	}
	// Empty storeClass means SessionStore; fallbacks are tried in order.
	got, err = DecodeLegacySession(suite.Value, []string{"wrong", suite.Secret}, "")
	if err != nil || string(got) != wantJSON {
		t.Errorf("with a fallback secret: %q, %v", got, err)
	}

	vec := v.Legacy.Pre31Vector
	got, err = DecodeLegacySession(vec.Value, []string{vec.Secret}, "SessionStore")
	if err != nil || !jsonEqual(t, got, vec.Session) {
		t.Errorf("vector-secret value: %q, %v", got, err)
	}

	bad := []struct {
		name, value string
		secrets     []string
		class       string
		want        error
	}{
		{"wrong secret", vec.Value, []string{"nope"}, "SessionStore", ErrBadSignature},
		{"wrong store class", vec.Value, []string{vec.Secret}, "MyStore", ErrBadSignature},
		{"no secrets", vec.Value, nil, "SessionStore", nil},
		{"missing padding", vec.Value[:len(vec.Value)-2], []string{vec.Secret}, "", ErrMalformed},
		{"not base64", "!!!!", []string{vec.Secret}, "", ErrMalformed},
		{"no colon", base64.StdEncoding.EncodeToString([]byte("abc")), []string{vec.Secret}, "", ErrMalformed},
		{"non-ASCII", vec.Value + "é", []string{vec.Secret}, "", ErrMalformed},
		{"upper-case hex", upperHex(vec.Value), []string{vec.Secret}, "", ErrBadSignature},
		{"new format", "eyJmb28iOiJiYXIifQ:1r31eq:cGNBUlcKIT4fcz3Jc0UC6N7mdrAK2t7n5hkGeD1TTKU", []string{vec.Secret}, "", ErrMalformed},
		{"Django's garbage test", base64.StdEncoding.EncodeToString([]byte("flaskdj:alkdjf")), []string{vec.Secret}, "", ErrBadSignature},
	}
	for _, c := range bad {
		got, err := DecodeLegacySession(c.value, c.secrets, c.class)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %q, %v; want %v", c.name, got, err, c.want)
		}
	}
}

func cut(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// upperHex re-encodes a legacy value with its hex digest in upper case.
func upperHex(v string) string {
	raw, _ := base64.StdEncoding.DecodeString(v)
	for i := 0; i < 40; i++ {
		if raw[i] >= 'a' && raw[i] <= 'f' {
			raw[i] -= 'a' - 'A'
		}
	}
	return base64.StdEncoding.EncodeToString(raw)
}
