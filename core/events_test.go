package sessions_test

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/signing"
)

// eventLog records the events a Manager reports.
type eventLog struct {
	mu     sync.Mutex
	events []sessions.Event
}

func (l *eventLog) on(_ context.Context, e sessions.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

// take returns the events recorded so far and forgets them.
func (l *eventLog) take() []sessions.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.events
	l.events = nil
	return ev
}

func kinds(ev []sessions.Event) []string {
	out := make([]string, len(ev))
	for i, e := range ev {
		out[i] = e.Kind.String()
	}
	return out
}

func withEvents(l *eventLog) func(*sessions.Config) {
	return func(c *sessions.Config) { c.OnEvent = l.on }
}

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestEventKindString(t *testing.T) {
	tests := []struct {
		k    sessions.EventKind
		want string
	}{
		{sessions.EventCreated, "created"},
		{sessions.EventLoaded, "loaded"},
		{sessions.EventSaved, "saved"},
		{sessions.EventCycled, "cycled"},
		{sessions.EventFlushed, "flushed"},
		{sessions.EventExpired, "expired"},
		{sessions.EventRevoked, "revoked"},
		{sessions.EventConflictMerged, "conflict_merged"},
		{sessions.EventStoreError, "store_error"},
		{sessions.EventRejected, "rejected"},
		{0, "EventKind(0)"},
		{200, "EventKind(200)"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("EventKind(%d).String() = %q, want %q", tt.k, got, tt.want)
		}
	}
}

// Each request of a session's life reports what happened to it, once, and
// names the session by the same ID as Session.ID; IDs follow a session
// through a key change.
func TestEventsThroughRequests(t *testing.T) {
	var log eventLog
	f := newFixture(t, withEvents(&log))
	idOf := func(key string) string { return f.m.Open(t.Context(), key).ID() }
	key := f.seed(t, map[string]any{"user": "alice", "n": 1})
	if got := kinds(log.take()); !slices.Equal(got, []string{"created"}) {
		t.Fatalf("seed: events %v, want [created]", got)
	}
	unknown, _ := sessions.NewKey()

	tests := []struct {
		name string
		// cookie is the session key sent; fresh sends a newly seeded one.
		cookie  string
		fresh   bool
		handler func(s *sessions.Session)
		want    []string
		// id and prev compute the expected IDs from the cookie sent and the
		// key set in the response ("" when there is none).
		id, prev func(sent, set string) string
	}{
		{name: "untouched", cookie: key, handler: func(*sessions.Session) {}, want: []string{}},
		{name: "no cookie, read", handler: func(s *sessions.Session) { s.Get("user") }, want: []string{}},
		{name: "read", cookie: key, handler: func(s *sessions.Session) { s.Get("user") },
			want: []string{"loaded"}, id: func(sent, _ string) string { return idOf(sent) }},
		{name: "write", cookie: key, handler: func(s *sessions.Session) { s.Incr("n", 1) },
			want: []string{"loaded", "saved"}, id: func(sent, _ string) string { return idOf(sent) }},
		{name: "new session", handler: func(s *sessions.Session) { s.Set("cart", 1) },
			want: []string{"created"}, id: func(_, set string) string { return idOf(set) }},
		{name: "unknown key", cookie: unknown, handler: func(s *sessions.Session) { s.Get("user") },
			want: []string{"rejected"}, id: func(sent, _ string) string { return idOf(sent) }},
		{name: "malformed key", cookie: "not*a*key", handler: func(s *sessions.Session) { s.Get("user") },
			want: []string{"rejected"}, id: func(string, string) string { return "" }},
		{name: "flush without loading", fresh: true, handler: func(s *sessions.Session) { _ = s.Flush() },
			want: []string{"flushed"}, id: func(sent, _ string) string { return idOf(sent) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cookie := tt.cookie
			if tt.fresh {
				cookie = f.seed(t, map[string]any{"user": "bob"})
				log.take()
			}
			header := ""
			if cookie != "" {
				header = "sessionid=" + cookie
			}
			resp := f.serve(t, header, func(w http.ResponseWriter, r *http.Request) {
				tt.handler(sessions.FromContext(r.Context()))
			})
			set := ""
			if c := sessionCookie(t, resp); c != nil {
				set = c.Value
			}
			ev := log.take()
			if got := kinds(ev); !slices.Equal(got, tt.want) {
				t.Fatalf("events %v, want %v", got, tt.want)
			}
			for _, e := range ev {
				if want := tt.id(cookie, set); e.ID != want {
					t.Errorf("%v: ID %q, want %q", e.Kind, e.ID, want)
				}
				if e.ID != "" && !hexID.MatchString(e.ID) {
					t.Errorf("%v: ID %q is not 32 hex digits", e.Kind, e.ID)
				}
				if !e.Time.Equal(t0) {
					t.Errorf("%v: Time %v, want the Clock's %v", e.Kind, e.Time, t0)
				}
			}
		})
	}
}

// CycleKey reports one cycled event linking the old ID to the new one, and
// the old session is gone.
func TestEventCycledLinksIDs(t *testing.T) {
	var log eventLog
	f := newFixture(t, withEvents(&log))
	old := f.seed(t, map[string]any{"user": "alice"})
	oldID := f.m.Open(t.Context(), old).ID()
	log.take()
	var newID string
	resp := f.serve(t, "sessionid="+old, func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		if err := s.CycleKey(); err != nil {
			t.Error(err)
		}
		if err := s.Save(); err != nil {
			t.Error(err)
		}
		newID = s.ID()
	})
	ev := log.take()
	if got := kinds(ev); !slices.Equal(got, []string{"loaded", "cycled"}) {
		t.Fatalf("events %v, want [loaded cycled]", got)
	}
	c := ev[1]
	if c.PreviousID != oldID || c.ID != newID || c.ID == oldID || c.ID != f.m.Open(t.Context(), sessionCookie(t, resp).Value).ID() {
		t.Fatalf("cycled: ID %q previous %q; want ID %q (the new cookie's) previous %q", c.ID, c.PreviousID, newID, oldID)
	}

	// A CycleKey on a session never stored cycles nothing away.
	f.serve(t, "", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		s.Set("user", "bob")
		_ = s.CycleKey()
	})
	if got := kinds(log.take()); !slices.Equal(got, []string{"created"}) {
		t.Fatalf("cycle of a new session: events %v, want [created]", got)
	}
}

// A save that meets another instance's write reports the merge before its
// save, with the number of merges.
func TestEventConflictMerged(t *testing.T) {
	var log eventLog
	f := newFixture(t, withEvents(&log))
	key := f.seed(t, map[string]any{"a": 0})
	// Another instance: its own Manager, so its save does not take turns
	// with ours inside this process.
	other, err := sessions.New(sessions.Config{Store: f.store, Secret: testSecret, Clock: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	log.take()
	s := f.m.Open(t.Context(), key)
	s.Incr("a", 1)
	theirs := other.Open(t.Context(), key)
	theirs.Set("b", 1)
	if err := theirs.Save(); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	ev := log.take()
	if got := kinds(ev); !slices.Equal(got, []string{"loaded", "conflict_merged", "saved"}) {
		t.Fatalf("events %v, want [loaded conflict_merged saved]", got)
	}
	if ev[1].Merges != 1 || ev[1].ID != s.ID() {
		t.Fatalf("conflict_merged: merges %d ID %q, want 1 and %q", ev[1].Merges, ev[1].ID, s.ID())
	}
}

// A failing store is reported with the operation that failed, whether it
// fails the request (load, save) or not (the delete of Flush).
func TestEventStoreError(t *testing.T) {
	tests := []struct {
		name   string
		seeded bool
		do     func(s *sessions.Session) error
		want   []string
		op     string
	}{
		{"load", true, func(s *sessions.Session) error { return s.Load() }, []string{"store_error"}, "load"},
		{"create", false, func(s *sessions.Session) error { s.Set("a", 1); return s.Save() }, []string{"store_error"}, "save"},
		{"flush", true, func(s *sessions.Session) error { return s.Flush() }, []string{"store_error", "flushed"}, "delete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log eventLog
			f := newFixture(t, withEvents(&log))
			key := ""
			if tt.seeded {
				key = f.seed(t, map[string]any{"a": 0})
			}
			log.take()
			f.store.down.Store(true)
			s := f.m.Open(t.Context(), key)
			err := tt.do(s)
			if !errors.Is(err, errDown) {
				t.Fatalf("error %v, want the store's", err)
			}
			ev := log.take()
			if got := kinds(ev); !slices.Equal(got, tt.want) {
				t.Fatalf("events %v, want %v", got, tt.want)
			}
			if e := ev[0]; e.Op != tt.op || !errors.Is(e.Err, errDown) {
				t.Fatalf("store_error: op %q err %v, want %q and the store's error", e.Op, e.Err, tt.op)
			}
		})
	}
}

// expiredStore returns every record with an expiry in the past, as a store
// that does not purge on its own might.
type expiredStore struct {
	sessions.Store
	at time.Time
}

func (e expiredStore) Load(ctx context.Context, key string) (sessions.Record, error) {
	rec, err := e.Store.Load(ctx, key)
	rec.Expiry = e.at
	return rec, err
}

// Rejected and expired sessions are reported, and the request gets a fresh
// session in both cases.
func TestEventExpiredAndRejectedRecords(t *testing.T) {
	tests := []struct {
		name  string
		store func(f *fixture) sessions.Store
		edit  func(f *fixture, key string)
		want  string
	}{
		{"expiry past", func(f *fixture) sessions.Store { return expiredStore{f.store, t0.Add(-time.Second)} }, nil, "expired"},
		{"tampered", func(f *fixture) sessions.Store { return f.store }, func(f *fixture, key string) {
			rec, _ := f.store.Load(context.Background(), key)
			data := append([]byte(nil), rec.Data...)
			data[0] ^= 1
			_ = f.store.Save(context.Background(), key, sessions.Record{Data: data, Expiry: rec.Expiry}, sessions.Condition{Mode: sessions.UpdateOnly})
		}, "rejected"},
		{"too large", func(f *fixture) sessions.Store { return f.store }, func(f *fixture, key string) {
			rec, _ := f.store.Load(context.Background(), key)
			data := append([]byte(strings.Repeat("x", 2<<20)), rec.Data...)
			_ = f.store.Save(context.Background(), key, sessions.Record{Data: data, Expiry: rec.Expiry}, sessions.Condition{Mode: sessions.UpdateOnly})
		}, "rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			key := f.seed(t, map[string]any{"user": "alice"})
			if tt.edit != nil {
				tt.edit(f, key)
			}
			var log eventLog
			m, err := sessions.New(sessions.Config{Store: tt.store(f), Secret: testSecret, Clock: f.clock.Now, OnEvent: log.on})
			if err != nil {
				t.Fatal(err)
			}
			s := m.Open(t.Context(), key)
			if s.Has("user") || s.Key() != "" {
				t.Fatalf("session was served: key %q", s.Key())
			}
			ev := log.take()
			if got := kinds(ev); !slices.Equal(got, []string{tt.want}) {
				t.Fatalf("events %v, want [%s]", got, tt.want)
			}
			if want := m.Open(t.Context(), key).ID(); ev[0].ID != want {
				t.Fatalf("ID %q, want %q", ev[0].ID, want)
			}
		})
	}
}

// signedCookies is a minimal ClientStore: the session JSON signed as
// Django's signed_cookies backend does.
type signedCookies struct{}

func (signedCookies) Encode(sg *signing.Signer, data []byte, now time.Time) (string, error) {
	return sg.Dumps(data, false, now), nil
}

func (signedCookies) Decode(sg *signing.Signer, value string, maxAge time.Duration, now time.Time) ([]byte, error) {
	return sg.Loads(value, maxAge, now)
}

// With a ClientStore the ID is the cookie value's: every save changes it,
// and the events link the old one to the new one.
func TestEventsClientStore(t *testing.T) {
	var log eventLog
	ck := &clock{now: t0}
	m, err := sessions.New(sessions.Config{ClientStore: signedCookies{}, Secret: testSecret, Clock: ck.Now, OnEvent: log.on})
	if err != nil {
		t.Fatal(err)
	}
	serve := func(cookie string, h func(s *sessions.Session)) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if cookie != "" {
			req.Header.Set("Cookie", "sessionid="+cookie)
		}
		rec := httptest.NewRecorder()
		m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h(sessions.FromContext(r.Context()))
		})).ServeHTTP(rec, req)
		if c := sessionCookie(t, rec.Result()); c != nil {
			return c.Value
		}
		return ""
	}
	id := func(v string) string { return m.Open(t.Context(), v).ID() }
	type step struct {
		name    string
		handler func(s *sessions.Session)
		want    []string
		// check gets the events, the cookie sent and the one set.
		check func(ev []sessions.Event, sent, set string) bool
	}
	steps := []step{
		{"create", func(s *sessions.Session) { s.Set("user", "alice") }, []string{"created"},
			func(ev []sessions.Event, _, set string) bool { return ev[0].ID == id(set) }},
		{"save", func(s *sessions.Session) { s.Incr("n", 1) }, []string{"loaded", "saved"},
			func(ev []sessions.Event, sent, set string) bool {
				return ev[0].ID == id(sent) && ev[1].PreviousID == id(sent) && ev[1].ID == id(set) && sent != set
			}},
		{"cycle", func(s *sessions.Session) { _ = s.CycleKey() }, []string{"loaded", "cycled"},
			func(ev []sessions.Event, sent, set string) bool {
				return ev[1].PreviousID == id(sent) && ev[1].ID == id(set)
			}},
		{"expire", func(s *sessions.Session) { ck.Add(sessions.DefaultCookieAge + time.Second); s.Get("user") }, []string{"expired"},
			func(ev []sessions.Event, sent, _ string) bool { return ev[0].ID == id(sent) }},
	}
	cookie := ""
	for _, st := range steps {
		set := serve(cookie, st.handler)
		ev := log.take()
		if got := kinds(ev); !slices.Equal(got, st.want) {
			t.Fatalf("%s: events %v, want %v", st.name, got, st.want)
		}
		if !st.check(ev, cookie, set) {
			t.Fatalf("%s: IDs do not match the cookies: %v", st.name, ev)
		}
		if set != "" {
			cookie = set
		}
	}
	// A tampered cookie is rejected, not expired.
	serve(cookie[:len(cookie)-2]+"xx", func(s *sessions.Session) { s.Get("user") })
	if got := kinds(log.take()); !slices.Equal(got, []string{"rejected"}) {
		t.Fatalf("tampered cookie: events %v, want [rejected]", got)
	}
}

// No event, nor its String or log form, carries the session key, the
// secret or the session's data.
func TestEventsHoldNothingSecret(t *testing.T) {
	var log eventLog
	f := newFixture(t, withEvents(&log))
	const data = "alice-data-7b1f"
	key := f.seed(t, map[string]any{"user": data})
	secrets := []string{testSecret, data}
	collect := func(key string, h func(s *sessions.Session)) {
		t.Helper()
		resp := f.serve(t, "sessionid="+key, func(w http.ResponseWriter, r *http.Request) { h(sessions.FromContext(r.Context())) })
		if c := sessionCookie(t, resp); c != nil && c.Value != "" {
			secrets = append(secrets, c.Value)
		}
	}
	secrets = append(secrets, key)
	collect(key, func(s *sessions.Session) { s.Set("more", data) })
	collect(key, func(s *sessions.Session) { _ = s.CycleKey() })
	collect(key, func(s *sessions.Session) { s.Get("user") }) // the cycled-away key: rejected
	f.store.down.Store(true)
	collect(key, func(s *sessions.Session) { s.Get("user") })
	ev := log.take()
	if len(ev) < 5 {
		t.Fatalf("only %d events: %v", len(ev), kinds(ev))
	}
	var text strings.Builder
	logger := slog.New(slog.NewJSONHandler(&text, nil))
	for _, e := range ev {
		text.WriteString(e.String())
		text.WriteString(fmt.Sprintf("%v %+v", e, e))
		logger.Info("session", "event", e)
	}
	for _, s := range secrets {
		if strings.Contains(text.String(), s) {
			t.Fatalf("event output holds %q:\n%s", s, text.String())
		}
	}
	if !strings.Contains(text.String(), `"kind":"store_error"`) || !strings.Contains(text.String(), `"op":"load"`) {
		t.Fatalf("log form lacks the event's fields:\n%s", text.String())
	}
}

// The ID is a keyed hash: the same key gets the same ID under one Secret,
// on any instance, and another under another Secret or, without a Secret,
// under another Manager.
func TestEventIDKeying(t *testing.T) {
	key, _ := sessions.NewKey()
	store := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = store.Close() })
	id := func(secret string) string {
		m, err := sessions.New(sessions.Config{Store: store, Secret: secret})
		if err != nil {
			t.Fatal(err)
		}
		return m.Open(t.Context(), key).ID()
	}
	a1, a2, b := id("secret-a"), id("secret-a"), id("secret-b")
	n1, n2 := id(""), id("")
	if !hexID.MatchString(a1) || a1 != a2 {
		t.Fatalf("same secret: %q and %q", a1, a2)
	}
	if a1 == b || n1 == n2 || n1 == a1 {
		t.Fatalf("IDs do not depend on the hash key: a %q b %q none %q %q", a1, b, n1, n2)
	}
	if strings.Contains(a1, key) {
		t.Fatal("the ID holds the key")
	}
	if s, _ := sessions.New(sessions.Config{Store: store}); s.Open(t.Context(), "").ID() != "" {
		t.Fatal("a session without a key has an ID")
	}
}

// The subscriber gets the request's context, without the session: using
// the session from it would deadlock, so FromContext says so instead.
func TestEventContext(t *testing.T) {
	type ctxKey struct{}
	var (
		mu       sync.Mutex
		values   []any
		panicked []bool
	)
	f := newFixture(t, func(c *sessions.Config) {
		c.OnEvent = func(ctx context.Context, e sessions.Event) {
			p := func() (p bool) {
				defer func() { p = recover() != nil }()
				sessions.FromContext(ctx)
				return false
			}()
			mu.Lock()
			values = append(values, ctx.Value(ctxKey{}))
			panicked = append(panicked, p)
			mu.Unlock()
		}
	})
	h := f.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Set("a", 1)
		_, _ = io.WriteString(w, "ok")
	}))
	req := httptest.NewRequestWithContext(context.WithValue(t.Context(), ctxKey{}, "request value"), http.MethodGet, "/", nil)
	h.ServeHTTP(httptest.NewRecorder(), req)
	mu.Lock()
	defer mu.Unlock()
	if len(values) != 1 || values[0] != "request value" || !panicked[0] {
		t.Fatalf("subscriber saw values %v, FromContext panicked %v; want the request's value and a panic", values, panicked)
	}
}

// The ID is the documented construction, so that other tools can compute
// it: hex of the first 16 bytes of HMAC-SHA-256(key) under
// HKDF-SHA-256(Secret, purpose "sessionkit/core: session ID in events").
func TestEventIDConstruction(t *testing.T) {
	store := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = store.Close() })
	m, err := sessions.New(sessions.Config{Store: store, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	hk, err := hkdf.Key(sha256.New, []byte(testSecret), nil, "sessionkit/core: session ID in events", 32)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"abcdefgh12345678abcdefgh12345678", "abcdefgh12345678abcdefgh12345679", "zzzzzzzz"} {
		mac := hmac.New(sha256.New, hk)
		mac.Write([]byte(key))
		want := hex.EncodeToString(mac.Sum(nil)[:16])
		if got := m.Open(t.Context(), key).ID(); got != want {
			t.Errorf("ID(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestEventString(t *testing.T) {
	tests := []struct {
		e    sessions.Event
		want string
	}{
		{sessions.Event{Kind: sessions.EventCreated, ID: "aa", Time: t0}, "sessions: created id=aa"},
		{sessions.Event{Kind: sessions.EventCycled, ID: "bb", PreviousID: "aa"}, "sessions: cycled id=bb previous=aa"},
		{sessions.Event{Kind: sessions.EventConflictMerged, ID: "aa", Merges: 2}, "sessions: conflict_merged id=aa merges=2"},
		{sessions.Event{Kind: sessions.EventStoreError, ID: "aa", Op: "load", Err: errors.New(`redis: "down"`)},
			`sessions: store_error id=aa op=load err="redis: \"down\""`},
		{sessions.Event{Kind: sessions.EventRejected}, "sessions: rejected"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// BenchmarkEventsSubscribed runs BenchmarkMiddleware's scenarios with a
// subscriber that only counts: the cost of reporting (hashing the key into
// the ID, once per event). Without one, BenchmarkMiddleware is unchanged.
func BenchmarkEventsSubscribed(b *testing.B) {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	var n atomic.Int64
	m, err := sessions.New(sessions.Config{Store: store, Secret: testSecret,
		OnEvent: func(context.Context, sessions.Event) { n.Add(1) }})
	if err != nil {
		b.Fatal(err)
	}
	seed := m.Open(b.Context(), "")
	seed.SetAll(map[string]any{"user": "alice", "visits": 1})
	if err := seed.Save(); err != nil {
		b.Fatal(err)
	}
	for _, sc := range []struct {
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
	} {
		b.Run(sc.name, func(b *testing.B) {
			h := m.Middleware(sc.h)
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", "sessionid="+seed.Key())
			w := &discardWriter{h: make(http.Header)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
		})
	}
	if n.Load() == 0 {
		b.Fatal("no events")
	}
}
