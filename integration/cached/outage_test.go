package cached_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/cachedstore"
	"github.com/sessionkit/sessionkit/integration/faultproxy"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// requestBound is what every request must stay under while the cache
// fails: the cache costs at most one CacheTimeout (200ms) per request,
// the rest is the database. Generous, for the race detector on two cores.
const requestBound = 2 * time.Second

// TestCacheOutage puts integration/faultproxy between the Redis client
// and Redis, then makes Redis freeze (black hole), reset every
// connection, or answer too slowly (each chunk held 400ms, so writes land
// after their caller gave up). Meanwhile requests are served from the
// database within the bound, a logout and some saves go through, and
// once Redis is back the old cookie reads nothing and the saved data is
// what every reader sees, in this process, in another one, and in Redis
// itself. No goroutine is left behind.
func TestCacheOutage(t *testing.T) {
	faults := []struct {
		name  string
		apply func(p *faultproxy.Proxy)
	}{
		{"blackhole", (*faultproxy.Proxy).Blackhole},
		{"reset", (*faultproxy.Proxy).Reset},
		{"delay", func(p *faultproxy.Proxy) { p.Delay(400 * time.Millisecond) }},
	}
	for _, db := range databases() {
		for _, f := range faults {
			t.Run(db.name+"/"+f.name, func(t *testing.T) {
				requireEnv(t, "SESSIONKIT_REDIS_URL")
				before := runtime.NumGoroutine()
				t.Run("scenario", func(t *testing.T) { outage(t, db, f.apply) })
				if after := settledGoroutines(before); after > before {
					buf := make([]byte, 1<<16)
					t.Errorf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
				}
			})
		}
	}
}

func outage(t *testing.T, db database, fault func(*faultproxy.Proxy)) {
	direct := redisClient(t) // another process's view of Redis
	p := faultproxy.New(t, direct.Options().Addr)
	opt, err := redis.ParseURL(requireEnv(t, "SESSIONKIT_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	opt.Addr = p.Addr()
	opt.ContextTimeoutEnabled = true
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	cache := cacheStore(t, client)
	durable := durableStore(t, db.open(t))
	rep := &reports{}
	s, err := cachedstore.New(cache, durable, cachedstore.Options{
		OnCacheError: rep.add,
		CacheBackoff: 200 * time.Millisecond, // probe often: the test waits for recovery
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := sessions.New(sessions.Config{
		Store: s, Secret: "integration-cached-secret",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(t, m)
	ctx := t.Context()

	// Healthy: two sessions, both copied into Redis.
	alice := app.do(t, "", "/login?user=alice").cookie
	bob := app.do(t, "", "/login?user=bob").cookie
	app.do(t, bob, "/visit")
	for _, k := range []string{alice, bob} {
		if got := redisValue(t, direct, cache, k); got != durableValue(t, durable, k) {
			t.Fatalf("Redis holds %.40q for %s, the database %.40q", got, k, durableValue(t, durable, k))
		}
	}
	healthy := app.load(t, bob, "bob,1", 200)
	t.Logf("healthy: %s", healthy)

	fault(p)
	failed := rep.count()
	down := app.load(t, bob, "bob,1", 1000)
	failed = rep.count() - failed
	t.Logf("%s: %s; %d cache calls failed", p.Mode(), down, failed)
	// Bypassed, the cache is tried by a few probes only (one per backoff,
	// which doubles), not by every request.
	if failed == 0 || failed > 100 {
		t.Fatalf("%d cache failures during 1000 requests; want a few probes", failed)
	}

	// During the outage: a logout and three saves.
	app.do(t, alice, "/logout")
	for range 3 {
		app.do(t, bob, "/visit")
	}
	if _, err := durable.Load(ctx, alice); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("the logout left the session in the database: %v", err)
	}
	if s.Pending() == 0 {
		t.Fatal("no key pending after writes during the outage: the cache was never cut off")
	}
	t.Logf("pending during the outage: %d; cache failures reported: %d", s.Pending(), rep.count())

	// Redis still holds the copies from before: the logged-out session,
	// and bob's older data.
	stale := redisValue(t, direct, cache, bob)
	if redisValue(t, direct, cache, alice) == "" || stale == "" || stale == durableValue(t, durable, bob) {
		t.Fatal("the outage did not leave the old copies in Redis; nothing is tested")
	}

	// Back: requests go on, and drive the recovery themselves: a probe,
	// then the pending copies are deleted as they go.
	p.Pass()
	start := time.Now()
	for s.Pending() > 0 {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%d keys still pending 10s after the cache came back", s.Pending())
		}
		if got := app.do(t, alice, "/whoami").body; got != "," {
			t.Fatalf("the logged-out cookie reads %q", got)
		}
		if got := app.do(t, bob, "/whoami").body; got != "bob,4" {
			t.Fatalf("bob reads %q, want bob,4", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("no key pending %v after the cache came back", time.Since(start).Round(time.Millisecond))
	if err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	// Let whatever the proxy still held land (the delay mode's last
	// chunks): a copy arriving late must be refused, not served.
	time.Sleep(time.Second)

	if got := app.do(t, alice, "/whoami").body; got != "," {
		t.Fatalf("the logged-out cookie reads %q", got)
	}
	want := durableValue(t, durable, bob)
	if got := app.do(t, bob, "/whoami").body; got != "bob,4" {
		t.Fatalf("bob reads %q after recovery, want bob,4", got)
	}
	// Another process: its own client straight to Redis, the same keys.
	otherCache, err := redisstore.New(direct, redisstore.Options{Prefix: cache.Prefix()})
	if err != nil {
		t.Fatal(err)
	}
	other, err := cachedstore.New(otherCache, durable, cachedstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Load(ctx, alice); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("another process reads the logged-out session: %v", err)
	}
	if r, err := other.Load(ctx, bob); err != nil || string(r.Data) != want {
		t.Fatalf("another process reads %.40q (%v), the database holds %.40q", r.Data, err, want)
	}
	for k, want := range map[string]string{alice: "", bob: want} {
		if got := redisValue(t, direct, cache, k); got != "" && got != want && !strings.HasPrefix(got, "\x00") {
			t.Fatalf("Redis holds %.40q for %s, the database %.40q", got, k, want)
		}
	}
	app.load(t, bob, "bob,4", 50) // and the cache serves again
}

// app is the session-using handler the scenario drives.
type app struct{ h http.Handler }

func newApp(t *testing.T, m *sessions.Manager) *app {
	return &app{h: m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := sessions.FromContext(r.Context())
		switch r.URL.Path {
		case "/login":
			sess.Set("user", r.URL.Query().Get("user"))
		case "/visit":
			sess.Set("visits", sess.GetInt("visits")+1)
		case "/whoami":
			fmt.Fprintf(w, "%s,%s", sess.GetString("user"), strings.TrimPrefix(fmt.Sprint(sess.GetInt("visits")), "0"))
		case "/logout":
			if err := sess.Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
		}
	}))}
}

type reply struct {
	status int
	body   string
	cookie string
	took   time.Duration
}

// serve runs one request with cookie and returns the reply; cookie is
// kept when the response sets none.
func (a *app) serve(cookie, path string) reply {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: cookie})
	}
	rr := httptest.NewRecorder()
	start := time.Now()
	a.h.ServeHTTP(rr, req)
	rep := reply{status: rr.Code, body: rr.Body.String(), cookie: cookie, took: time.Since(start)}
	for _, c := range rr.Result().Cookies() {
		if c.Name == sessions.DefaultCookieName {
			rep.cookie = c.Value
		}
	}
	return rep
}

// do serves one request and fails t unless it answered 200 in the bound.
func (a *app) do(t *testing.T, cookie, path string) reply {
	t.Helper()
	r := a.serve(cookie, path)
	if r.status != http.StatusOK || r.took > requestBound {
		t.Fatalf("%s: status %d after %v: %s", path, r.status, r.took, r.body)
	}
	return r
}

// load runs n /whoami requests for cookie on 4 workers, checks that each
// answers want within the bound, and reports the rate.
func (a *app) load(t *testing.T, cookie, want string, n int) string {
	t.Helper()
	var (
		ok      atomic.Int64
		mu      sync.Mutex
		slowest time.Duration
		wg      sync.WaitGroup
	)
	start := time.Now()
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				r := a.serve(cookie, "/whoami")
				if r.status != http.StatusOK || r.body != want || r.took > requestBound {
					t.Errorf("request %d: status %d, %q after %v; want %q within %v", i, r.status, r.body, r.took, want, requestBound)
					continue
				}
				ok.Add(1)
				mu.Lock()
				slowest = max(slowest, r.took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	if ok.Load() != int64(n) {
		t.Fatalf("%d of %d requests served", ok.Load(), n)
	}
	return fmt.Sprintf("%d requests in %v (%.0f/s), slowest %v", n, el.Round(time.Millisecond),
		float64(n)/el.Seconds(), slowest.Round(time.Millisecond))
}

// redisValue reads k's cache entry straight from Redis ("" for none).
func redisValue(t *testing.T, c *redis.Client, cache interface{ Prefix() string }, k string) string {
	t.Helper()
	v, err := c.Get(t.Context(), cache.Prefix()+k).Result()
	if errors.Is(err, redis.Nil) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func durableValue(t *testing.T, s sessions.Store, k string) string {
	t.Helper()
	r, err := s.Load(t.Context(), k)
	if errors.Is(err, sessions.ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(r.Data)
}

// settledGoroutines waits up to 5s for the goroutine count to fall to n
// and returns the last count.
func settledGoroutines(n int) int {
	got := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); got > n && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		got = runtime.NumGoroutine()
	}
	return got
}
