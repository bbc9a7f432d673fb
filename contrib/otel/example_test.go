package otelsessions_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	otelsessions "github.com/sessionkit/sessionkit/contrib/otel"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// Store spans and latency with WrapStore, lifecycle counters and span
// events with OnEvent. Here the metrics go to an in-memory reader; an
// application sets up its exporters (or the global providers) instead.
func Example() {
	reader := sdkmetric.NewManualReader()
	tel, err := otelsessions.New(otelsessions.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		panic(err)
	}
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{
		Store:   tel.WrapStore(store), // still InProcess: no Secret needed
		OnEvent: tel.OnEvent,
	})
	if err != nil {
		panic(err)
	}
	// In an application, otelhttp.NewHandler(m.Middleware(mux), "app")
	// puts the request's span in front of the session.
	app := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Set("user", "alice")
	}))
	app.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			switch d := mt.Data.(type) {
			case metricdata.Sum[int64]:
				fmt.Println(mt.Name, d.DataPoints[0].Value)
			case metricdata.Histogram[float64]:
				fmt.Println(mt.Name, d.DataPoints[0].Count, "call")
			}
		}
	}
	// Output:
	// sessionkit.store.duration 1 call
	// sessionkit.sessions.created 1
}
