package otelsessions_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	otelsessions "github.com/sessionkit/sessionkit/contrib/otel"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkMiddleware runs core's scenarios (A untouched, B one read, C
// one increment and a save) on memstore, inside a sampled request span,
// without and with this package: the difference is what the
// instrumentation costs a request.
func BenchmarkMiddleware(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tel, err := otelsessions.New(otelsessions.WithTracerProvider(tp), otelsessions.WithMeterProvider(mp))
	if err != nil {
		b.Fatal(err)
	}
	scenarios := []struct {
		name string
		h    http.HandlerFunc
	}{
		{"A_untouched", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }},
		{"B_read", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, sessions.FromContext(r.Context()).GetString("user"))
		}},
		{"C_write", func(w http.ResponseWriter, r *http.Request) {
			s := sessions.FromContext(r.Context())
			s.Set("visits", s.GetInt("visits")+1)
			_, _ = io.WriteString(w, "ok")
		}},
	}
	tracer := tp.Tracer("bench")
	for _, instrumented := range []bool{false, true} {
		store := memstore.New(memstore.Options{})
		b.Cleanup(func() { _ = store.Close() })
		cfg := sessions.Config{Store: store}
		name := "plain"
		if instrumented {
			cfg = sessions.Config{Store: tel.WrapStore(store), OnEvent: tel.OnEvent}
			name = "otel"
		}
		m, err := sessions.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		seed := m.Open(b.Context(), "")
		seed.SetAll(map[string]any{"user": "alice", "visits": 1})
		if err := seed.Save(); err != nil {
			b.Fatal(err)
		}
		for _, sc := range scenarios {
			b.Run(sc.name+"/"+name, func(b *testing.B) {
				h := m.Middleware(sc.h)
				req := httptest.NewRequest("GET", "/", nil)
				req.Header.Set("Cookie", "sessionid="+seed.Key())
				w := &discardWriter{h: make(http.Header)}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					ctx, span := tracer.Start(req.Context(), "GET /")
					h.ServeHTTP(w, req.WithContext(ctx))
					span.End()
				}
			})
		}
	}
}

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
