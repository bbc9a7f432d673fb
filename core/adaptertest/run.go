package adaptertest

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Run runs the behaviour table against an adapter. newServer is called
// once per subtest with a fresh Manager (over a counting Store) and the
// routes to register.
func Run(t *testing.T, newServer NewServerFunc) {
	t.Helper()
	cases := []struct {
		name string
		run  func(*testing.T, NewServerFunc)
	}{
		{"Untouched", testUntouched},
		{"ReadOnly", testReadOnly},
		{"Write", testWrite},
		{"LoginCycleKey", testLogin},
		{"LogoutFlush", testLogout},
		{"TamperedCookie", testTampered},
		{"DuplicateCookies", testDuplicateCookies},
		{"ServerError", testServerError},
		{"StoreDown", testStoreDown},
		{"Silent", testSilent},
		{"Streaming", testStreaming},
		{"Concurrent", testConcurrent},
		{"Timeouts", testTimeouts},
		{"Header", testHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newServer) })
	}
}

func testUntouched(t *testing.T, newServer NewServerFunc) {
	f := setup(t, newServer, nil)
	cookie, _ := f.newSession(t)
	for _, c := range []struct{ name, cookie string }{
		{"no cookie", ""},
		{"live session", cookie},
		{"unknown key", f.name + "=" + mustKey(t)},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := f.get(t, "/untouched", c.cookie)
			status(t, resp, http.StatusOK)
			noCookie(t, resp)
			if v := resp.Header.Values("Vary"); len(v) != 0 {
				t.Errorf("Vary = %q, want none", v)
			}
			f.calls(t, Calls{})
		})
	}
}

func testReadOnly(t *testing.T, newServer NewServerFunc) {
	t.Run("live session", func(t *testing.T) {
		f := setup(t, newServer, nil)
		cookie, _ := f.newSession(t)
		resp := f.get(t, "/read", cookie)
		status(t, resp, http.StatusOK)
		if resp.Body != "alice" {
			t.Errorf("body = %q, want alice", resp.Body)
		}
		if !hasVaryCookie(resp.Header) {
			t.Errorf("Vary = %q, want Cookie", resp.Header.Values("Vary"))
		}
		noCookie(t, resp)
		f.calls(t, Calls{Load: 1})
	})
	t.Run("no cookie", func(t *testing.T) {
		f := setup(t, newServer, nil)
		resp := f.get(t, "/read", "")
		status(t, resp, http.StatusOK)
		if !hasVaryCookie(resp.Header) {
			t.Errorf("Vary = %q, want Cookie", resp.Header.Values("Vary"))
		}
		noCookie(t, resp)
		f.calls(t, Calls{})
	})
	t.Run("SaveEveryRequest", func(t *testing.T) {
		f := setup(t, newServer, func(c *sessions.Config) { c.SaveEveryRequest = true })
		cookie, key := f.newSession(t)
		resp := f.get(t, "/read", cookie)
		status(t, resp, http.StatusOK)
		if c := f.oneCookie(t, resp); c.Value != key {
			t.Errorf("cookie value %q, want the same key %q", c.Value, key)
		}
		if got := f.store.Calls(); got.Save != 1 {
			t.Errorf("saves = %d, want 1", got.Save)
		}
	})
}

// wantCookie is what the session cookie must say.
type wantCookie struct {
	name, path, domain string
	secure, httpOnly   bool
	sameSite           http.SameSite
	partitioned        bool
	maxAge             int // seconds; 0 means a browser-session cookie
}

func testWrite(t *testing.T, newServer NewServerFunc) {
	cases := []struct {
		name  string
		path  string
		edit  func(*sessions.Config)
		want  wantCookie
		reuse bool // write again with the cookie: same key, one cookie
	}{
		{
			name: "defaults", path: "/write",
			want: wantCookie{name: "sessionid", path: "/", httpOnly: true, sameSite: http.SameSiteLaxMode, maxAge: 1209600},
		},
		{
			name: "custom attributes", path: "/write",
			edit: func(c *sessions.Config) {
				c.Cookie = sessions.CookieConfig{
					Name: "sid", MaxAge: time.Hour, Domain: "example.test", Path: "/app",
					Secure: true, DisableHTTPOnly: true, SameSite: http.SameSiteStrictMode,
				}
			},
			want: wantCookie{name: "sid", path: "/app", domain: "example.test", secure: true, sameSite: http.SameSiteStrictMode, maxAge: 3600},
		},
		{
			name: "SameSite None partitioned", path: "/write",
			edit: func(c *sessions.Config) {
				c.Cookie = sessions.CookieConfig{Secure: true, SameSite: http.SameSiteNoneMode, Partitioned: true}
			},
			want: wantCookie{name: "sessionid", path: "/", secure: true, httpOnly: true, sameSite: http.SameSiteNoneMode, partitioned: true, maxAge: 1209600},
		},
		{
			name: "ExpireAtBrowserClose config", path: "/write",
			edit: func(c *sessions.Config) { c.ExpireAtBrowserClose = true },
			want: wantCookie{name: "sessionid", path: "/", httpOnly: true, sameSite: http.SameSiteLaxMode},
		},
		{
			name: "ExpireAtBrowserClose session", path: "/browser-close",
			want: wantCookie{name: "sessionid", path: "/", httpOnly: true, sameSite: http.SameSiteLaxMode},
		},
		{
			name: "update of a live session", path: "/write", reuse: true,
			want: wantCookie{name: "sessionid", path: "/", httpOnly: true, sameSite: http.SameSiteLaxMode, maxAge: 1209600},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := setup(t, newServer, c.edit)
			var cookie, key string
			if c.reuse {
				cookie, key = f.newSession(t)
			}
			resp := f.get(t, c.path, cookie)
			status(t, resp, http.StatusOK)
			got := f.oneCookie(t, resp)
			if got := f.store.Calls(); got.Save != 1 {
				t.Errorf("saves = %d, want exactly 1", got.Save)
			}
			if c.reuse && got.Value != key {
				t.Errorf("cookie value %q, want the live key %q", got.Value, key)
			}
			if !sessions.ValidKey(got.Value) {
				t.Errorf("cookie value %q is not a session key", got.Value)
			}
			checkCookie(t, resp.Header.Get("Set-Cookie"), got, c.want, f.now)
			if !hasVaryCookie(resp.Header) {
				t.Errorf("Vary = %q, want Cookie", resp.Header.Values("Vary"))
			}
			back := f.get(t, "/read", f.name+"="+got.Value)
			if back.Body != "alice" {
				t.Errorf("read back %q, want alice", back.Body)
			}
		})
	}
}

func checkCookie(t *testing.T, line string, got *http.Cookie, want wantCookie, now time.Time) {
	t.Helper()
	if got.Name != want.name || got.Path != want.path || got.Domain != want.domain ||
		got.Secure != want.secure || got.HttpOnly != want.httpOnly || got.SameSite != want.sameSite ||
		got.Partitioned != want.partitioned {
		t.Errorf("Set-Cookie %q: name %q path %q domain %q secure %v httponly %v samesite %v partitioned %v, want %+v",
			line, got.Name, got.Path, got.Domain, got.Secure, got.HttpOnly, got.SameSite, got.Partitioned, want)
	}
	if want.maxAge == 0 {
		if got.MaxAge != 0 || !got.Expires.IsZero() {
			t.Errorf("Set-Cookie %q: want a browser-session cookie (no Max-Age, no Expires)", line)
		}
		return
	}
	if got.MaxAge != want.maxAge {
		t.Errorf("Set-Cookie %q: Max-Age %d, want %d", line, got.MaxAge, want.maxAge)
	}
	if wantExp := now.Add(time.Duration(want.maxAge) * time.Second); !got.Expires.Equal(wantExp) {
		t.Errorf("Set-Cookie %q: Expires %v, want %v", line, got.Expires, wantExp.UTC())
	}
}

func testLogin(t *testing.T, newServer NewServerFunc) {
	f := setup(t, newServer, nil)
	cookie, oldKey := f.newSession(t)
	resp := f.get(t, "/login", cookie)
	status(t, resp, http.StatusOK)
	c := f.oneCookie(t, resp)
	if c.Value == oldKey || !sessions.ValidKey(c.Value) {
		t.Fatalf("login kept or garbled the key: old %q new %q", oldKey, c.Value)
	}
	if f.exists(t, oldKey) {
		t.Error("the pre-login record still exists")
	}
	if got := f.get(t, "/read", cookie); got.Body != "" {
		t.Errorf("the old key still loads %q", got.Body)
	}
	if got := f.get(t, "/read-all", f.name+"="+c.Value); got.Body != "name=alice;user=alice;" {
		t.Errorf("after login the session holds %q, want its data plus the user", got.Body)
	}
}

func testLogout(t *testing.T, newServer NewServerFunc) {
	f := setup(t, newServer, nil)
	cookie, key := f.newSession(t)
	resp := f.get(t, "/logout", cookie)
	status(t, resp, http.StatusOK)
	c := f.oneCookie(t, resp)
	if c.Value != "" || c.MaxAge >= 0 {
		t.Errorf("logout Set-Cookie %q does not delete the cookie", resp.Header.Get("Set-Cookie"))
	}
	if !strings.Contains(resp.Header.Get("Set-Cookie"), "Path=/") {
		t.Errorf("deletion cookie %q lacks the cookie's Path", resp.Header.Get("Set-Cookie"))
	}
	if f.exists(t, key) {
		t.Error("the record survived logout")
	}
	if got := f.get(t, "/read", cookie); got.Body != "" {
		t.Errorf("the flushed key still loads %q", got.Body)
	}
}

func testTampered(t *testing.T, newServer NewServerFunc) {
	f := setup(t, newServer, nil)
	_, live := f.newSession(t)
	tampered := live[:len(live)-1] + string("ab"[boolInt(live[len(live)-1] == 'a')])
	cases := []struct {
		name, value   string
		deletesOnRead bool
	}{
		{"unknown key", mustKey(t), true},
		{"tampered key", tampered, true},
		{"bad characters", "..%2F..%2Fetc", false},
		{"too long", strings.Repeat("a", 5000), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sent := f.name + "=" + c.value
			resp := f.get(t, "/write", sent)
			status(t, resp, http.StatusOK)
			got := f.oneCookie(t, resp)
			if got.Value == c.value || !sessions.ValidKey(got.Value) {
				t.Fatalf("new session key %q: want a fresh key, never the client's", got.Value)
			}
			if f.exists(t, c.value) {
				t.Errorf("a record exists under the client's key")
			}
			if back := f.get(t, "/read", f.name+"="+got.Value); back.Body != "alice" {
				t.Errorf("read back %q, want alice", back.Body)
			}
			read := f.get(t, "/read", sent)
			if read.Body != "" {
				t.Errorf("the client's cookie loaded %q", read.Body)
			}
			if c.deletesOnRead {
				// Django deletes the cookie of a session that turned out empty.
				if d := f.oneCookie(t, read); d.MaxAge >= 0 {
					t.Errorf("read with a dead cookie: Set-Cookie %q, want a deletion", read.Header.Get("Set-Cookie"))
				}
			}
		})
	}
}

// testDuplicateCookies: with several session cookies in a request, the
// last one names the session, as in Django, whatever the framework's own
// cookie accessor would pick.
func testDuplicateCookies(t *testing.T, newServer NewServerFunc) {
	f := setup(t, newServer, nil)
	named, _ := f.newSession(t) // holds name=alice
	login := f.get(t, "/login", "")
	status(t, login, http.StatusOK)
	other := f.name + "=" + f.oneCookie(t, login).Value // holds no name
	if got := f.get(t, "/read", other+"; "+named).Body; got != "alice" {
		t.Errorf("the named session's cookie last: read %q, want alice", got)
	}
	if got := f.get(t, "/read", named+"; "+other).Body; got != "" {
		t.Errorf("the named session's cookie first: read %q, want nothing", got)
	}
}

func testServerError(t *testing.T, newServer NewServerFunc) {
	for _, path := range []string{"/write500", "/fail"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			f := setup(t, newServer, nil)
			resp := f.get(t, path, "")
			status(t, resp, http.StatusInternalServerError)
			noCookie(t, resp)
			f.calls(t, Calls{})

			cookie, _ := f.newSession(t)
			resp = f.get(t, path, cookie)
			status(t, resp, http.StatusInternalServerError)
			noCookie(t, resp)
			if got := f.store.Calls(); got.Save != 0 {
				t.Errorf("a %s response saved %d times", path, got.Save)
			}
			if back := f.get(t, "/read", cookie); back.Body != "alice" {
				t.Errorf("after a 5xx the session holds %q, want alice", back.Body)
			}
		})
	}
}

func testStoreDown(t *testing.T, newServer NewServerFunc) {
	f := setup(t, newServer, nil)
	cookie, _ := f.newSession(t)
	f.store.SetDown(true)
	for _, c := range []struct {
		name, path, cookie string
		status             int
	}{
		{"load fails", "/read", cookie, http.StatusInternalServerError},
		{"load fails before write", "/write", cookie, http.StatusInternalServerError},
		{"save fails", "/write", "", http.StatusInternalServerError},
		{"silent save fails", "/silent", "", http.StatusInternalServerError},
		{"untouched needs no store", "/untouched", cookie, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := f.get(t, c.path, c.cookie)
			status(t, resp, c.status)
			noCookie(t, resp)
			if resp.Status != http.StatusOK && strings.Contains(resp.Body, "written") {
				t.Errorf("the handler's body leaked into the error response: %q", resp.Body)
			}
		})
	}
	f.store.SetDown(false)
	t.Run("recovers", func(t *testing.T) {
		if back := f.get(t, "/read", cookie); back.Status != http.StatusOK || back.Body != "alice" {
			t.Errorf("after the outage: status %d body %q, want 200 alice", back.Status, back.Body)
		}
		resp := f.get(t, "/write", "")
		status(t, resp, http.StatusOK)
		f.oneCookie(t, resp)
	})
	t.Run("deleted meanwhile", func(t *testing.T) {
		resp := f.get(t, "/deleted", cookie)
		status(t, resp, http.StatusBadRequest)
		noCookie(t, resp)
		if back := f.get(t, "/read", cookie); back.Body != "" {
			t.Errorf("the deleted session came back: %q", back.Body)
		}
	})
}

func testSilent(t *testing.T, newServer NewServerFunc) {
	f := setup(t, newServer, nil)
	resp := f.get(t, "/silent", "")
	status(t, resp, http.StatusOK)
	c := f.oneCookie(t, resp)
	if got := f.store.Calls(); got.Save != 1 {
		t.Errorf("saves = %d, want 1", got.Save)
	}
	if back := f.get(t, "/read", f.name+"="+c.Value); back.Body != "silent" {
		t.Errorf("read back %q, want silent", back.Body)
	}
}

func testConcurrent(t *testing.T, newServer NewServerFunc) {
	f := setup(t, newServer, nil)
	cookie, _ := f.newSession(t)
	f.barrier.Add(2)
	var wg sync.WaitGroup
	resps := make([]*Response, 2)
	for i, path := range []string{"/set-a", "/set-b"} {
		wg.Go(func() {
			r, err := f.client.TryGet(t.Context(), path, cookie)
			if err != nil {
				t.Error(err)
				return
			}
			resps[i] = r
		})
	}
	wg.Wait()
	for _, r := range resps {
		if r != nil {
			status(t, r, http.StatusOK)
		}
	}
	if got := f.get(t, "/read-all", cookie); got.Body != "a=1;b=1;name=alice;" {
		t.Errorf("after two concurrent writers the session holds %q, want both keys", got.Body)
	}
}

func mustKey(t *testing.T) string {
	t.Helper()
	k, err := sessions.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
