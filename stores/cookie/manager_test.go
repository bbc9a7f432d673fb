package cookiestore_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/signing"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

// harness serves one Manager over the cookie store with a pinned clock and
// records the commit errors its error handler saw.
type harness struct {
	m    *sessions.Manager
	mu   sync.Mutex
	errs []error
	now  time.Time
}

// newHarness builds a Manager from cfg; a nil ClientStore is a signing
// cookie store, and Clock and ErrorHandler are the harness's.
func newHarness(t *testing.T, cfg sessions.Config) *harness {
	t.Helper()
	h := &harness{now: time.Unix(djangoTime, 0)}
	if cfg.ClientStore == nil {
		cfg.ClientStore = mustNew(t, cookiestore.Options{})
	}
	cfg.Clock = func() time.Time { h.mu.Lock(); defer h.mu.Unlock(); return h.now }
	cfg.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
		h.mu.Lock()
		h.errs = append(h.errs, err)
		h.mu.Unlock()
		http.Error(w, "session error", http.StatusInternalServerError)
	}
	m, err := sessions.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.m = m
	return h
}

func (h *harness) setNow(now time.Time) {
	h.mu.Lock()
	h.now = now
	h.mu.Unlock()
}

// do runs handler for one request carrying cookie ("" for none) and
// returns the response and the session cookie it set (nil if none).
func (h *harness) do(t *testing.T, cookie string, handler func(s *sessions.Session)) (*http.Response, *http.Cookie) {
	t.Helper()
	name := h.m.Config().Cookie.Name
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: name, Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler(sessions.FromContext(r.Context()))
		_, _ = io.WriteString(w, "ok")
	})).ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.Name == name {
			return res, c
		}
	}
	return res, nil
}

// read returns what the session of cookie holds under "foo" ("" for a
// fresh session) and the cookie the request set.
func (h *harness) read(t *testing.T, cookie string) (string, *http.Cookie) {
	t.Helper()
	var got string
	_, c := h.do(t, cookie, func(s *sessions.Session) { got = s.GetString("foo") })
	return got, c
}

func TestManagerRoundTrip(t *testing.T) {
	t.Parallel()
	for _, enc := range []bool{false, true} {
		var o cookiestore.Options
		if enc {
			o.EncryptionKeys = [][]byte{key(5)}
		}
		h := newHarness(t, sessions.Config{ClientStore: mustNew(t, o), Secret: djangoSecret})
		_, c := h.do(t, "", func(s *sessions.Session) { s.Set("foo", "bar") })
		if c == nil {
			t.Fatal("no cookie set")
		}
		if !enc && c.Value != djangoFooBar {
			t.Fatalf("cookie = %q, want Django's %q", c.Value, djangoFooBar)
		}
		if got, c2 := h.read(t, c.Value); got != "bar" || c2 != nil {
			t.Fatalf("enc=%v: read %q (cookie %v), want bar and no new cookie", enc, got, c2)
		}
	}
}

// The cookie store signs with Config.Secret, so a Manager over it requires
// one; core refuses the Config, not the first request.
func TestManagerRequiresSecret(t *testing.T) {
	t.Parallel()
	for _, o := range []cookiestore.Options{{}, {EncryptionKeys: [][]byte{key(1)}}} {
		_, err := sessions.New(sessions.Config{ClientStore: mustNew(t, o)})
		if !errors.Is(err, sessions.ErrInvalidConfig) || !strings.Contains(err.Error(), "Secret") {
			t.Fatalf("no Secret: err = %v, want ErrInvalidConfig naming Secret", err)
		}
	}
}

// Config.Cookie.MaxAge is the one age: the cookie's Max-Age and how long
// its signed (or sealed) value is accepted. A value exactly MaxAge old is
// read; one second more is a fresh session, and the stale cookie deleted.
func TestManagerMaxAgeGovernsCookieAndSignature(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		maxAge, want time.Duration
	}{
		{0, sessions.DefaultCookieAge},
		{time.Hour, time.Hour},
		{10 * time.Second, 10 * time.Second},
	} {
		for _, enc := range []bool{false, true} {
			var o cookiestore.Options
			if enc {
				o.EncryptionKeys = [][]byte{key(6)}
			}
			h := newHarness(t, sessions.Config{
				ClientStore: mustNew(t, o),
				Secret:      "secret",
				Cookie:      sessions.CookieConfig{MaxAge: tc.maxAge},
			})
			signed := time.Unix(djangoTime, 0)
			_, c := h.do(t, "", func(s *sessions.Session) { s.Set("foo", "bar") })
			if c == nil || time.Duration(c.MaxAge)*time.Second != tc.want {
				t.Fatalf("MaxAge=%v enc=%v: cookie %v, want Max-Age=%d", tc.maxAge, enc, c, int(tc.want.Seconds()))
			}
			h.setNow(signed.Add(tc.want))
			if got, _ := h.read(t, c.Value); got != "bar" {
				t.Errorf("MaxAge=%v enc=%v: a cookie exactly MaxAge old reads %q, want bar", tc.maxAge, enc, got)
			}
			h.setNow(signed.Add(tc.want + time.Second))
			got, del := h.read(t, c.Value)
			if got != "" {
				t.Errorf("MaxAge=%v enc=%v: a cookie MaxAge+1s old reads %q, want a fresh session", tc.maxAge, enc, got)
			}
			if del == nil || del.MaxAge >= 0 {
				t.Errorf("MaxAge=%v enc=%v: an expired cookie that was read is deleted; got %v", tc.maxAge, enc, del)
			}
		}
	}
}

// Config.SecretFallbacks are accepted when reading a cookie; the re-saved
// cookie is signed with Config.Secret.
func TestManagerSecretFallbacks(t *testing.T) {
	t.Parallel()
	oldH := newHarness(t, sessions.Config{Secret: "old"})
	newH := newHarness(t, sessions.Config{Secret: "new"})
	rotated := newHarness(t, sessions.Config{Secret: "new", SecretFallbacks: []string{"older", "old"}})

	_, c := oldH.do(t, "", func(s *sessions.Session) { s.Set("foo", "bar") })
	if got, _ := rotated.read(t, c.Value); got != "bar" {
		t.Fatalf("a cookie signed with a fallback secret reads %q, want bar", got)
	}
	if got, _ := newH.read(t, c.Value); got != "" {
		t.Fatalf("without the fallback the old cookie reads %q", got)
	}
	_, fresh := rotated.do(t, c.Value, func(s *sessions.Session) { s.Set("seen", true) })
	if fresh == nil {
		t.Fatal("no cookie re-sent")
	}
	if got, _ := newH.read(t, fresh.Value); got != "bar" {
		t.Fatalf("the re-saved cookie is not signed with Secret: reads %q", got)
	}
	if got, _ := oldH.read(t, fresh.Value); got != "" {
		t.Fatal("the re-saved cookie is signed with a fallback secret")
	}
}

// Django 3.2 with DEFAULT_HASHING_ALGORITHM = "sha1" signs with HMAC-SHA1
// (vector legacy_and_rotation.sha1_signature_new_format): read only with
// Config.AcceptLegacyFormats, and re-saved with SHA-256.
func TestManagerLegacySHA1(t *testing.T) {
	t.Parallel()
	const sha1Value = "eyJmb28iOiJiYXIifQ:1r31eq:QINO-kwMIplJUhdPZr_XnWL3TLM"
	strict := newHarness(t, sessions.Config{Secret: djangoSecret})
	if got, _ := strict.read(t, sha1Value); got != "" {
		t.Fatalf("SHA-1 cookie read by default: %q", got)
	}
	legacy := newHarness(t, sessions.Config{Secret: djangoSecret, AcceptLegacyFormats: true})
	var got string
	_, c := legacy.do(t, sha1Value, func(s *sessions.Session) {
		got = s.GetString("foo")
		s.Set("foo", "bar") // re-save
	})
	if got != "bar" {
		t.Fatalf("AcceptLegacyFormats: read %q, want bar", got)
	}
	if c == nil || c.Value != djangoFooBar {
		t.Fatalf("AcceptLegacyFormats: re-saved as %v, want Django's SHA-256 %s", c, djangoFooBar)
	}
}

// Config.Salt, when set, signs the cookies (the store gets it through the
// signer); the default is signing.CookieSalt, Django's.
func TestManagerSalt(t *testing.T) {
	t.Parallel()
	custom := newHarness(t, sessions.Config{Secret: "secret", Salt: "my salt"})
	_, c := custom.do(t, "", func(s *sessions.Session) { s.Set("foo", "bar") })
	sg, err := signing.New(signing.Options{Secret: "secret", Salt: "my salt"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sg.Loads(c.Value, 0, time.Unix(djangoTime, 0)); err != nil {
		t.Fatalf("cookie not signed with Config.Salt: %v", err)
	}
	if got, _ := newHarness(t, sessions.Config{Secret: "secret"}).read(t, c.Value); got != "" {
		t.Fatal("a cookie signed with another salt was read")
	}
}

// A session too large for a cookie fails the save: the response is the
// error handler's, no cookie is sent, and the error names the size.
func TestManagerTooLarge(t *testing.T) {
	t.Parallel()
	for _, enc := range []bool{false, true} {
		var o cookiestore.Options
		if enc {
			o.EncryptionKeys = [][]byte{key(5)}
		}
		h := newHarness(t, sessions.Config{ClientStore: mustNew(t, o), Secret: "secret"})
		blob := randomText(t, 4000)
		res, c := h.do(t, "", func(s *sessions.Session) { s.Set("blob", blob) })
		if res.StatusCode != http.StatusInternalServerError || c != nil {
			t.Fatalf("enc=%v: status %d, cookie %v; want 500 and no cookie", enc, res.StatusCode, c)
		}
		if len(h.errs) != 1 || !errors.Is(h.errs[0], sessions.ErrCookieTooLarge) {
			t.Fatalf("enc=%v: errors %v, want one ErrCookieTooLarge", enc, h.errs)
		}
		if msg := h.errs[0].Error(); !strings.Contains(msg, "bytes") {
			t.Fatalf("error does not name the size: %s", msg)
		}
		// Just under the limit still works.
		res, c = h.do(t, "", func(s *sessions.Session) { s.Set("blob", blob[:2900]) })
		if res.StatusCode != http.StatusOK || c == nil || len("sessionid=")+len(c.Value) > sessions.MaxCookieSize {
			t.Fatalf("enc=%v: a session under the limit: status %d, cookie %v", enc, res.StatusCode, c)
		}
	}
}

// The limit counts the cookie's name too: a session whose cookie fits
// under the default name fails under a 300-byte one.
func TestManagerTooLargeWithName(t *testing.T) {
	t.Parallel()
	store := mustNew(t, cookiestore.Options{})
	sg := signer(t, "secret")
	name := strings.Repeat("n", 300)
	// Find a session whose value fits with the default name but not with
	// the long one.
	blob := randomText(t, 4000)
	n := 0
	for i := 2000; i < len(blob) && n == 0; i += 5 {
		v := mustEncode(t, store, sg, `{"b":"`+blob[:i]+`"}`, time.Unix(djangoTime, 0))
		if len(sessions.DefaultCookieName)+1+len(v) <= sessions.MaxCookieSize && len(name)+1+len(v) > sessions.MaxCookieSize {
			n = i
		}
	}
	if n == 0 {
		t.Fatal("no session of the wanted size")
	}
	h := newHarness(t, sessions.Config{ClientStore: store, Secret: "secret", Cookie: sessions.CookieConfig{Name: name}})
	res, c := h.do(t, "", func(s *sessions.Session) { s.Set("b", blob[:n]) })
	if res.StatusCode != http.StatusInternalServerError || c != nil || len(h.errs) != 1 || !errors.Is(h.errs[0], sessions.ErrCookieTooLarge) {
		t.Fatalf("status %d, cookie %v, errors %v; want 500, none, ErrCookieTooLarge", res.StatusCode, c, h.errs)
	}
	short := newHarness(t, sessions.Config{ClientStore: store, Secret: "secret"})
	if res, c := short.do(t, "", func(s *sessions.Session) { s.Set("b", blob[:n]) }); res.StatusCode != http.StatusOK || c == nil {
		t.Fatalf("under the default name: status %d, cookie %v; want 200 and a cookie", res.StatusCode, c)
	}
}

// Flush deletes the cookie in this browser only: the old value still
// decodes. CycleKey re-signs; the old value stays valid until MaxAge.
func TestManagerFlushAndCycleCannotRevoke(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sessions.Config{Secret: "secret", Cookie: sessions.CookieConfig{MaxAge: time.Hour}})
	_, c := h.do(t, "", func(s *sessions.Session) { s.Set("user", "42") })
	old := c.Value

	h.setNow(time.Unix(djangoTime, 0).Add(time.Minute))
	_, del := h.do(t, old, func(s *sessions.Session) { _ = s.Flush() })
	if del == nil || del.MaxAge >= 0 || del.Value != "" {
		t.Fatalf("flush: cookie %v, want a deletion", del)
	}
	_, cyc := h.do(t, old, func(s *sessions.Session) { _ = s.CycleKey() })
	if cyc == nil || cyc.Value == old {
		t.Fatalf("cycle: cookie %v, want a re-signed value", cyc)
	}
	var user string
	h.do(t, old, func(s *sessions.Session) { user = s.GetString("user") })
	if user != "42" {
		t.Fatalf("after flush and cycle the old cookie reads user %q: a cookie store cannot revoke it", user)
	}

	h.setNow(time.Unix(djangoTime, 0).Add(time.Hour + time.Second))
	user = "unset"
	_, c = h.do(t, old, func(s *sessions.Session) { user = s.GetString("user") })
	if user != "" {
		t.Fatalf("past MaxAge the old cookie still reads user %q", user)
	}
	if c == nil || c.MaxAge >= 0 {
		t.Fatalf("an expired cookie that was read is deleted; got %v", c)
	}
}
