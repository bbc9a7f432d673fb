package benchmarks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// scenarios are the three request kinds, all carrying the seeded cookie.
var scenarios = []struct{ name, route string }{
	{"A", benchmarks.RouteA}, // the handler never touches the session
	{"B", benchmarks.RouteB}, // it reads one string key
	{"C", benchmarks.RouteC}, // it increments a counter; the session is saved
}

// BenchmarkSession drives every target through ServeHTTP with the same
// discarding writer. The C runs also report the size of the session
// cookie they set (name=value, and the whole Set-Cookie line).
func BenchmarkSession(b *testing.B) {
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, tg := range benchmarks.Targets() {
				b.Run(tg.Name(), func(b *testing.B) {
					in := start(b, tg)
					serve(b, in, in.Request(b.Context(), sc.route), func(w *benchmarks.DiscardWriter) {
						if tg.IsBare() {
							return
						}
						b.ReportMetric(float64(len(w.Header()["Set-Cookie"])), "setcookies")
						if sc.name != "C" {
							return
						}
						b.ReportMetric(float64(len(w.SessionCookie())), "cookie-B")
						for _, line := range w.Header()["Set-Cookie"] {
							if strings.HasPrefix(line, benchmarks.CookieName+"=") {
								b.ReportMetric(float64(len(line)), "setcookie-B")
							}
						}
					})
				})
			}
		})
	}
}

// serve runs tmpl through in's handler in a b.Loop, and reports the
// process CPU time per request beside the wall time. Every iteration gets a
// fresh shallow copy of tmpl (gorilla/sessions keeps its registry in the
// request it is given) and a cleared writer. last sees the writer after the
// final iteration.
func serve(b *testing.B, in *benchmarks.Instance, tmpl *http.Request, last func(*benchmarks.DiscardWriter)) {
	b.Helper()
	w := benchmarks.NewDiscardWriter()
	req := new(http.Request)
	// One request outside the timing: pools, connections, script caches.
	*req = *tmpl
	in.Handler.ServeHTTP(w, req)
	if w.Status != http.StatusOK {
		b.Fatalf("warm-up: status %d", w.Status)
	}
	bad := 0
	b.ReportAllocs()
	done := trackCPU(b)
	for b.Loop() {
		w.Reset()
		*req = *tmpl
		in.Handler.ServeHTTP(w, req)
		if w.Status != http.StatusOK {
			bad++
		}
	}
	done()
	if bad > 0 {
		b.Fatalf("%d responses were not 200 (last: %d)", bad, w.Status)
	}
	if last != nil {
		last(w)
	}
}

// trackCPU starts measuring the process CPU time; the returned function,
// called after the b.Loop, reports it per iteration as cpu-ns/op.
func trackCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if start > 0 && b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
