package benchmarks_test

import (
	"net/http"
	"testing"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// TestTargets checks that every target does what the scenarios assume, so
// the benchmarks compare like with like: A neither reads nor writes the
// session, B reads the seeded user, C increments the counter and sends a
// cookie carrying (or pointing to) the new value.
func TestTargets(t *testing.T) {
	for _, tg := range benchmarks.Targets() {
		t.Run(tg.Name(), func(t *testing.T) {
			in := start(t, tg)
			do := func(route, cookie string) *benchmarks.DiscardWriter {
				t.Helper()
				w := &bodyWriter{DiscardWriter: benchmarks.NewDiscardWriter()}
				r := in.Request(t.Context(), route)
				r.Header.Set("Cookie", cookie)
				in.Handler.ServeHTTP(w, r)
				if w.Status != http.StatusOK {
					t.Fatalf("%s: status %d: %s", route, w.Status, w.body)
				}
				w.DiscardWriter.Header().Set("X-Body", string(w.body))
				return w.DiscardWriter
			}
			body := func(w *benchmarks.DiscardWriter) string { return w.Header().Get("X-Body") }

			if w := do(benchmarks.RouteA, in.Cookie); w.SessionCookie() != "" || body(w) != "ok" {
				t.Errorf("A: cookie %q, body %q; want no cookie and ok", w.SessionCookie(), body(w))
			}
			if tg.IsBare() {
				return
			}
			if w := do(benchmarks.RouteB, in.Cookie); body(w) != benchmarks.UserValue || w.SessionCookie() != "" {
				t.Errorf("B: body %q, cookie %q; want %q and no cookie", body(w), w.SessionCookie(), benchmarks.UserValue)
			}
			w := do(benchmarks.RouteC, in.Cookie)
			next := w.SessionCookie()
			if next == "" {
				t.Fatalf("C set no session cookie: %q", w.Header()["Set-Cookie"])
			}
			if got := body(do(benchmarks.RouteVisits, next)); got != "42" {
				t.Errorf("visits after one C = %s, want 42", got)
			}
		})
	}
}

// bodyWriter keeps the body for the checks.
type bodyWriter struct {
	*benchmarks.DiscardWriter
	body []byte
}

func (w *bodyWriter) Write(p []byte) (int, error) {
	w.body = append(w.body, p...)
	return w.DiscardWriter.Write(p)
}

func (w *bodyWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }
