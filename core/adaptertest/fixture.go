package adaptertest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// NewServerFunc builds an adapter's handler: m's middleware in front of
// routes, registered on the adapter's framework.
type NewServerFunc func(t *testing.T, m *sessions.Manager, routes Routes) http.Handler

// fixture is one subtest's world: a counting store, a manager with a fixed
// clock, and a real server running the adapter.
type fixture struct {
	t      *testing.T
	store  *Store
	m      *sessions.Manager
	client *Client
	now    time.Time
	name   string // cookie name

	// barrier holds the two concurrent writers until both have loaded.
	barrier sync.WaitGroup
}

func setup(t *testing.T, newServer NewServerFunc, edit func(*sessions.Config)) *fixture {
	t.Helper()
	// A fixed clock makes Expires exact; records still live for the
	// configured age on the store's real clock.
	now := time.Now().Truncate(time.Second)
	f := &fixture{t: t, store: NewStore(t), now: now}
	f.m = NewManager(t, f.store, func(c *sessions.Config) {
		c.Clock = func() time.Time { return now }
		if edit != nil {
			edit(c)
		}
	})
	f.name = f.m.Config().Cookie.Name
	f.client = NewClient(t, newServer(t, f.m, f.routes()))
	return f
}

func (f *fixture) routes() Routes {
	return Routes{
		{Path: "/untouched", Kind: Respond, Handle: func(*sessions.Session) (int, string) {
			return http.StatusOK, "untouched"
		}},
		{Path: "/read", Kind: Respond, Handle: func(s *sessions.Session) (int, string) {
			return http.StatusOK, s.GetString("name")
		}},
		{Path: "/read-all", Kind: Respond, Handle: func(s *sessions.Session) (int, string) {
			var b strings.Builder
			for _, k := range s.Keys() {
				v, _ := s.Get(k)
				fmt.Fprintf(&b, "%s=%v;", k, v)
			}
			return http.StatusOK, b.String()
		}},
		{Path: "/write", Kind: Respond, Handle: func(s *sessions.Session) (int, string) {
			s.Set("name", "alice")
			return http.StatusOK, "written"
		}},
		{Path: "/write500", Kind: Respond, Handle: func(s *sessions.Session) (int, string) {
			s.Set("name", "mallory")
			return http.StatusInternalServerError, "boom"
		}},
		{Path: "/fail", Kind: Fail, Handle: func(s *sessions.Session) (int, string) {
			s.Set("name", "mallory")
			return http.StatusInternalServerError, ""
		}},
		{Path: "/silent", Kind: Silent, Handle: func(s *sessions.Session) (int, string) {
			s.Set("name", "silent")
			return http.StatusOK, ""
		}},
		{Path: "/browser-close", Kind: Respond, Handle: func(s *sessions.Session) (int, string) {
			s.SetExpireAtBrowserClose()
			s.Set("name", "alice")
			return http.StatusOK, "written"
		}},
		{Path: "/login", Kind: Respond, Handle: func(s *sessions.Session) (int, string) {
			if err := s.CycleKey(); err != nil {
				return http.StatusInternalServerError, err.Error()
			}
			s.Set("user", "alice")
			return http.StatusOK, "logged in"
		}},
		{Path: "/logout", Kind: Respond, Handle: func(s *sessions.Session) (int, string) {
			if err := s.Flush(); err != nil {
				return http.StatusInternalServerError, err.Error()
			}
			return http.StatusOK, "logged out"
		}},
		{Path: "/stream", Kind: Stream, Handle: func(s *sessions.Session) (int, string) {
			s.Set("streamed", "yes")
			return http.StatusOK, ""
		}},
		{Path: "/deleted", Kind: Respond, Handle: func(s *sessions.Session) (int, string) {
			// A concurrent logout removes the record between load and save.
			s.GetString("name")
			if err := f.store.Store.Delete(f.t.Context(), s.Key()); err != nil {
				return http.StatusInternalServerError, err.Error()
			}
			s.Set("name", "revived")
			return http.StatusOK, "written"
		}},
		{Path: "/set-a", Kind: Respond, Handle: f.concurrentSet("a")},
		{Path: "/set-b", Kind: Respond, Handle: f.concurrentSet("b")},
	}
}

// concurrentSet loads the session, waits until the other writer loaded it
// too, then writes its own key: the two saves must conflict and merge.
func (f *fixture) concurrentSet(key string) Handler {
	return func(s *sessions.Session) (int, string) {
		s.GetString("name")
		f.barrier.Done()
		f.barrier.Wait()
		s.Set(key, "1")
		return http.StatusOK, "set " + key
	}
}

// get sends a GET through the fixture's server.
func (f *fixture) get(t *testing.T, path, cookie string) *Response {
	t.Helper()
	return f.client.Get(t, path, cookie)
}

// newSession creates a session through /write and returns its cookie
// ("name=value") and key, with the store's counts reset.
func (f *fixture) newSession(t *testing.T) (cookie, key string) {
	t.Helper()
	resp := f.get(t, "/write", "")
	c := f.oneCookie(t, resp)
	if resp.Status != http.StatusOK || c.Value == "" {
		t.Fatalf("/write: status %d, cookie %+v", resp.Status, c)
	}
	f.store.ResetCalls()
	return f.name + "=" + c.Value, c.Value
}

// oneCookie asserts exactly one Set-Cookie line, for the session cookie.
func (f *fixture) oneCookie(t *testing.T, resp *Response) *http.Cookie {
	t.Helper()
	lines := resp.Header.Values("Set-Cookie")
	if len(lines) != 1 {
		t.Fatalf("want exactly one Set-Cookie, got %d: %q (status %d)", len(lines), lines, resp.Status)
	}
	cs := resp.SetCookies()
	if len(cs) != 1 || cs[0].Name != f.name {
		t.Fatalf("Set-Cookie %q is not a %s cookie", lines[0], f.name)
	}
	return cs[0]
}

func noCookie(t *testing.T, resp *Response) {
	t.Helper()
	if lines := resp.Header.Values("Set-Cookie"); len(lines) != 0 {
		t.Errorf("want no Set-Cookie, got %q", lines)
	}
}

// calls asserts the store's counts, then resets them.
func (f *fixture) calls(t *testing.T, want Calls) {
	t.Helper()
	if got := f.store.Calls(); got != want {
		t.Errorf("store calls = %+v, want %+v", got, want)
	}
	f.store.ResetCalls()
}

func (f *fixture) exists(t *testing.T, key string) bool {
	t.Helper()
	ok, err := f.store.Store.Exists(t.Context(), key)
	if err != nil {
		t.Fatalf("Exists: %v", err)
	}
	return ok
}

func status(t *testing.T, resp *Response, want int) {
	t.Helper()
	if resp.Status != want {
		t.Errorf("status = %d, want %d (body %q)", resp.Status, want, resp.Body)
	}
}
