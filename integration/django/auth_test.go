package django_test

import (
	"path/filepath"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/djangoauth"
)

// Django's login, seen from Go: a real user logged in by Django 3.2's
// django.contrib.auth.login into a signed-cookie session is reported by
// djangoauth.User, and djangoauth.VerifyHash with Config.Django.Version
// 3.2 accepts the session against the password hash from the database
// until the password changes in Django. Configured for Django 4.0+ (the
// default), Go rejects the legacy SHA-1 login as those versions do, and
// accepts the SHA-256 one. A login written by Go with djangoauth.AuthHash
// is accepted by Django's get_user.
func TestDjangoLogin(t *testing.T) {
	t.Parallel()
	for _, hashing := range []string{"sha256", "sha1"} {
		t.Run(hashing, func(t *testing.T) {
			t.Parallel()
			testDjangoLogin(t, hashing)
		})
	}
}

func testDjangoLogin(t *testing.T, hashing string) {
	cfg := defaults()
	cfg.Engine = "signed_cookies"
	cfg.Auth = true
	cfg.Hashing = hashing
	cfg.Database = &dbConfig{Engine: "sqlite", Name: filepath.Join(t.TempDir(), "auth.sqlite3")}
	res := django(t, cfg,
		op{"op": "migrate"},
		op{"op": "login", "username": "alice", "password": "correct horse", "now": T0},
		op{"op": "set_password", "username": "alice", "password": "battery staple"},
	)
	login, changed := res[1], res[2]
	if login.UserID == nil || login.PasswordHash == "" || changed.PasswordHash == login.PasswordHash {
		t.Fatalf("helper login: %+v, new hash %q", login, changed.PasswordHash)
	}

	// Under DEFAULT_HASHING_ALGORITHM = "sha1", Django 3.2 signs the cookie
	// with SHA-1 and stores the SHA-1 auth hash.
	c := newClock(T0 + 60)
	m := cookieManager(t, c, sessions.Config{AcceptLegacyFormats: hashing == "sha1", Django: sessions.Django{Version: sessions.Django32}})
	modern := cookieManager(t, c, sessions.Config{AcceptLegacyFormats: hashing == "sha1"})
	var id, backend string
	var ok, valid, validAfterChange, validOtherSecret, validModern bool
	serve(t, m, login.Key, func(s *sessions.Session) {
		id, backend, ok = djangoauth.User(s)
		valid = djangoauth.VerifyHash(s, login.PasswordHash, secret)
		validAfterChange = djangoauth.VerifyHash(s, changed.PasswordHash, secret)
		validOtherSecret = djangoauth.VerifyHash(s, login.PasswordHash, "another-secret")
	})
	serve(t, modern, login.Key, func(s *sessions.Session) {
		validModern = djangoauth.VerifyHash(s, login.PasswordHash, secret)
	})
	if validModern != (hashing == "sha256") {
		t.Errorf("configured for Django 4.0+, VerifyHash on 3.2's %s login = %v", hashing, validModern)
	}
	if !ok || id != *login.UserID || backend != "django.contrib.auth.backends.ModelBackend" {
		t.Fatalf("User = %q, %q, %v; Django logged in user %s (session %s)", id, backend, ok, *login.UserID, login.SessionJSON)
	}
	if !valid {
		t.Fatalf("VerifyHash rejects Django's session for the user's password hash (session %s)", login.SessionJSON)
	}
	if validAfterChange {
		t.Fatal("VerifyHash accepts the session after the password changed in Django")
	}
	if validOtherSecret {
		t.Fatal("VerifyHash accepts the session under another secret")
	}
	if hashing != "sha256" {
		return
	}

	// Go logs alice in with her new password hash; Django's get_user
	// accepts the session. With a stale hash it does not.
	goLogin := func(hash string) string {
		_, set := serve(t, m, "", func(s *sessions.Session) {
			s.Set(djangoauth.UserIDKey, *login.UserID)
			s.Set(djangoauth.BackendKey, "django.contrib.auth.backends.ModelBackend")
			s.Set(djangoauth.HashKey, djangoauth.AuthHash(hash, secret))
		})
		return set.Value
	}
	res = django(t, cfg,
		op{"op": "get_user", "key": goLogin(changed.PasswordHash), "now": T0 + 60},
		op{"op": "get_user", "key": goLogin(login.PasswordHash), "now": T0 + 60},
	)
	if r := res[0]; !r.Authenticated || r.UserID == nil || *r.UserID != *login.UserID {
		t.Errorf("Django's get_user on Go's login: authenticated=%v user %v", r.Authenticated, r.UserID)
	}
	if r := res[1]; r.Authenticated {
		t.Error("Django's get_user accepted Go's login with a stale password hash")
	}
}
