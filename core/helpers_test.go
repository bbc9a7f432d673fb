package sessions_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

const testSecret = "test-secret-0123456789"

// t0 is the vectors' fixed time: 2023-11-14T22:13:20Z.
var t0 = time.Unix(1700000000, 0).UTC()

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// countingStore counts calls and can be switched off to simulate an outage.
type countingStore struct {
	sessions.Store
	loads, saves, deletes atomic.Int32
	down                  atomic.Bool
	gate                  atomic.Pointer[func()] // runs at the start of each Save
}

var errDown = errors.New("store is down")

func (c *countingStore) Load(ctx context.Context, key string) (sessions.Record, error) {
	c.loads.Add(1)
	if c.down.Load() {
		return sessions.Record{}, errDown
	}
	return c.Store.Load(ctx, key)
}

func (c *countingStore) Save(ctx context.Context, key string, r sessions.Record, cond sessions.Condition) error {
	c.saves.Add(1)
	if g := c.gate.Load(); g != nil {
		(*g)()
	}
	if c.down.Load() {
		return errDown
	}
	return c.Store.Save(ctx, key, r, cond)
}

func (c *countingStore) Delete(ctx context.Context, key string) error {
	c.deletes.Add(1)
	if c.down.Load() {
		return errDown
	}
	return c.Store.Delete(ctx, key)
}

func (c *countingStore) calls() int32 { return c.loads.Load() + c.saves.Load() + c.deletes.Load() }

type fixture struct {
	m     *sessions.Manager
	store *countingStore
	clock *clock
}

func newFixture(t testing.TB, edit func(*sessions.Config)) *fixture {
	t.Helper()
	ck := &clock{now: t0}
	ms := memstore.New(memstore.Options{Clock: ck.Now})
	t.Cleanup(func() { _ = ms.Close() })
	cs := &countingStore{Store: ms}
	cfg := sessions.Config{Store: cs, Secret: testSecret, Clock: ck.Now}
	if edit != nil {
		edit(&cfg)
	}
	m, err := sessions.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{m: m, store: cs, clock: ck}
}

// seed stores values under a fresh key and returns the key.
func (f *fixture) seed(t *testing.T, values map[string]any) string {
	t.Helper()
	s := f.m.Open(t.Context(), "")
	s.SetAll(values)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	return s.Key()
}

// serve runs one request through the middleware.
func (f *fixture) serve(t *testing.T, cookie string, h func(w http.ResponseWriter, r *http.Request)) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	f.m.Middleware(http.HandlerFunc(h)).ServeHTTP(rec, req)
	return rec.Result()
}

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	var found *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessions.DefaultCookieName {
			if found != nil {
				t.Fatalf("two session cookies: %v", resp.Header["Set-Cookie"])
			}
			found = c
		}
	}
	return found
}
