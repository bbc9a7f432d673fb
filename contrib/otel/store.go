package otelsessions

import (
	"context"
	"errors"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// op is a store operation.
type op uint8

const (
	opLoad op = iota
	opSave
	opDelete
	opExists
	opTouch
	opDeleteExpired
	opIndexUser
	opUnindexUser
	opUserKeys
	opLoadKeys
	opDeleteKeys
	numOps
)

var opNames = [numOps]string{"load", "save", "delete", "exists", "touch", "delete_expired",
	"index_user", "unindex_user", "user_keys", "load_keys", "delete_keys"}

// spanNames are the store spans' names, one per operation.
var spanNames = [numOps]string{
	"sessionkit.store.load", "sessionkit.store.save", "sessionkit.store.delete",
	"sessionkit.store.exists", "sessionkit.store.touch", "sessionkit.store.delete_expired",
	"sessionkit.store.index_user", "sessionkit.store.unindex_user", "sessionkit.store.user_keys",
	"sessionkit.store.load_keys", "sessionkit.store.delete_keys",
}

// startOpts are the options of each operation's span, built once.
var startOpts = func() (opts [numOps][]trace.SpanStartOption) {
	for o := range numOps {
		opts[o] = []trace.SpanStartOption{
			trace.WithSpanKind(trace.SpanKindInternal),
			trace.WithAttributes(OperationKey.String(opNames[o])),
		}
	}
	return opts
}()

// result is how a store call ended.
type result uint8

const (
	resOK result = iota
	resNotFound
	resConflict
	resKeyExists
	resError
	numResults
)

var resultNames = [numResults]string{"ok", "not_found", "conflict", "key_exists", "error"}

// resultAttrs are the span attributes of each result, built once.
var resultAttrs = func() (attrs [numResults][]attribute.KeyValue) {
	for r := range numResults {
		attrs[r] = []attribute.KeyValue{ResultKey.String(resultNames[r])}
	}
	return attrs
}()

// classify sorts err into the answers the store contract defines (which
// are no failure: core expects them) and real errors.
func classify(err error) result {
	switch {
	case err == nil:
		return resOK
	case errors.Is(err, sessions.ErrNotFound):
		return resNotFound
	case errors.Is(err, sessions.ErrConflict):
		return resConflict
	case errors.Is(err, sessions.ErrKeyExists):
		return resKeyExists
	}
	return resError
}

var saveModes = map[sessions.Mode]attribute.KeyValue{
	sessions.CreateOnly:        SaveModeKey.String("create_only"),
	sessions.UpdateOnly:        SaveModeKey.String("update_only"),
	sessions.UpdateIfUnchanged: SaveModeKey.String("update_if_unchanged"),
}

// WrapStore returns store with a span and a latency measurement around
// every call. The result has exactly the optional interfaces of store that
// core looks for (sessions.InProcess, sessions.Toucher,
// sessions.ExpiredDeleter, sessions.UnsignedStore, and the Django() and
// MaxRecordSize() of stores that have them), with store's answers, so core
// treats it as it treats store: an InProcess store stays unsigned, and the
// store an UnsignedStore binds is wrapped in turn.
// Its Unwrap method returns store, for the store's other methods (Close).
// A nil store gives nil.
func (t *Telemetry) WrapStore(store sessions.Store) sessions.Store {
	if store == nil {
		return nil
	}
	return compose(&tracedStore{next: store, t: t})
}

// tracedStore instruments the four methods every store has.
type tracedStore struct {
	next sessions.Store
	t    *Telemetry
}

// Unwrap returns the wrapped store.
func (s *tracedStore) Unwrap() sessions.Store { return s.next }

func (s *tracedStore) Load(ctx context.Context, key string) (sessions.Record, error) {
	ctx, c := s.t.start(ctx, opLoad)
	rec, err := s.next.Load(ctx, key)
	if err == nil && c.span.IsRecording() {
		c.span.SetAttributes(RecordSizeKey.Int(len(rec.Data)))
	}
	c.end(ctx, err)
	return rec, err
}

func (s *tracedStore) Save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	ctx, c := s.t.start(ctx, opSave)
	if c.span.IsRecording() {
		c.span.SetAttributes(saveModes[cond.Mode], RecordSizeKey.Int(len(rec.Data)))
	}
	err := s.next.Save(ctx, key, rec, cond)
	c.end(ctx, err)
	return err
}

func (s *tracedStore) Delete(ctx context.Context, key string) error {
	ctx, c := s.t.start(ctx, opDelete)
	err := s.next.Delete(ctx, key)
	c.end(ctx, err)
	return err
}

func (s *tracedStore) Exists(ctx context.Context, key string) (bool, error) {
	ctx, c := s.t.start(ctx, opExists)
	ok, err := s.next.Exists(ctx, key)
	c.end(ctx, err)
	return ok, err
}

// call is one store call being measured.
type call struct {
	t     *Telemetry
	op    op
	span  trace.Span
	begin time.Time
}

// start opens the span of a store call. Store keys never go into it: a
// span is exported, and a key logs its holder in.
func (t *Telemetry) start(ctx context.Context, o op) (context.Context, call) {
	ctx, span := t.tracer.Start(ctx, spanNames[o], startOpts[o]...)
	return ctx, call{t: t, op: o, span: span, begin: time.Now()}
}

// end records the call's duration and result and ends its span.
func (c call) end(ctx context.Context, err error) {
	elapsed := time.Since(c.begin).Seconds()
	res := classify(err)
	if res != resError {
		c.t.duration.Record(ctx, elapsed, c.t.durationOpts[c.op][res])
		if c.span.IsRecording() {
			c.span.SetAttributes(resultAttrs[res]...)
		}
		c.span.End()
		return
	}
	et := semconv.ErrorType(err)
	attrs := metric.WithAttributes(OperationKey.String(opNames[c.op]), et)
	c.t.duration.Record(ctx, elapsed, metric.WithAttributes(
		OperationKey.String(opNames[c.op]), ResultKey.String(resultNames[resError]), et))
	c.t.storeErrors.Add(ctx, 1, attrs)
	c.span.SetAttributes(ResultKey.String(resultNames[resError]), et)
	c.span.RecordError(err)
	c.span.SetStatus(codes.Error, err.Error())
	c.span.End()
}

// RawKeys passes on whether the wrapped store keeps keys as Django does
// (gormstore on django_session), so that sessions.New still refuses
// Config.HashKeys over it. False answers the same as the method's absence.
func (s *tracedStore) RawKeys() bool {
	rk, ok := s.next.(interface{ RawKeys() bool })
	return ok && rk.RawKeys()
}

// LoadWithExpiry passes sessions.ExpiryLoader on, traced as a load; over
// a store without it, it is Load.
func (s *tracedStore) LoadWithExpiry(ctx context.Context, key string) (sessions.Record, error) {
	el, ok := s.next.(sessions.ExpiryLoader)
	if !ok {
		return s.Load(ctx, key)
	}
	ctx, c := s.t.start(ctx, opLoad)
	rec, err := el.LoadWithExpiry(ctx, key)
	if err == nil && c.span.IsRecording() {
		c.span.SetAttributes(RecordSizeKey.Int(len(rec.Data)))
	}
	c.end(ctx, err)
	return rec, err
}
