package otelsessions_test

import (
	"context"
	"testing"

	otelsessions "github.com/sessionkit/sessionkit/contrib/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

const testSecret = "otel-test-secret-0123456789"

// harness is an SDK set up with in-memory exporters.
type harness struct {
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	tel    *otelsessions.Telemetry
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	h.tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(h.spans), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	t.Cleanup(func() {
		_ = h.tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tel, err := otelsessions.New(otelsessions.WithTracerProvider(h.tp), otelsessions.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	h.tel = tel
	return h
}

// tracer is the application's own tracer, standing in for otelhttp.
func (h *harness) tracer() trace.Tracer { return h.tp.Tracer("test") }

func (h *harness) metrics(t testing.TB) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := h.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

// matches reports whether set has every attribute of want.
func matches(set attribute.Set, want []attribute.KeyValue) bool {
	for _, kv := range want {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// counter sums the points of the int64 counter name whose attributes
// include want; found is false when the instrument reported nothing.
func counter(rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) (sum int64, found bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			found = true
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				if matches(dp.Attributes, want) {
					sum += dp.Value
				}
			}
		}
	}
	return sum, found
}

// histCount counts the measurements of histogram name whose attributes
// include want.
func histCount(rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) uint64 {
	var n uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
				if matches(dp.Attributes, want) {
					n += dp.Count
				}
			}
		}
	}
	return n
}

// attr returns the value of key among kvs, "" when absent.
func attr(kvs []attribute.KeyValue, key attribute.Key) string {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value.String()
		}
	}
	return ""
}
