package otelsessions

import (
	"context"

	sessions "github.com/sessionkit/sessionkit/core"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// OnEvent counts the event and adds it to the request's span, if that is
// recording, as a span event "sessionkit.session.<kind>" with the
// session's ID. Use it as sessions.Config.OnEvent, or call it from a
// subscriber of your own. It never blocks: the OpenTelemetry API records
// in memory and exports in the background.
func (t *Telemetry) OnEvent(ctx context.Context, e sessions.Event) {
	switch e.Kind {
	case sessions.EventCreated:
		t.created.Add(ctx, 1)
	case sessions.EventCycled:
		t.cycled.Add(ctx, 1)
	case sessions.EventFlushed, sessions.EventExpired, sessions.EventRevoked:
		t.ended.Add(ctx, 1, t.endOpts[e.Kind.String()])
	case sessions.EventRejected:
		t.rejected.Add(ctx, 1)
	case sessions.EventConflictMerged:
		t.conflicts.Add(ctx, 1)
		t.merges.Add(ctx, int64(e.Merges))
	case sessions.EventStoreError:
		t.errors.Add(ctx, 1, metric.WithAttributes(OperationKey.String(e.Op), semconv.ErrorType(e.Err)))
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 4)
	if e.ID != "" {
		attrs = append(attrs, SessionIDKey.String(e.ID))
	}
	if e.PreviousID != "" {
		attrs = append(attrs, PreviousIDKey.String(e.PreviousID))
	}
	if e.Merges != 0 {
		attrs = append(attrs, MergesKey.Int(e.Merges))
	}
	if e.Kind == sessions.EventStoreError {
		attrs = append(attrs, OperationKey.String(e.Op), semconv.ErrorType(e.Err))
	}
	span.AddEvent(eventName(e.Kind), trace.WithAttributes(attrs...))
}

// eventNames are the span events' names, built once.
var eventNames = func() map[sessions.EventKind]string {
	names := make(map[sessions.EventKind]string)
	for k := sessions.EventCreated; k <= sessions.EventRejected; k++ {
		names[k] = "sessionkit.session." + k.String()
	}
	return names
}()

func eventName(k sessions.EventKind) string {
	if n, ok := eventNames[k]; ok {
		return n
	}
	return "sessionkit.session." + k.String()
}
