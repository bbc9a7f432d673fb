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

func newHarness(t *testing.T, o cookiestore.Options) *harness {
	t.Helper()
	h := &harness{now: time.Unix(djangoTime, 0)}
	m, err := sessions.New(sessions.Config{
		ClientStore: mustNew(t, o),
		Cookie:      sessions.CookieConfig{MaxAge: o.MaxAge},
		Clock:       func() time.Time { h.mu.Lock(); defer h.mu.Unlock(); return h.now },
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			h.mu.Lock()
			h.errs = append(h.errs, err)
			h.mu.Unlock()
			http.Error(w, "session error", http.StatusInternalServerError)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.m = m
	return h
}

// do runs handler for one request carrying cookie ("" for none) and
// returns the response and the session cookie it set (nil if none).
func (h *harness) do(t *testing.T, cookie string, handler func(s *sessions.Session)) (*http.Response, *http.Cookie) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler(sessions.FromContext(r.Context()))
		_, _ = io.WriteString(w, "ok")
	})).ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.Name == "sessionid" {
			return res, c
		}
	}
	return res, nil
}

func TestManagerRoundTrip(t *testing.T) {
	t.Parallel()
	for _, enc := range []bool{false, true} {
		o := cookiestore.Options{Secret: djangoSecret}
		if enc {
			o.EncryptionKeys = [][]byte{key(5)}
		}
		h := newHarness(t, o)
		_, c := h.do(t, "", func(s *sessions.Session) { s.Set("foo", "bar") })
		if c == nil {
			t.Fatal("no cookie set")
		}
		if !enc && c.Value != djangoFooBar {
			t.Fatalf("cookie = %q, want Django's %q", c.Value, djangoFooBar)
		}
		var got string
		_, c2 := h.do(t, c.Value, func(s *sessions.Session) { got = s.GetString("foo") })
		if got != "bar" || c2 != nil {
			t.Fatalf("enc=%v: read %q (cookie %v), want bar and no new cookie", enc, got, c2)
		}
	}
}

// A session too large for a cookie fails the save: the response is the
// error handler's, no cookie is sent, and the error names the size.
func TestManagerTooLarge(t *testing.T) {
	t.Parallel()
	for _, enc := range []bool{false, true} {
		o := cookiestore.Options{Secret: "secret"}
		if enc {
			o.EncryptionKeys = [][]byte{key(5)}
		}
		h := newHarness(t, o)
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

// The limit counts the cookie's name too: a value the store can encode
// still fails when name=value exceeds 4096 bytes.
func TestManagerTooLargeWithName(t *testing.T) {
	t.Parallel()
	store := mustNew(t, cookiestore.Options{Secret: "secret"})
	name := strings.Repeat("n", 300)
	// Find a session whose value fits the store's limit but not with the name.
	blob := randomText(t, 4000)
	n := 0
	for i := 2000; i < len(blob) && n == 0; i += 5 {
		v, err := store.Encode([]byte(`{"b":"`+blob[:i]+`"}`), time.Unix(djangoTime, 0))
		if err == nil && len(name)+1+len(v) > sessions.MaxCookieSize {
			n = i
		}
	}
	if n == 0 {
		t.Fatal("no session of the wanted size")
	}
	var got error
	m, err := sessions.New(sessions.Config{
		ClientStore:  store,
		Cookie:       sessions.CookieConfig{Name: name},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) { got = err; w.WriteHeader(500) },
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Set("b", blob[:n])
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Set-Cookie") != "" || !errors.Is(got, sessions.ErrCookieTooLarge) {
		t.Fatalf("status %d, Set-Cookie %q, err %v; want 500, none, ErrCookieTooLarge", rec.Code, rec.Header().Get("Set-Cookie"), got)
	}
}

// Flush deletes the cookie in this browser only: the old value still
// decodes. CycleKey re-signs; the old value stays valid until MaxAge.
func TestManagerFlushAndCycleCannotRevoke(t *testing.T) {
	t.Parallel()
	h := newHarness(t, cookiestore.Options{Secret: "secret", MaxAge: time.Hour})
	_, c := h.do(t, "", func(s *sessions.Session) { s.Set("user", "42") })
	old := c.Value

	h.mu.Lock()
	h.now = h.now.Add(time.Minute)
	h.mu.Unlock()
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

	h.mu.Lock()
	h.now = time.Unix(djangoTime, 0).Add(time.Hour + time.Second)
	h.mu.Unlock()
	user = "unset"
	_, c = h.do(t, old, func(s *sessions.Session) { user = s.GetString("user") })
	if user != "" {
		t.Fatalf("past MaxAge the old cookie still reads user %q", user)
	}
	if c == nil || c.MaxAge >= 0 {
		t.Fatalf("an expired cookie that was read is deleted; got %v", c)
	}
}

// A cookie that outlives its signature would log users out early: New
// refuses a manager whose cookie age exceeds the store's.
func TestManagerRefusesLongerCookieThanSignature(t *testing.T) {
	t.Parallel()
	_, err := sessions.New(sessions.Config{
		ClientStore: mustNew(t, cookiestore.Options{Secret: "secret", MaxAge: time.Hour}),
		Cookie:      sessions.CookieConfig{MaxAge: 2 * time.Hour},
	})
	if !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
}
