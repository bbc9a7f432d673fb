package otelsessions_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	otelsessions "github.com/sessionkit/sessionkit/contrib/otel"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// app is a login/logout application served by a real HTTP server, with an
// outer middleware that opens the request's span as otelhttp would.
type app struct {
	h      *harness
	m      *sessions.Manager
	srv    *httptest.Server
	client *http.Client
}

func newApp(t *testing.T, h *harness, store sessions.Store) *app {
	t.Helper()
	m, err := sessions.New(sessions.Config{Store: h.tel.WrapStore(store), OnEvent: h.tel.OnEvent, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, sessions.FromContext(r.Context()).GetString("user"))
	})
	mux.HandleFunc("POST /cart", func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Incr("cart", 1)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		if err := s.CycleKey(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		s.Set("user", "alice")
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		_ = sessions.FromContext(r.Context()).Flush()
	})
	tracer := h.tracer()
	traced := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tracer.Start(r.Context(), r.Method+" "+r.URL.Path)
		defer span.End()
		m.Middleware(mux).ServeHTTP(w, r.WithContext(ctx))
	})
	srv := httptest.NewServer(traced)
	t.Cleanup(srv.Close)
	return &app{h: h, m: m, srv: srv, client: srv.Client()}
}

// do sends one request with the session cookie key (if any) and returns
// the key the response sets ("" if none).
func (a *app) do(t *testing.T, method, path, key string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, a.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: key})
	}
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == sessions.DefaultCookieName {
			return c.Value
		}
	}
	return ""
}

// requestSpan returns the request span named name and the spans under it.
func requestSpan(t *testing.T, spans tracetest.SpanStubs, name string) (tracetest.SpanStub, []tracetest.SpanStub) {
	t.Helper()
	for _, s := range spans {
		if s.Name != name {
			continue
		}
		var children []tracetest.SpanStub
		for _, c := range spans {
			if c.Parent.SpanID() == s.SpanContext.SpanID() {
				children = append(children, c)
			}
		}
		return s, children
	}
	t.Fatalf("no span %q", name)
	return tracetest.SpanStub{}, nil
}

func spanNames(spans []tracetest.SpanStub) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

func eventNames(s tracetest.SpanStub) []string {
	var out []string
	for _, e := range s.Events {
		out = append(out, e.Name)
	}
	return out
}

// A session's life through real requests: each request span holds its
// store calls as children and its lifecycle events as span events, the
// counters count the lifecycle, and the latency histogram every store
// call by operation and result. No span carries a session key.
func TestRequestLifecycle(t *testing.T) {
	h := newHarness(t)
	ms := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = ms.Close() })
	a := newApp(t, h, ms)
	id := func(key string) string { return a.m.Open(t.Context(), key).ID() }

	type step struct {
		method, path string
		// keyFrom picks the cookie to send from the keys seen so far.
		send       func(keys []string) string
		children   []string // store spans under the request span
		events     []string // span events on the request span
		setsCookie bool
	}
	last := func(keys []string) string { return keys[len(keys)-1] }
	steps := []step{
		{"POST", "/cart", func([]string) string { return "" },
			[]string{"sessionkit.store.save"}, []string{"sessionkit.session.created"}, true},
		{"GET", "/", last,
			[]string{"sessionkit.store.load"}, []string{"sessionkit.session.loaded"}, false},
		{"POST", "/cart", last,
			[]string{"sessionkit.store.load", "sessionkit.store.save"}, []string{"sessionkit.session.loaded", "sessionkit.session.saved"}, true},
		{"POST", "/login", last,
			[]string{"sessionkit.store.load", "sessionkit.store.save", "sessionkit.store.delete"},
			[]string{"sessionkit.session.loaded", "sessionkit.session.cycled"}, true},
		{"POST", "/logout", last,
			[]string{"sessionkit.store.delete"}, []string{"sessionkit.session.flushed"}, false},
		// The key from before the login: gone.
		{"GET", "/", func(keys []string) string { return keys[0] },
			[]string{"sessionkit.store.load"}, []string{"sessionkit.session.rejected"}, false},
		// No cookie, nothing touched beyond reading: no store call at all.
		{"GET", "/", func([]string) string { return "" }, nil, nil, false},
	}
	var keys []string
	for i, st := range steps {
		h.spans.Reset()
		sent := ""
		if len(keys) > 0 {
			sent = st.send(keys)
		}
		set := a.do(t, st.method, st.path, sent)
		if (set != "") != st.setsCookie {
			t.Fatalf("step %d %s %s: cookie %q, want one: %v", i, st.method, st.path, set, st.setsCookie)
		}
		if set != "" {
			keys = append(keys, set)
		}
		spans := h.spans.GetSpans()
		req, children := requestSpan(t, spans, st.method+" "+st.path)
		if got := spanNames(children); !slices.Equal(got, st.children) {
			t.Errorf("step %d %s %s: store spans %v, want %v", i, st.method, st.path, got, st.children)
		}
		if got := eventNames(req); !slices.Equal(got, st.events) {
			t.Errorf("step %d %s %s: span events %v, want %v", i, st.method, st.path, got, st.events)
		}
		for _, e := range req.Events {
			switch e.Name {
			case "sessionkit.session.created", "sessionkit.session.cycled":
				if got := attr(e.Attributes, otelsessions.SessionIDKey); got != id(set) {
					t.Errorf("step %d: %s has ID %q, want the new cookie's %q", i, e.Name, got, id(set))
				}
			default:
				if got := attr(e.Attributes, otelsessions.SessionIDKey); got != id(sent) {
					t.Errorf("step %d: %s has ID %q, want the sent cookie's %q", i, e.Name, got, id(sent))
				}
			}
			if e.Name == "sessionkit.session.cycled" && attr(e.Attributes, otelsessions.PreviousIDKey) != id(sent) {
				t.Errorf("step %d: cycled without the previous ID", i)
			}
		}
		// Nothing exported holds a key.
		for _, s := range spans {
			all := append([]attribute.KeyValue(nil), s.Attributes...)
			for _, e := range s.Events {
				all = append(all, e.Attributes...)
			}
			for _, kv := range all {
				for _, k := range keys {
					if strings.Contains(kv.Value.String(), k) {
						t.Fatalf("span %s attribute %s holds a session key", s.Name, kv.Key)
					}
				}
			}
		}
	}

	rm := h.metrics(t)
	for _, c := range []struct {
		name string
		want int64
		attr []attribute.KeyValue
	}{
		{"sessionkit.sessions.created", 1, nil},
		{"sessionkit.sessions.cycled", 1, nil},
		{"sessionkit.sessions.ended", 1, []attribute.KeyValue{otelsessions.EndReasonKey.String("flushed")}},
		{"sessionkit.sessions.ended", 0, []attribute.KeyValue{otelsessions.EndReasonKey.String("expired")}},
		{"sessionkit.sessions.rejected", 1, nil},
	} {
		if got, _ := counter(rm, c.name, c.attr...); got != c.want {
			t.Errorf("%s%v = %d, want %d", c.name, c.attr, got, c.want)
		}
	}
	for _, c := range []struct {
		op, result string
		want       uint64
	}{
		{"load", "ok", 3}, {"load", "not_found", 1},
		{"save", "ok", 3}, {"delete", "ok", 2}, {"exists", "ok", 0},
	} {
		got := histCount(rm, "sessionkit.store.duration",
			otelsessions.OperationKey.String(c.op), otelsessions.ResultKey.String(c.result))
		if got != c.want {
			t.Errorf("sessionkit.store.duration{%s,%s} count %d, want %d", c.op, c.result, got, c.want)
		}
	}
	if n, found := counter(rm, "sessionkit.store.errors"); n != 0 || found {
		t.Errorf("store errors %d without a failure", n)
	}
}

// brokenStore fails its calls while down is set.
type brokenStore struct {
	sessions.Store
	down atomic.Bool
}

var errBroken = errors.New("store unreachable")

func (b *brokenStore) Load(ctx context.Context, key string) (sessions.Record, error) {
	if b.down.Load() {
		return sessions.Record{}, errBroken
	}
	return b.Store.Load(ctx, key)
}

// A failing store call is an error span, is counted by the wrapper and
// by the event, and the request answers 500.
func TestStoreErrorTelemetry(t *testing.T) {
	h := newHarness(t)
	ms := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = ms.Close() })
	bs := &brokenStore{Store: ms}
	a := newApp(t, h, bs)
	key := a.do(t, "POST", "/cart", "")
	bs.down.Store(true)
	h.spans.Reset()
	a.do(t, "GET", "/", key)

	req, children := requestSpan(t, h.spans.GetSpans(), "GET /")
	if len(children) != 1 || children[0].Status.Code != codes.Error || len(children[0].Events) != 1 || children[0].Events[0].Name != "exception" {
		t.Fatalf("load span: %+v", children)
	}
	if got := attr(children[0].Attributes, otelsessions.ResultKey); got != "error" {
		t.Fatalf("load span result %q", got)
	}
	if got := eventNames(req); !slices.Equal(got, []string{"sessionkit.session.store_error"}) {
		t.Fatalf("request span events %v", got)
	}
	rm := h.metrics(t)
	load := otelsessions.OperationKey.String("load")
	if n, _ := counter(rm, "sessionkit.store.errors", load); n != 1 {
		t.Errorf("sessionkit.store.errors{load} = %d, want 1", n)
	}
	if n, _ := counter(rm, "sessionkit.sessions.errors", load); n != 1 {
		t.Errorf("sessionkit.sessions.errors{load} = %d, want 1", n)
	}
	if n := histCount(rm, "sessionkit.store.duration", load, otelsessions.ResultKey.String("error")); n != 1 {
		t.Errorf("failed loads in the histogram: %d, want 1", n)
	}
}

// Concurrent writers from two instances: the conflict is a result, not an
// error, and the merge is counted.
func TestConflictTelemetry(t *testing.T) {
	h := newHarness(t)
	ms := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = ms.Close() })
	store := h.tel.WrapStore(ms)
	newManager := func() *sessions.Manager {
		m, err := sessions.New(sessions.Config{Store: store, OnEvent: h.tel.OnEvent})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ours, theirs := newManager(), newManager()
	ctx := t.Context()
	seed := ours.Open(ctx, "")
	seed.Set("n", 0)
	if err := seed.Save(); err != nil {
		t.Fatal(err)
	}
	a, b := ours.Open(ctx, seed.Key()), theirs.Open(ctx, seed.Key())
	a.Incr("n", 1)
	b.Incr("n", 1)
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(); err != nil {
		t.Fatal(err)
	}
	if got := ours.Open(ctx, seed.Key()).GetInt("n"); got != 2 {
		t.Fatalf("n = %d after two increments", got)
	}
	rm := h.metrics(t)
	if n, _ := counter(rm, "sessionkit.sessions.conflicts"); n != 1 {
		t.Errorf("conflicts %d, want 1", n)
	}
	if n, _ := counter(rm, "sessionkit.sessions.merges"); n != 1 {
		t.Errorf("merges %d, want 1", n)
	}
	save := otelsessions.OperationKey.String("save")
	if n := histCount(rm, "sessionkit.store.duration", save, otelsessions.ResultKey.String("conflict")); n != 1 {
		t.Errorf("conflicting saves %d, want 1", n)
	}
	if n, _ := counter(rm, "sessionkit.store.errors"); n != 0 {
		t.Errorf("a conflict counted as %d store errors", n)
	}
}

// spanSeer records the span in the context of each call it gets.
type spanSeer struct {
	sessions.Store
	seen []trace.SpanContext
}

func (s *spanSeer) Load(ctx context.Context, key string) (sessions.Record, error) {
	s.seen = append(s.seen, trace.SpanContextFromContext(ctx))
	return s.Store.Load(ctx, key)
}

// The wrapped store runs inside the store span, so the spans of its own
// client (redisotel, otelgorm) nest under it.
func TestStoreCallRunsInItsSpan(t *testing.T) {
	h := newHarness(t)
	ms := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = ms.Close() })
	seer := &spanSeer{Store: ms}
	store := h.tel.WrapStore(seer)
	ctx, parent := h.tracer().Start(t.Context(), "request")
	_, _ = store.Load(ctx, "nosuchkey")
	parent.End()
	spans := h.spans.GetSpans()
	if len(spans) != 2 || len(seer.seen) != 1 {
		t.Fatalf("%d spans, %d calls", len(spans), len(seer.seen))
	}
	load := spans[0]
	if load.Name != "sessionkit.store.load" || load.Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("load span %q under %v, want under the request span", load.Name, load.Parent.SpanID())
	}
	if seer.seen[0].SpanID() != load.SpanContext.SpanID() {
		t.Fatal("the store was called outside its span")
	}
	if got := attr(load.Attributes, otelsessions.ResultKey); got != "not_found" || load.Status.Code == codes.Error {
		t.Fatalf("a missing record is result %q status %v, want not_found and no error", got, load.Status.Code)
	}
}
