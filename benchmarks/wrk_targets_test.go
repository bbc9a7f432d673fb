package benchmarks_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// TestE2ETargets checks the wrk-only targets as TestTargets checks the
// others: A leaves the session alone, B reads the user, C increments
// the counter and sets a cookie that carries it.
func TestE2ETargets(t *testing.T) {
	for _, tg := range benchmarks.E2ETargets() {
		t.Run(tg.Name(), func(t *testing.T) {
			if got, ok := benchmarks.LookupE2E(tg.Name()); !ok || got.Name() != tg.Name() {
				t.Fatalf("LookupE2E(%q) = %v, %v", tg.Name(), got.Name(), ok)
			}
			in := start(t, tg)
			get := func(route, cookie string) *httptest.ResponseRecorder {
				t.Helper()
				rec := httptest.NewRecorder()
				r := in.Request(t.Context(), route)
				r.Header.Set("Cookie", cookie)
				in.Handler.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: status %d", route, rec.Code)
				}
				return rec
			}
			if rec := get(benchmarks.RouteA, in.Cookie); rec.Header().Get("Set-Cookie") != "" {
				t.Errorf("A set a cookie: %q", rec.Header().Get("Set-Cookie"))
			}
			if got := get(benchmarks.RouteB, in.Cookie).Body.String(); got != benchmarks.UserValue {
				t.Errorf("B = %q, want %q", got, benchmarks.UserValue)
			}
			rec := get(benchmarks.RouteC, in.Cookie)
			w := benchmarks.NewDiscardWriter()
			for _, c := range rec.Header()["Set-Cookie"] {
				w.Header().Add("Set-Cookie", c)
			}
			next := w.SessionCookie()
			if next == "" {
				t.Fatalf("C set no session cookie: %q", rec.Header()["Set-Cookie"])
			}
			if got := get(benchmarks.RouteVisits, next).Body.String(); got != "42" {
				t.Errorf("visits after one C = %s, want 42", got)
			}
		})
	}
	if _, ok := benchmarks.LookupE2E("gin/no-such-target"); ok {
		t.Error("LookupE2E found a target that does not exist")
	}
}
