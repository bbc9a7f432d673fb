package otelsessions

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/sessionkit/sessionkit/contrib/otel"

// Attribute keys this package records.
const (
	// OperationKey is the store operation: "load", "save", "delete",
	// "exists", "touch", "delete_expired"; on sessionkit.sessions.errors
	// also "encode" (a ClientStore's).
	OperationKey = attribute.Key("sessionkit.store.operation")
	// ResultKey is how a store call ended: "ok", "not_found", "conflict",
	// "key_exists" (answers the store contract expects, not errors) or
	// "error".
	ResultKey = attribute.Key("sessionkit.store.result")
	// SaveModeKey is the mode of a save: "create_only", "update_only" or
	// "update_if_unchanged".
	SaveModeKey = attribute.Key("sessionkit.store.save.mode")
	// RecordSizeKey is the size in bytes of the record saved or loaded.
	RecordSizeKey = attribute.Key("sessionkit.store.record.size")
	// SessionIDKey is the session's ID (sessions.Event.ID), a keyed hash of
	// its key, never the key itself.
	SessionIDKey = attribute.Key("sessionkit.session.id")
	// PreviousIDKey is the session's ID before a cycle.
	PreviousIDKey = attribute.Key("sessionkit.session.previous_id")
	// MergesKey is how many concurrent writes a save merged into.
	MergesKey = attribute.Key("sessionkit.session.merges")
	// EndReasonKey says why a session ended: "flushed", "expired" or
	// "revoked".
	EndReasonKey = attribute.Key("sessionkit.session.end_reason")
)

// Telemetry turns a Manager's store calls into spans and latency metrics
// (WrapStore) and its lifecycle events into counters and span events
// (OnEvent). It is safe for concurrent use; make one per Manager, or
// share one.
type Telemetry struct {
	tracer trace.Tracer

	duration    metric.Float64Histogram
	storeErrors metric.Int64Counter

	created, ended, cycled, rejected metric.Int64Counter
	conflicts, merges, errors        metric.Int64Counter

	// durationOpts holds the attribute sets of the common store results,
	// built once: recording a call then allocates nothing for them.
	durationOpts [numOps][numResults]metric.RecordOption
	endOpts      map[string]metric.AddOption
}

// New creates the instruments on the configured (by default the global)
// providers.
func New(opts ...Option) (*Telemetry, error) {
	o := options{tp: otel.GetTracerProvider(), mp: otel.GetMeterProvider()}
	for _, opt := range opts {
		opt(&o)
	}
	t := &Telemetry{tracer: o.tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL))}
	meter := o.mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	var err error
	t.duration, err = meter.Float64Histogram("sessionkit.store.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of session store calls."),
		// Sub-millisecond buckets: an in-process or nearby store answers
		// in microseconds.
		metric.WithExplicitBucketBoundaries(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
			0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
	errs = append(errs, err)
	t.storeErrors = counter("sessionkit.store.errors", "{error}", "Session store calls that failed.")
	t.created = counter("sessionkit.sessions.created", "{session}", "Sessions stored for the first time.")
	t.ended = counter("sessionkit.sessions.ended", "{session}", "Sessions ended: flushed, expired or revoked.")
	t.cycled = counter("sessionkit.sessions.cycled", "{session}", "Sessions given a new key (login).")
	t.rejected = counter("sessionkit.sessions.rejected", "{session}",
		"Session keys or cookies from clients that were not used: unknown, malformed or tampered.")
	t.conflicts = counter("sessionkit.sessions.conflicts", "{save}", "Saves that met concurrent writes and merged into them.")
	t.merges = counter("sessionkit.sessions.merges", "{merge}", "Concurrent writes merged into.")
	t.errors = counter("sessionkit.sessions.errors", "{error}", "Store failures the session lifecycle met.")
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("otelsessions: creating instruments: %w", err)
	}
	for op := range numOps {
		for res := range numResults {
			t.durationOpts[op][res] = metric.WithAttributeSet(attribute.NewSet(
				OperationKey.String(opNames[op]), ResultKey.String(resultNames[res])))
		}
	}
	t.endOpts = make(map[string]metric.AddOption, 3)
	for _, r := range []string{"flushed", "expired", "revoked"} {
		t.endOpts[r] = metric.WithAttributeSet(attribute.NewSet(EndReasonKey.String(r)))
	}
	return t, nil
}
