package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// BenchmarkMiddleware drives the three scenarios of the benchmark module on
// the memory store: A untouched, B one read, C one increment and a save.
func BenchmarkMiddleware(b *testing.B) {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: testSecret})
	if err != nil {
		b.Fatal(err)
	}
	seed := m.Open(b.Context(), "")
	seed.SetAll(map[string]any{"user": "alice", "visits": 1})
	if err := seed.Save(); err != nil {
		b.Fatal(err)
	}
	cookie := "sessionid=" + seed.Key()
	scenarios := []struct {
		name string
		h    http.HandlerFunc
	}{
		{"A_untouched", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }},
		{"B_read", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, sessions.FromContext(r.Context()).GetString("user"))
		}},
		{"C_write", func(w http.ResponseWriter, r *http.Request) {
			s := sessions.FromContext(r.Context())
			s.Set("visits", s.GetInt("visits")+1)
			io.WriteString(w, "ok")
		}},
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	run := func(b *testing.B, h http.Handler) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Cookie", cookie)
		w := &discardWriter{h: make(http.Header)}
		b.ReportAllocs()
		for b.Loop() {
			clear(w.h)
			h.ServeHTTP(w, req)
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, bare) })
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) { run(b, m.Middleware(sc.h)) })
	}
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the middleware rather than a recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
