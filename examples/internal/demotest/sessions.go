package demotest

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sessionkit/sessionkit/examples/internal/demo"
)

// Sessions drives the "your sessions" routes over HTTP on every store:
// two clients log in as one user, the list shows both with the caller's
// marked, one logs the other out, an ID of another user is 404, "log out
// all other devices" keeps the caller, and cross-origin posts are
// refused. The cookie store says it cannot list.
func Sessions(t *testing.T, framework string, routes demo.Routes) {
	for _, store := range demo.StoreNames() {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			app := OpenApp(t, framework, store)
			srv := httptest.NewServer(routes(app))
			t.Cleanup(srv.Close)
			// A fresh user per run: apps on one server share their tables.
			user := "grace-" + strings.ToLower(framework) + "-" + randomSuffix(t)
			a, b, other := newClient(t, srv), newClient(t, srv), newClient(t, srv)
			a.login(user)
			b.login(user)
			other.login(user + "-other")

			list := a.list()
			if app.Store() == nil {
				if !list.Unsupported || len(list.Sessions) != 0 {
					t.Fatalf("cookie store lists %+v, want unsupported", list)
				}
				return
			}
			if len(list.Sessions) != 2 || list.User != user {
				t.Fatalf("list: %+v, want two sessions of %s", list, user)
			}
			var theirs string
			currents := 0
			for _, s := range list.Sessions {
				if s.Current {
					currents++
				} else {
					theirs = s.ID
				}
				if s.IP != "127.0.0.1" || s.Login == "" || s.Device != "Go-http-client/1.1" {
					t.Errorf("listed %+v", s)
				}
			}
			if currents != 1 || theirs == "" {
				t.Fatalf("list marks %d sessions current, want 1: %+v", currents, list)
			}
			otherID := other.list().Sessions[0].ID
			if code := a.post("/api/sessions/revoke", url.Values{"id": {otherID}}, ""); code != http.StatusNotFound {
				t.Fatalf("revoking another user's session: %d, want 404", code)
			}
			if other.whoami() == "" {
				t.Fatal("the other user was logged out by a revoke of their ID")
			}
			if code := a.post("/api/sessions/revoke", url.Values{"id": {theirs}}, "cross-site"); code != http.StatusForbidden {
				t.Fatalf("cross-origin revoke: %d, want 403", code)
			}
			if b.whoami() != user {
				t.Fatal("a cross-origin revoke logged b out")
			}
			if code := a.post("/api/sessions/revoke", url.Values{"id": {theirs}}, ""); code != http.StatusNoContent {
				t.Fatalf("revoke: %d, want 204", code)
			}
			if u := b.whoami(); u != "" {
				t.Fatalf("b is still logged in as %q after a revoked it", u)
			}
			if n := len(a.list().Sessions); n != 1 {
				t.Fatalf("after the revoke a lists %d sessions, want 1", n)
			}
			b.login(user)
			c := newClient(t, srv)
			c.login(user)
			if code := a.post("/api/sessions/revoke-others", nil, ""); code != http.StatusNoContent {
				t.Fatalf("revoke-others: %d, want 204", code)
			}
			if b.whoami() != "" || c.whoami() != "" || a.whoami() != user {
				t.Fatalf("after revoke-others: a %q, b %q, c %q", a.whoami(), b.whoami(), c.whoami())
			}
		})
	}
}

// client is one browser's cookie jar against the app.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newClient(t *testing.T, srv *httptest.Server) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Its own client: srv.Client() is one shared value.
	c := &http.Client{
		Transport:     srv.Client().Transport,
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &client{t: t, base: srv.URL, c: c}
}

// post sends a form as an API client (JSON answers); site, if set, is
// the Sec-Fetch-Site a browser would send.
func (c *client) post(path string, form url.Values, site string) int {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func (c *client) login(user string) {
	c.t.Helper()
	if code := c.post("/api/login", url.Values{"user": {user}}, ""); code != http.StatusOK {
		c.t.Fatalf("login: %d", code)
	}
}

func (c *client) get(path string, v any) int {
	c.t.Helper()
	resp, err := c.c.Get(c.base + path)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			c.t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

func (c *client) list() demo.SessionList {
	c.t.Helper()
	var l demo.SessionList
	if code := c.get("/sessions", &l); code != http.StatusOK {
		c.t.Fatalf("GET /sessions: %d", code)
	}
	return l
}

// whoami returns the logged-in user, "" for none.
func (c *client) whoami() string {
	c.t.Helper()
	var st demo.State
	if code := c.get("/api/session", &st); code != http.StatusOK {
		c.t.Fatalf("GET /api/session: %d", code)
	}
	if st.User == nil {
		return ""
	}
	return *st.User
}

func randomSuffix(t *testing.T) string {
	t.Helper()
	return strings.ToLower(rand.Text()[:8])
}
