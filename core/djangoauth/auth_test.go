package djangoauth_test

import (
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/djangoauth"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// Computed by Django 3.2.25's salted_hmac for this password hash.
const (
	secret       = "django-insecure-example-secret"
	passwordHash = "pbkdf2_sha256$260000$examplesalt$Ab3J4nXyNhT4RkLOrCkWYr5lDgBFrJ0T0pKPHO0UKrA="
	hashSHA256   = "f15c2d33e2c01ada60363ac5bda6344099d21c5f9deb3a155f1a9fe53e3c6008"
	hashSHA1     = "94fa385ada588b6d288e889a69d5a57018ebddf6"
	hashOld      = "bb94144571b446b1a9ca724260ce71e62e4a48aeb8cb12a8759771d58bcb7860" // secret "old-secret"
)

func session(t *testing.T, values map[string]any) *sessions.Session {
	t.Helper()
	return djangoSession(t, sessions.Django{}, values)
}

// djangoSession is a session of a Manager whose Config.Django is dj.
func djangoSession(t *testing.T, dj sessions.Django, values map[string]any) *sessions.Session {
	t.Helper()
	store := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = store.Close() })
	m, err := sessions.New(sessions.Config{Store: store, Secret: secret, Django: dj})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Open(t.Context(), "")
	for k, v := range values {
		s.Set(k, v)
	}
	return s
}

func TestUser(t *testing.T) {
	t.Parallel()
	const backend = "django.contrib.auth.backends.ModelBackend"
	tests := []struct {
		name   string
		values map[string]any
		id     string
		ok     bool
	}{
		{"django", map[string]any{"_auth_user_id": "42", "_auth_user_backend": backend}, "42", true},
		{"uuid pk", map[string]any{"_auth_user_id": "0b5e2c8a-6f1e-4c1a-9d7e-2f3b4a5c6d7e", "_auth_user_backend": backend}, "0b5e2c8a-6f1e-4c1a-9d7e-2f3b4a5c6d7e", true},
		{"integer id", map[string]any{"_auth_user_id": int64(7), "_auth_user_backend": backend}, "7", true},
		{"anonymous", map[string]any{"foo": "bar"}, "", false},
		{"no backend", map[string]any{"_auth_user_id": "42"}, "", false},
		{"bad id type", map[string]any{"_auth_user_id": []any{1}, "_auth_user_backend": backend}, "", false},
		{"empty id", map[string]any{"_auth_user_id": "", "_auth_user_backend": backend}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, b, ok := djangoauth.User(session(t, tt.values))
			if id != tt.id || ok != tt.ok || (ok && b != backend) {
				t.Fatalf("User = %q, %q, %v; want %q, %v", id, b, ok, tt.id, tt.ok)
			}
		})
	}
}

func TestVerifyHash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		hash    any
		pw      string
		secrets []string
		// want by Django version: 3.2, 4.0, 4.1 and later (and zero).
		want3, want40, want41 bool
	}{
		{"sha256", hashSHA256, passwordHash, []string{secret}, true, true, true},
		{"sha1 legacy", hashSHA1, passwordHash, []string{secret}, true, false, false},
		{"sha1 legacy, fallbacks given", hashSHA1, passwordHash, []string{secret, "old-secret"}, true, false, false},
		{"fallback secret", hashOld, passwordHash, []string{secret, "old-secret"}, false, false, true},
		{"fallback not given", hashOld, passwordHash, []string{secret}, false, false, false},
		{"password changed", hashSHA256, passwordHash + "x", []string{secret}, false, false, false},
		{"wrong secret", hashSHA256, passwordHash, []string{"other"}, false, false, false},
		{"current secret second", hashSHA256, passwordHash, []string{"other", secret}, false, false, true},
		{"no secrets", hashSHA256, passwordHash, nil, false, false, false},
		{"upper-case hex", "F15C2D33E2C01ADA60363AC5BDA6344099D21C5F9DEB3A155F1A9FE53E3C6008", passwordHash, []string{secret}, false, false, false},
		{"no hash", nil, passwordHash, []string{secret}, false, false, false},
		{"hash not a string", int64(1), passwordHash, []string{secret}, false, false, false},
	}
	versions := []struct {
		v    sessions.DjangoVersion
		want func(w3, w40, w41 bool) bool
	}{
		{sessions.Django32, func(w3, _, _ bool) bool { return w3 }},
		{400, func(_, w40, _ bool) bool { return w40 }},
		{401, func(_, _, w41 bool) bool { return w41 }},
		{sessions.Django42, func(_, _, w41 bool) bool { return w41 }},
		{0, func(_, _, w41 bool) bool { return w41 }},
	}
	for _, tt := range tests {
		for _, ver := range versions {
			t.Run(tt.name+"/"+ver.v.String(), func(t *testing.T) {
				t.Parallel()
				values := map[string]any{"_auth_user_id": "1"}
				if tt.hash != nil {
					values["_auth_user_hash"] = tt.hash
				}
				s := djangoSession(t, sessions.Django{Version: ver.v}, values)
				want := ver.want(tt.want3, tt.want40, tt.want41)
				if got := djangoauth.VerifyHash(s, tt.pw, tt.secrets...); got != want {
					t.Fatalf("VerifyHash = %v, want %v", got, want)
				}
			})
		}
	}
	if got := djangoauth.AuthHash(passwordHash, secret); got != hashSHA256 {
		t.Fatalf("AuthHash = %s, want Django's %s", got, hashSHA256)
	}
}
