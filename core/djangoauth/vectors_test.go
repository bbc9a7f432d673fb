package djangoauth_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/djangoauth"
)

// authVectors is the auth_hash section of one Django version's vectors
// (../testdata/django): a user with a fixed password hash, the hashes
// Django computes for it, and what get_user made of sessions holding them.
type authVectors struct {
	DjangoVersion string `json:"django_version"`
	Settings      struct {
		SecretKey string `json:"SECRET_KEY"`
	} `json:"settings"`
	Auth struct {
		User struct {
			PK       int64  `json:"pk"`
			Password string `json:"password_field"`
		} `json:"user"`
		SHA256    string `json:"session_auth_hash_sha256"`
		OldSecret string `json:"session_auth_hash_sha256_old_secret"`
		Login     struct {
			Session map[string]any `json:"session"`
		} `json:"login"`
		GetUser []struct {
			Name     string         `json:"name"`
			Session  map[string]any `json:"session"`
			Settings struct {
				Fallbacks []string `json:"SECRET_KEY_FALLBACKS"`
			} `json:"settings"`
			Accepted bool   `json:"accepted"`
			After    string `json:"session_after"`
		} `json:"get_user"`
	} `json:"auth_hash"`
}

func loadAuthVectors(t *testing.T) []authVectors {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "django", "vectors*.json"))
	if err != nil || len(paths) != 4 {
		t.Fatalf("want the vectors of 4 Django versions, found %v (%v)", paths, err)
	}
	var out []authVectors
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var v authVectors
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(v.Auth.GetUser) == 0 || v.Auth.User.Password == "" {
			t.Fatalf("%s: no auth_hash vectors", p)
		}
		out = append(out, v)
	}
	return out
}

// What each Django's get_user made of each session, Go makes of it with
// the matching Config.Django.Version: djangoauth.User names the vectors'
// user (pk 1, the default ModelBackend) and VerifyHash accepts its hash
// under SECRET_KEY and the case's SECRET_KEY_FALLBACKS exactly when
// Django logged the user in: the legacy SHA-1 hash on 3.2 only, the
// fallback secret's hash on 4.2+ only. Where Django found the user but
// rejected the hash it flushed the session, which is when a Go caller
// must Flush.
func TestAuthHashVectors(t *testing.T) {
	t.Parallel()
	for _, file := range loadAuthVectors(t) {
		version, err := sessions.ParseDjangoVersion(file.DjangoVersion)
		if err != nil {
			t.Fatal(err)
		}
		a := file.Auth
		secret := file.Settings.SecretKey
		if got := djangoauth.AuthHash(a.User.Password, secret); got != a.SHA256 || got != a.Login.Session[djangoauth.HashKey] {
			t.Errorf("Django %s: AuthHash = %s; get_session_auth_hash %s, login() stored %v", file.DjangoVersion, got, a.SHA256, a.Login.Session[djangoauth.HashKey])
		}
		for _, c := range a.GetUser {
			t.Run(file.DjangoVersion+"/"+c.Name, func(t *testing.T) {
				t.Parallel()
				s := djangoSession(t, sessions.Django{Version: version}, jsonValues(t, c.Session))
				id, backend, ok := djangoauth.User(s)
				found := ok && id == "1" && backend == "django.contrib.auth.backends.ModelBackend"
				verified := djangoauth.VerifyHash(s, a.User.Password, append([]string{secret}, c.Settings.Fallbacks...)...)
				if got := found && verified; got != c.Accepted {
					t.Errorf("user found %v, hash verified %v; Django's get_user accepted=%v (session %s)", found, verified, c.Accepted, c.After)
				}
				if flush := found && !verified; flush != (c.After == "flushed") {
					t.Errorf("Go would flush: %v; Django's session was %s", flush, c.After)
				}
			})
		}
	}
}

// jsonValues gives a session dict the types Go's JSON codec reads: whole
// numbers as int64.
func jsonValues(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	out := make(map[string]any, len(m))
	for k, v := range m {
		if f, ok := v.(float64); ok && f == float64(int64(f)) {
			v = int64(f)
		}
		out[k] = v
	}
	return out
}
