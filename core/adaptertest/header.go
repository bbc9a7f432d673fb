package adaptertest

import (
	"net/http"
	"strings"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
)

// testHeader drives sessions carried in a request header (API and mobile
// clients) through the adapter, for Bearer and for a named header: the
// first key comes back in the response header, reads stay lazy and
// silent, login sends the new key, a key the server did not issue is
// never adopted, the header wins over a cookie sent with it, logout
// answers with the header empty, and no response sets a cookie.
func testHeader(t *testing.T, newServer NewServerFunc) {
	variants := []struct {
		name   string
		cfg    sessions.HeaderConfig
		req    string // request header
		resp   string // response header
		format func(key string) string
	}{
		{"Bearer", sessions.HeaderConfig{Bearer: true}, "Authorization", sessions.DefaultResponseHeader,
			func(k string) string { return strings.TrimSpace("Bearer " + k) }},
		{"Named", sessions.HeaderConfig{Name: "x-session-token"}, "X-Session-Token", "X-Session-Token",
			func(k string) string { return k }},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			f := setup(t, newServer, func(c *sessions.Config) { c.Header = v.cfg })
			send := func(t *testing.T, path, key, cookie string) *Response {
				t.Helper()
				h := http.Header{v.req: {v.format(key)}}
				if cookie != "" {
					h.Set("Cookie", cookie)
				}
				resp := f.client.Send(t, http.MethodGet, path, h)
				noCookie(t, resp)
				return resp
			}
			// token returns the response header, failing unless it was sent.
			token := func(t *testing.T, resp *Response) string {
				t.Helper()
				vs, ok := resp.Header[v.resp]
				if !ok || len(vs) != 1 {
					t.Fatalf("%s header = %q, want one value (status %d)", v.resp, vs, resp.Status)
				}
				return vs[0]
			}
			noToken := func(t *testing.T, resp *Response) {
				t.Helper()
				if vs, ok := resp.Header[v.resp]; ok {
					t.Errorf("%s header = %q, want none", v.resp, vs)
				}
			}
			varies := func(t *testing.T, resp *Response) {
				t.Helper()
				if !hasVary(resp.Header, v.req) || !hasVaryCookie(resp.Header) {
					t.Errorf("Vary = %q, want %s and Cookie", resp.Header.Values("Vary"), v.req)
				}
			}

			// A header client without a session sends the header empty.
			resp := send(t, "/write", "", "")
			status(t, resp, http.StatusOK)
			k1 := token(t, resp)
			if !sessions.ValidKey(k1) || !f.exists(t, k1) {
				t.Fatalf("first key %q: valid %v, stored %v", k1, sessions.ValidKey(k1), f.exists(t, k1))
			}
			varies(t, resp)
			f.store.ResetCalls()

			// Lazy: a handler that never touches the session costs nothing.
			resp = send(t, "/untouched", k1, "")
			noToken(t, resp)
			f.calls(t, Calls{})

			// A read loads once, writes nothing, sends no key.
			resp = send(t, "/read", k1, "")
			if resp.Body != "alice" {
				t.Fatalf("/read body %q, want alice", resp.Body)
			}
			noToken(t, resp)
			varies(t, resp)
			f.calls(t, Calls{Load: 1})

			// Login cycles the key: the new one comes back, the old is gone.
			resp = send(t, "/login", k1, "")
			status(t, resp, http.StatusOK)
			k2 := token(t, resp)
			if k2 == k1 || !sessions.ValidKey(k2) || !f.exists(t, k2) || f.exists(t, k1) {
				t.Fatalf("login: key %q (old %q): old stored %v, new stored %v", k2, k1, f.exists(t, k1), f.exists(t, k2))
			}

			// Both sent: the header's session is used, the cookie's untouched.
			cookie, ck := f.newSession(t)
			resp = send(t, "/read-all", k2, cookie)
			if !strings.Contains(resp.Body, "user=alice") {
				t.Errorf("header and cookie: body %q, want the header's session (user=alice)", resp.Body)
			}
			resp = send(t, "/logout", ck, cookie) // the header names the cookie's key
			if got := token(t, resp); got != "" {
				t.Errorf("logout: %s = %q, want empty", v.resp, got)
			}
			if f.exists(t, ck) {
				t.Errorf("logout through the header left record %q", ck)
			}

			// Keys the server did not issue are never adopted.
			for _, bad := range []string{strings.Repeat("z", 32), "Not-A-Key!", strings.Repeat("a", 5000)} {
				resp = send(t, "/write", bad, "")
				got := token(t, resp)
				if got == bad || !sessions.ValidKey(got) || f.exists(t, bad) {
					t.Errorf("unknown key %.40q: got key %.40q, adopted %v", bad, got, f.exists(t, bad))
				}
				// Read-only with an unknown key: the header says it ended.
				resp = send(t, "/read", bad, "")
				if got := token(t, resp); got != "" || resp.Body != "" {
					t.Errorf("read with unknown key: %s %q, body %q; want both empty", v.resp, got, resp.Body)
				}
			}

			// Logout: the header comes back empty and the record is gone.
			resp = send(t, "/logout", k2, "")
			if got := token(t, resp); got != "" {
				t.Errorf("logout: %s = %q, want empty", v.resp, got)
			}
			if f.exists(t, k2) {
				t.Errorf("logout left record %q", k2)
			}

			// No header at all: a cookie client on the same manager.
			resp = f.get(t, "/write", "")
			noToken(t, resp)
			if c := f.oneCookie(t, resp); !sessions.ValidKey(c.Value) {
				t.Errorf("cookie client got %+v", c)
			}
		})
	}

	// Another Authorization scheme is not a session header: the cookie decides.
	t.Run("BasicWithCookie", func(t *testing.T) {
		f := setup(t, newServer, func(c *sessions.Config) { c.Header.Bearer = true })
		cookie, _ := f.newSession(t)
		h := http.Header{"Authorization": {"Basic YWxpY2U6cHc="}, "Cookie": {cookie}}
		resp := f.client.Send(t, http.MethodGet, "/read", h)
		if resp.Body != "alice" {
			t.Errorf("Basic auth and cookie: body %q, want the cookie's session", resp.Body)
		}
		noCookie(t, resp)
		if _, ok := resp.Header[sessions.DefaultResponseHeader]; ok {
			t.Errorf("cookie request got a %s header", sessions.DefaultResponseHeader)
		}
	})
}

// hasVary reports whether h varies on name.
func hasVary(h http.Header, name string) bool {
	for _, line := range h.Values("Vary") {
		for part := range strings.SplitSeq(line, ",") {
			if strings.EqualFold(strings.TrimSpace(part), name) {
				return true
			}
		}
	}
	return false
}
