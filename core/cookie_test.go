package sessions_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// When a request carries several session cookies, the last one names the
// session, as Django's parse_cookie decides, so a Go and a Django service
// behind one domain agree on which session a request belongs to.
func TestDuplicateSessionCookiesLastWins(t *testing.T) {
	f := newFixture(t, nil)
	a := f.seed(t, map[string]any{"who": "a"})
	b := f.seed(t, map[string]any{"who": "b"})
	cases := []struct {
		name    string
		headers []string
		want    string // "" = fresh session
	}{
		{"one", []string{"sessionid=" + a}, "a"},
		{"two in one line", []string{"sessionid=" + a + "; sessionid=" + b}, "b"},
		{"reversed", []string{"sessionid=" + b + "; sessionid=" + a}, "a"},
		{"two lines", []string{"sessionid=" + b, "other=1; sessionid=" + a}, "a"},
		{"spaces around =", []string{"sessionid=" + b + ";  sessionid = " + a + " ;x=y"}, "a"},
		{"quoted", []string{"sessionid=" + a + `; sessionid="` + b + `"`}, "b"},
		{"last is junk", []string{"sessionid=" + a + "; sessionid=junk"}, ""},
		{"last is empty", []string{"sessionid=" + a + "; sessionid="}, ""},
		{"other name after", []string{"sessionid=" + a + "; sessionidx=" + b}, "a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header["Cookie"] = tc.headers
			var got string
			rec := httptest.NewRecorder()
			f.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := sessions.FromContext(r.Context())
				got = s.GetString("who")
			})).ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || got != tc.want {
				t.Fatalf("status %d, who = %q, want %q", rec.Code, got, tc.want)
			}
		})
	}
}

// Cookie name prefixes carry rules the browser enforces by dropping the
// cookie; New refuses a configuration that would be dropped.
func TestCookiePrefixRules(t *testing.T) {
	cases := []struct {
		name   string
		cookie sessions.CookieConfig
		ok     bool
	}{
		{"host ok", sessions.CookieConfig{Name: "__Host-sessionid", Secure: true}, true},
		{"host without secure", sessions.CookieConfig{Name: "__Host-sessionid"}, false},
		{"host with domain", sessions.CookieConfig{Name: "__Host-sessionid", Secure: true, Domain: "example.com"}, false},
		{"host with path", sessions.CookieConfig{Name: "__Host-sessionid", Secure: true, Path: "/app"}, false},
		{"secure ok", sessions.CookieConfig{Name: "__Secure-sessionid", Secure: true, Domain: "example.com", Path: "/app"}, true},
		{"secure without secure", sessions.CookieConfig{Name: "__Secure-sessionid"}, false},
		{"plain", sessions.CookieConfig{Name: "sessionid"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ms := memstore.New(memstore.Options{})
			defer ms.Close()
			_, err := sessions.New(sessions.Config{Store: ms, Cookie: tc.cookie})
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, sessions.ErrInvalidConfig)) {
				t.Fatalf("New error %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
