package django_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/signing"
)

// myStoreSalt is the salt of a Django project's `class MyStore(db.SessionStore)`.
const myStoreSalt = "django.contrib.sessions.MyStore"

// dbManager is a Manager for session_data (Django's db/cached_db/file
// format) over memstore; Encode and Decode need no database.
func dbManager(t *testing.T, cfg sessions.Config) *sessions.Manager {
	t.Helper()
	store := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = store.Close() })
	cfg.Store = store
	if cfg.Secret == "" {
		cfg.Secret = secret
	}
	if cfg.Clock == nil {
		cfg.Clock = func() time.Time { return at(T0) }
	}
	m, err := sessions.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A project that subclassed SessionStore as MyStore signs with
// "django.contrib.sessions.MyStore"; Config.Salt reads and writes it.
func TestCustomSalt(t *testing.T) {
	t.Parallel()
	want := map[string]any{"foo": "bar", "n": int64(1)}
	js := encodeJSON(t, want)
	custom := dbManager(t, sessions.Config{Salt: myStoreSalt})
	plain := dbManager(t, sessions.Config{})
	goValue, err := custom.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	res := django(t, defaults(),
		op{"op": "db_encode", "session_json": js, "store": "MyStore"},
		op{"op": "db_decode", "value": string(goValue), "store": "MyStore", "expect_json": js},
		op{"op": "db_decode", "value": string(goValue)},
	)
	got, err := custom.Decode([]byte(res[0].Value))
	if err != nil || d(want, got) != "" {
		t.Errorf("Go with Config.Salt reads MyStore's data: %v, %v", got, err)
	}
	if _, err := plain.Decode([]byte(res[0].Value)); err == nil {
		t.Error("Go with the default salt accepted MyStore's data")
	}
	if r := res[1]; !r.OK || r.Same == nil || !*r.Same {
		t.Errorf("MyStore reads Go's data: ok=%v %s", r.OK, r.SessionJSON)
	}
	if r := res[2]; r.OK {
		t.Errorf("the default SessionStore accepted data signed with MyStore's salt: %s", r.SessionJSON)
	}
}

// Secret fallbacks with Django 4.1's meaning: Go signs with the first
// secret and verifies with all. Django 3.2 has no SECRET_KEY_FALLBACKS, so
// Go's side is checked against the vectors' values signed with the old
// secret, and Django 3.2 is shown to accept what Go signs.
func TestSecretFallbacks(t *testing.T) {
	t.Parallel()
	v := loadVectors(t)
	fb := v.Legacy.Fallback
	want := map[string]any{"foo": "bar"}

	rotated := dbManager(t, sessions.Config{Secret: fb.CurrentSecret, SecretFallbacks: []string{fb.OldSecret}})
	current := dbManager(t, sessions.Config{Secret: fb.CurrentSecret})
	if got, err := rotated.Decode([]byte(fb.DBValue)); err != nil || d(want, got) != "" {
		t.Errorf("session_data signed with the old secret: %v, %v", got, err)
	}
	if _, err := current.Decode([]byte(fb.DBValue)); err == nil {
		t.Error("accepted without the fallback")
	}
	c := newClock(T0 + 60)
	mc := cookieManager(t, c, sessions.Config{Secret: fb.CurrentSecret, SecretFallbacks: []string{fb.OldSecret}})
	var got map[string]any
	_, set := serve(t, mc, fb.CookieValue, func(s *sessions.Session) { got = s.Values(); s.Set("seen", true) })
	if d(want, got) != "" || set == nil {
		t.Fatalf("cookie signed with the old secret: %v, re-sent %v", got, set)
	}

	goData, err := rotated.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	if plainData, _ := current.Encode(want); string(goData) != string(plainData) {
		t.Fatalf("fallbacks changed what Go signs: %s vs %s", goData, plainData)
	}
	cfg := defaults()
	cfg.Secret = fb.CurrentSecret
	res := django(t, cfg,
		op{"op": "db_decode", "value": string(goData), "expect_json": encodeJSON(t, want)},
		op{"op": "cookie_load", "value": set.Value, "expect_json": `{"foo":"bar","seen":true}`, "now": T0 + 60},
	)
	for i, r := range res {
		if !r.OK || r.Same == nil || !*r.Same {
			t.Errorf("Django 3.2 with SECRET_KEY = the first secret rejects Go's value %d: %s", i, r.SessionJSON)
		}
	}
}

// Django 3.2 with DEFAULT_HASHING_ALGORITHM = "sha1" writes the pre-3.1
// base64 session_data and SHA-1-signed cookies; Go reads them only with
// AcceptLegacyFormats (off by default).
func TestLegacyFormats(t *testing.T) {
	t.Parallel()
	want := map[string]any{"foo": "bar", "name": "Zoë", "n": int64(7)}
	js := encodeJSON(t, want)
	cfg := defaults()
	cfg.Hashing = "sha1"
	res := django(t, cfg,
		op{"op": "db_encode", "session_json": js},
		op{"op": "db_encode", "session_json": js, "store": "MyStore"},
		op{"op": "cookie_save", "session_json": js, "now": T0},
		op{"op": "dumps", "session_json": js, "salt": signing.SessionSalt, "now": T0},
	)
	base64Data, myStoreData, sha1Cookie, sha1Data := res[0].Value, res[1].Value, res[2].Value, res[3].Value
	if strings.Contains(base64Data, ":") || len(sha1Cookie)-strings.LastIndexByte(sha1Cookie, ':')-1 != 27 {
		t.Fatalf("Django did not write the legacy formats: %s / %s", base64Data, sha1Cookie)
	}

	legacy := dbManager(t, sessions.Config{AcceptLegacyFormats: true})
	legacyMy := dbManager(t, sessions.Config{AcceptLegacyFormats: true, Salt: myStoreSalt})
	strict := dbManager(t, sessions.Config{})
	for name, tc := range map[string]struct {
		m     *sessions.Manager
		value string
	}{
		"pre-3.1 base64 session_data":          {legacy, base64Data},
		"pre-3.1 base64 session_data, MyStore": {legacyMy, myStoreData},
		"SHA-1-signed session_data":            {legacy, sha1Data},
	} {
		got, err := tc.m.Decode([]byte(tc.value))
		if err != nil || d(want, got) != "" {
			t.Errorf("%s with AcceptLegacyFormats: %v, %v", name, got, err)
		}
		if _, err := strict.Decode([]byte(tc.value)); err == nil {
			t.Errorf("%s accepted by default", name)
		}
	}

	c := newClock(T0 + 60)
	for _, accept := range []bool{true, false} {
		m := cookieManager(t, c, sessions.Config{AcceptLegacyFormats: accept})
		var got map[string]any
		serve(t, m, sha1Cookie, func(s *sessions.Session) { got = s.Values() })
		if accept != (d(want, got) == "") {
			t.Errorf("SHA-1-signed cookie with AcceptLegacyFormats=%v read as %v", accept, got)
		}
	}
}

// vectors is the part of one Django version's vectors (the copies in
// core/testdata/django of Django 3.2.25, 4.2.30, 5.2.14 and 6.0.5) these
// tests use.
type vectors struct {
	DjangoVersion string `json:"django_version"`
	Settings      struct {
		SecretKey string `json:"SECRET_KEY"`
	} `json:"settings"`
	Legacy struct {
		Fallback struct {
			CurrentSecret string `json:"current_secret"`
			OldSecret     string `json:"old_secret"`
			CookieValue   string `json:"signed_cookie_value_signed_with_old_secret"`
			DBValue       string `json:"db_session_data_signed_with_old_secret"`
		} `json:"fallback_key"`
	} `json:"legacy_and_rotation"`
	Middleware []middlewareVector `json:"middleware"`
}

type middlewareVector struct {
	Desc          string         `json:"desc"`
	Engine        string         `json:"engine"`
	RequestCookie *string        `json:"request_cookie"`
	Settings      map[string]any `json:"settings"`
	Status        int            `json:"status"`
	Now           int64          `json:"now"`
	SetCookie     []string       `json:"set_cookie_headers"`
	Vary          *string        `json:"vary"`
}

// vectorDir holds the vectors, shared with core's tests.
const vectorDir = "../../core/testdata/django"

// loadAllVectors reads the vectors of every Django version, oldest first.
func loadAllVectors(t *testing.T) []*vectors {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(vectorDir, "vectors*.json"))
	if err != nil || len(paths) != 4 {
		t.Fatalf("want the vectors of 4 Django versions in %s, found %v (%v)", vectorDir, paths, err)
	}
	var out []*vectors
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		v := new(vectors)
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *vectors) int { return strings.Compare(a.DjangoVersion, b.DjangoVersion) })
	return out
}

// loadVectors returns Django 3.2's vectors, the version the live tests run.
func loadVectors(t *testing.T) *vectors {
	t.Helper()
	return loadAllVectors(t)[0]
}
