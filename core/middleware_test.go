package sessions_test

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/lifecycle"
	"github.com/sessionkit/sessionkit/core/memstore"
)

func TestMiddlewareResponseRules(t *testing.T) {
	type want struct {
		cookie  string // "" none, "set", "delete"
		vary    bool
		saves   int32
		maxAge  int // for "set": 0 means browser-session cookie
		status  int
		noStore bool // no store call at all
	}
	tests := []struct {
		name    string
		cookie  string // "seed" = a valid session
		edit    func(*sessions.Config)
		handler func(w http.ResponseWriter, r *http.Request)
		want    want
	}{
		{"untouched, no cookie", "", nil, func(w http.ResponseWriter, r *http.Request) {}, want{noStore: true, status: 200}},
		{"untouched, valid cookie", "seed", nil, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") }, want{noStore: true, status: 200}},
		{"untouched, unknown key", "sessionid=unknownkey00000000000000000000000", nil, func(w http.ResponseWriter, r *http.Request) {}, want{noStore: true, status: 200}},
		{"untouched, short cookie", "sessionid=abc", nil, func(w http.ResponseWriter, r *http.Request) {}, want{cookie: "delete", vary: true, noStore: true, status: 200}},
		{"read only", "seed", nil, func(w http.ResponseWriter, r *http.Request) { sessions.FromContext(r.Context()).Get("user") }, want{vary: true, status: 200}},
		{"read, unknown key", "sessionid=unknownkey00000000000000000000000", nil, func(w http.ResponseWriter, r *http.Request) { sessions.FromContext(r.Context()).Get("user") }, want{cookie: "delete", vary: true, status: 200}},
		{"write new", "", nil, setUser, want{cookie: "set", vary: true, saves: 1, maxAge: 1209600, status: 200}},
		{"write existing", "seed", nil, setUser, want{cookie: "set", vary: true, saves: 1, maxAge: 1209600, status: 200}},
		{"write, handler writes nothing", "", nil, func(w http.ResponseWriter, r *http.Request) { sessions.FromContext(r.Context()).Set("a", 1) }, want{cookie: "set", vary: true, saves: 1, maxAge: 1209600, status: 200}},
		{"write, status 500", "", nil, statusAfterWrite(500), want{vary: true, status: 500}},
		{"write, status 503", "seed", nil, statusAfterWrite(503), want{vary: true, status: 503}},
		{"write, status 404", "", nil, statusAfterWrite(404), want{cookie: "set", vary: true, saves: 1, maxAge: 1209600, status: 404}},
		{"flush with cookie", "seed", nil, flush, want{cookie: "delete", vary: true, status: 200}},
		{"flush without cookie", "", nil, flush, want{vary: true, noStore: true, status: 200}},
		{"read, save every request", "seed", func(c *sessions.Config) { c.SaveEveryRequest = true }, func(w http.ResponseWriter, r *http.Request) { sessions.FromContext(r.Context()).Get("user") }, want{cookie: "set", vary: true, saves: 1, maxAge: 1209600, status: 200}},
		{"untouched new, save every request", "", func(c *sessions.Config) { c.SaveEveryRequest = true }, func(w http.ResponseWriter, r *http.Request) {}, want{noStore: true, status: 200}},
		{"expire at browser close", "", func(c *sessions.Config) { c.ExpireAtBrowserClose = true }, setUser, want{cookie: "set", vary: true, saves: 1, status: 200}},
		{"set_expiry(0)", "", nil, func(w http.ResponseWriter, r *http.Request) {
			sessions.FromContext(r.Context()).SetExpireAtBrowserClose()
		}, want{cookie: "set", vary: true, saves: 1, status: 200}},
		{"set_expiry(300)", "", nil, func(w http.ResponseWriter, r *http.Request) {
			sessions.FromContext(r.Context()).SetMaxAge(300 * time.Second)
		}, want{cookie: "set", vary: true, saves: 1, maxAge: 300, status: 200}},
		{"custom age", "", func(c *sessions.Config) { c.Cookie.MaxAge = time.Hour }, setUser, want{cookie: "set", vary: true, saves: 1, maxAge: 3600, status: 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.edit)
			cookie := tt.cookie
			if cookie == "seed" {
				cookie = "sessionid=" + f.seed(t, map[string]any{"user": "alice"})
			}
			before := f.store.calls()
			beforeSaves := f.store.saves.Load()
			resp := f.serve(t, cookie, tt.handler)
			if resp.StatusCode != tt.want.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.want.status)
			}
			if tt.want.noStore && f.store.calls() != before {
				t.Errorf("store calls = %d, want none", f.store.calls()-before)
			}
			if got := f.store.saves.Load() - beforeSaves; got != tt.want.saves {
				t.Errorf("saves = %d, want %d", got, tt.want.saves)
			}
			if got := resp.Header.Get("Vary") == "Cookie"; got != tt.want.vary {
				t.Errorf("Vary = %q, want Cookie: %v", resp.Header.Get("Vary"), tt.want.vary)
			}
			c := sessionCookie(t, resp)
			switch tt.want.cookie {
			case "":
				if c != nil {
					t.Errorf("unexpected Set-Cookie %v", resp.Header["Set-Cookie"])
				}
			case "delete":
				if c == nil || c.Value != "" || c.MaxAge != -1 {
					t.Errorf("want a deletion cookie, got %v", resp.Header["Set-Cookie"])
				}
			case "set":
				if c == nil || !sessions.ValidKey(c.Value) {
					t.Fatalf("want a session cookie, got %v", resp.Header["Set-Cookie"])
				}
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
					t.Errorf("attributes: %v", resp.Header["Set-Cookie"])
				}
				if c.MaxAge != tt.want.maxAge {
					t.Errorf("Max-Age = %d, want %d", c.MaxAge, tt.want.maxAge)
				}
				if tt.want.maxAge > 0 && !c.Expires.Equal(t0.Add(time.Duration(tt.want.maxAge)*time.Second)) {
					t.Errorf("Expires = %v", c.Expires)
				}
				if tt.want.maxAge == 0 && !c.Expires.IsZero() {
					t.Errorf("browser-session cookie has Expires %v", c.Expires)
				}
				if !strings.Contains(cookie, c.Value) && f.m.Open(t.Context(), c.Value).Len() == 0 {
					t.Error("the cookie's key does not load")
				}
			}
		})
	}
}

func setUser(w http.ResponseWriter, r *http.Request) {
	sessions.FromContext(r.Context()).Set("user", "bob")
	io.WriteString(w, "ok")
}

func flush(w http.ResponseWriter, r *http.Request) {
	if err := sessions.FromContext(r.Context()).Flush(); err != nil {
		http.Error(w, err.Error(), 500)
	}
}

func statusAfterWrite(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Set("user", "bob")
		w.WriteHeader(code)
	}
}

func TestCookieAttributes(t *testing.T) {
	f := newFixture(t, func(c *sessions.Config) {
		c.Cookie = sessions.CookieConfig{Name: "sid", Domain: "example.com", Path: "/app", Secure: true, SameSite: http.SameSiteStrictMode, Partitioned: true, DisableHTTPOnly: true}
	})
	resp := f.serve(t, "", setUser)
	h := resp.Header.Get("Set-Cookie")
	for _, part := range []string{"sid=", "; Path=/app", "; Domain=example.com", "; Secure", "; SameSite=Strict", "; Partitioned", "; Max-Age=1209600", "; Expires=Tue, 28 Nov 2023 22:13:20 GMT"} {
		if !strings.Contains(h, part) {
			t.Errorf("Set-Cookie %q lacks %q", h, part)
		}
	}
	if strings.Contains(h, "HttpOnly") {
		t.Errorf("HttpOnly despite DisableHTTPOnly: %q", h)
	}
	key := strings.TrimPrefix(strings.SplitN(h, ";", 2)[0], "sid=")
	resp = f.serve(t, "sid="+key, flush)
	del := resp.Header.Get("Set-Cookie")
	for _, part := range []string{"sid=;", "; Path=/app", "; Domain=example.com", "Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT", "; Partitioned"} {
		if !strings.Contains(del, part) {
			t.Errorf("deletion cookie %q lacks %q", del, part)
		}
	}
}

func TestVaryMerges(t *testing.T) {
	f := newFixture(t, nil)
	for _, existing := range []string{"Accept-Encoding", "cookie", "*"} {
		resp := f.serve(t, "", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Vary", existing)
			sessions.FromContext(r.Context()).Get("x")
		})
		got := resp.Header.Values("Vary")
		switch existing {
		case "Accept-Encoding":
			if len(got) != 2 || got[1] != "Cookie" {
				t.Errorf("Vary = %v", got)
			}
		default:
			if len(got) != 1 {
				t.Errorf("Vary %q was extended: %v", existing, got)
			}
		}
	}
}

func TestStoreErrors(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"user": "alice"})
	f.store.down.Store(true)
	resp := f.serve(t, "sessionid="+key, func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		s.Set("x", 1)
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "hello")
	})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || strings.Contains(string(body), "hello") || sessionCookie(t, resp) != nil {
		t.Fatalf("store down: %d %q %v", resp.StatusCode, body, resp.Header["Set-Cookie"])
	}
	// The server keeps working and recovers with the store.
	f.store.down.Store(false)
	resp = f.serve(t, "sessionid="+key, setUser)
	if resp.StatusCode != 200 || sessionCookie(t, resp) == nil {
		t.Fatalf("after recovery: %d", resp.StatusCode)
	}
	// Untouched requests never notice an outage.
	f.store.down.Store(true)
	resp = f.serve(t, "sessionid="+key, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fine") })
	if resp.StatusCode != 200 {
		t.Fatalf("untouched request during outage: %d", resp.StatusCode)
	}
}

func TestSessionDeletedAnswers400(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"user": "alice"})
	resp := f.serve(t, "sessionid="+key, func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		s.Get("user")
		// A concurrent logout.
		_ = f.m.Open(r.Context(), key).Flush()
		s.Set("cart", 1)
	})
	if resp.StatusCode != 400 || sessionCookie(t, resp) != nil {
		t.Fatalf("status %d, cookies %v", resp.StatusCode, resp.Header["Set-Cookie"])
	}
	if ok, _ := f.store.Exists(t.Context(), key); ok {
		t.Fatal("session resurrected")
	}
}

func TestCustomErrorHandler(t *testing.T) {
	var seen error
	f := newFixture(t, func(c *sessions.Config) {
		c.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			seen = err
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	f.store.down.Store(true)
	resp := f.serve(t, "", setUser)
	if resp.StatusCode != 503 || !errors.Is(seen, errDown) {
		t.Fatalf("status %d, error %v", resp.StatusCode, seen)
	}
}

// A cookie name so long that no session key fits is refused at New, so a
// server-side session cookie never needs a size check per request.
func TestCookieNameLeavingNoRoom(t *testing.T) {
	for _, n := range []int{4096 - 41, 4096 - 40} {
		_, err := sessions.New(sessions.Config{Store: memstore.New(memstore.Options{}), Cookie: sessions.CookieConfig{Name: strings.Repeat("n", n)}})
		if ok := n+1+40 <= sessions.MaxCookieSize; ok != (err == nil) || (err != nil && !errors.Is(err, sessions.ErrInvalidConfig)) {
			t.Errorf("name of %d bytes: New error %v", n, err)
		}
	}
}

// TestStreamingIsNotBuffered checks that the cookie goes out with the
// first flush and the body streams through.
func TestStreamingIsNotBuffered(t *testing.T) {
	f := newFixture(t, nil)
	release := make(chan struct{})
	srv := httptest.NewServer(f.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Set("streaming", true)
		io.WriteString(w, "first\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Error(err)
		}
		<-release
		io.WriteString(w, "second\n")
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// Headers and the first line arrive while the handler still blocks.
	if sessionCookie(t, resp) == nil {
		t.Fatal("no cookie on a streamed response")
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	close(release)
}

func TestCommitRunsOnce(t *testing.T) {
	f := newFixture(t, nil)
	rec := httptest.NewRecorder()
	var lc lifecycle.Request
	req := lc.Begin(f.m, httptest.NewRequest("GET", "/", nil))
	sessions.FromContext(req.Context()).Set("a", 1)
	for range 3 { // a framework writing after the handler returned (Echo's error handler)
		if err := lc.Before(rec.Header(), http.StatusOK); err != nil {
			t.Fatal(err)
		}
	}
	if lc.Phase() != lifecycle.Committed {
		t.Errorf("phase %v, want Committed", lc.Phase())
	}
	if n := len(rec.Result().Header["Set-Cookie"]); n != 1 || f.store.saves.Load() != 1 {
		t.Fatalf("Set-Cookie count %d, saves %d", n, f.store.saves.Load())
	}
}

func TestInformationalStatusDoesNotCommit(t *testing.T) {
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Set("a", 1)
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusCreated)
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || sessionCookie(t, resp) == nil {
		t.Fatalf("status %d, cookie %v", resp.StatusCode, resp.Header["Set-Cookie"])
	}
}

func TestResponseControllerReachesUnderlyingWriter(t *testing.T) {
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline: %v", err)
		}
		conn, buf, err := rc.Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		buf.Flush()
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestTwoManagersInOneChain(t *testing.T) {
	a := newFixture(t, nil)
	b := newFixture(t, func(c *sessions.Config) { c.Cookie.Name = "admin" })
	h := a.m.Middleware(b.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.m.FromContext(r.Context()).Set("who", "a")
		b.m.FromContext(r.Context()).Set("who", "b")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if n := len(rec.Result().Cookies()); n != 2 {
		t.Fatalf("cookies: %v", rec.Result().Header["Set-Cookie"])
	}
}

// FuzzCookieHeader feeds arbitrary Cookie headers through the middleware:
// never a panic, never a 500, never the client's value adopted as a key.
func FuzzCookieHeader(f *testing.F) {
	for _, s := range []string{"", "sessionid=abc", "sessionid=\"quoted00000000\"", "a=b; sessionid=0123456789abcdef", "sessionid=" + strings.Repeat("x", 10000), "sessionid=e30:1r31eq:sig", "sessionid=;;;", "sessionid=ÿÿÿÿÿÿÿÿÿÿ"} {
		f.Add(s)
	}
	fx := newFixture(f, nil)
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Cookie", header)
		rec := httptest.NewRecorder()
		fx.m.Middleware(http.HandlerFunc(setUser)).ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("status %d for %q", rec.Code, header)
		}
		for _, c := range rec.Result().Cookies() {
			if c.Value != "" && strings.Contains(header, c.Value) {
				t.Fatalf("client value %q adopted", c.Value)
			}
		}
	})
}
