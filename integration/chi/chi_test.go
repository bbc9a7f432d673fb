package chi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/adaptertest"
	"github.com/sessionkit/sessionkit/core/lifecycle"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// register puts the table's routes on r, answering the net/http way.
func register(t *testing.T, r chi.Router, routes adaptertest.Routes) {
	for _, rt := range routes {
		r.Get(rt.Path, adaptertest.NetHTTP(t, rt))
	}
}

// TestBehaviour runs the table every adapter shares, on a plain router and
// on the layouts chi apps use.
func TestBehaviour(t *testing.T) {
	layouts := []struct {
		name  string
		build func(t *testing.T, m *sessions.Manager, routes adaptertest.Routes) http.Handler
	}{
		{"Use", func(t *testing.T, m *sessions.Manager, routes adaptertest.Routes) http.Handler {
			r := chi.NewRouter()
			r.Use(m.Middleware)
			register(t, r, routes)
			return r
		}},
		{"Group", func(t *testing.T, m *sessions.Manager, routes adaptertest.Routes) http.Handler {
			r := chi.NewRouter()
			r.Group(func(r chi.Router) {
				r.Use(m.Middleware)
				register(t, r, routes)
			})
			return r
		}},
		{"Mount", func(t *testing.T, m *sessions.Manager, routes adaptertest.Routes) http.Handler {
			sub := chi.NewRouter()
			register(t, sub, routes)
			r := chi.NewRouter()
			r.Use(m.Middleware)
			r.Mount("/", sub)
			return r
		}},
	}
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) { adaptertest.Run(t, l.build) })
	}
}

// TestRouting: only routes behind the middleware get a session, and
// mounted sub-routers see the session of the router they hang from.
func TestRouting(t *testing.T) {
	st := adaptertest.NewStore(t)
	m := adaptertest.NewManager(t, st, nil)
	visit := func(w http.ResponseWriter, r *http.Request) {
		s, ok := lifecycle.Lookup(r.Context()) // no panic: some routes have no session by design
		if !ok {
			_, _ = io.WriteString(w, "no session")
			return
		}
		s.Set("seen", r.URL.Path)
		_, _ = io.WriteString(w, "session")
	}
	admin := chi.NewRouter()
	admin.Get("/users", visit)

	r := chi.NewRouter()
	r.Get("/public", visit)
	r.Group(func(r chi.Router) {
		r.Use(m.Middleware)
		r.Get("/private", visit)
		r.Route("/api", func(r chi.Router) { r.Get("/me", visit) })
		r.Mount("/admin", admin)
	})
	r.With(m.Middleware).Get("/with", visit)

	client := adaptertest.NewClient(t, r)
	for _, tc := range []struct {
		path    string
		session bool
	}{
		{"/public", false},
		{"/private", true},
		{"/api/me", true},
		{"/admin/users", true},
		{"/with", true},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp := client.Get(t, tc.path, "")
			want := map[bool]string{false: "no session", true: "session"}[tc.session]
			if resp.Body != want {
				t.Errorf("body %q, want %q", resp.Body, want)
			}
			if got := len(resp.SetCookies()); got != map[bool]int{false: 0, true: 1}[tc.session] {
				t.Errorf("%d Set-Cookie lines", got)
			}
		})
	}
}

// TestCompress: middleware.Compress outside or inside the session
// middleware, for a normal response and for the error page of a store
// outage.
func TestCompress(t *testing.T) {
	body := strings.Repeat("compress me ", 200)
	for _, tc := range []struct {
		name   string
		inside bool
		down   bool
		status int
	}{
		{"outside", false, false, 200},
		{"inside", true, false, 200},
		{"outside, store down", false, true, 500},
		{"inside, store down", true, true, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := adaptertest.NewStore(t)
			m := adaptertest.NewManager(t, st, nil)
			r := chi.NewRouter()
			if !tc.inside {
				r.Use(middleware.Compress(5))
			}
			r.Use(m.Middleware)
			if tc.inside {
				r.Use(middleware.Compress(5))
			}
			r.Get("/", func(w http.ResponseWriter, r *http.Request) {
				sessions.FromContext(r.Context()).Set("k", "v")
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, body)
			})
			st.SetDown(tc.down)
			resp := adaptertest.NewClient(t, r).Send(t, http.MethodGet, "/", http.Header{"Accept-Encoding": {"gzip"}})
			if resp.Status != tc.status {
				t.Errorf("status %d, want %d", resp.Status, tc.status)
			}
			got := resp.Body
			if resp.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader([]byte(resp.Body)))
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(zr)
				if err != nil {
					t.Fatalf("the body is not the gzip it claims: %v", err)
				}
				got = string(b)
			}
			cookies := len(resp.SetCookies())
			if tc.down {
				if got != "Internal Server Error\n" || cookies != 0 {
					t.Errorf("error page %q with %d cookies", got, cookies)
				}
				return
			}
			if got != body || cookies != 1 || st.Calls().Save != 1 {
				t.Errorf("body intact %v, %d cookies, %d saves", got == body, cookies, st.Calls().Save)
			}
		})
	}
}

// TestTimeout: middleware.Timeout inside or outside the session
// middleware, for a handler that runs into the deadline.
func TestTimeout(t *testing.T) {
	for _, tc := range []struct {
		name       string
		inside     bool
		modify     bool
		wantStatus int
	}{
		// Inside: the 504 goes through the session's writer, nothing saved.
		{"inside, modified", true, true, http.StatusGatewayTimeout},
		{"inside, read only", true, false, http.StatusGatewayTimeout},
		// Outside: the session is not committed once the deadline has
		// passed, so Timeout's 504 goes out and nothing is saved.
		{"outside, read only", false, false, http.StatusGatewayTimeout},
		{"outside, modified", false, true, http.StatusGatewayTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := adaptertest.NewStore(t)
			m := adaptertest.NewManager(t, st, nil)
			r := chi.NewRouter()
			timeout := middleware.Timeout(time.Millisecond)
			if !tc.inside {
				r.Use(timeout)
			}
			r.Use(m.Middleware)
			if tc.inside {
				r.Use(timeout)
			}
			r.Get("/", func(w http.ResponseWriter, r *http.Request) {
				s := sessions.FromContext(r.Context())
				s.GetString("k")
				if tc.modify {
					s.Set("k", "v")
				}
				<-r.Context().Done()
			})
			resp := adaptertest.NewClient(t, r).Get(t, "/", "")
			if resp.Status != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.Status, tc.wantStatus)
			}
			if n := len(resp.SetCookies()); n != 0 {
				t.Errorf("a timed-out request set %d cookies", n)
			}
			if n := st.Store.(*memstore.Store).Len(); n != 0 {
				t.Errorf("a timed-out request saved %d records", n)
			}
		})
	}
}

// A handler behind a router without the middleware gets a message that
// names the fix, not a nil session.
func TestMissingMiddlewareNamesTheFix(t *testing.T) {
	r := chi.NewRouter()
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			msg, _ := recover().(string)
			if !strings.Contains(msg, "m.Middleware") {
				t.Errorf("panic %q does not name m.Middleware", msg)
			}
			w.WriteHeader(http.StatusTeapot)
		}()
		sessions.FromContext(r.Context())
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusTeapot {
		t.Fatalf("status %d: the handler did not panic", rec.Code)
	}
}
