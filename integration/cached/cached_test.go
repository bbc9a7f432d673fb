package cached_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/cachedstore"
	"github.com/sessionkit/sessionkit/core/storetest"
)

// TestConformance runs the store suite on Redis in front of each database.
func TestConformance(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			cache := cacheStore(t, redisClient(t))
			durable := durableStore(t, db.open(t))
			s := compose(t, cache, durable, nil)
			storetest.Run(t, func(t *testing.T) sessions.Store { return s })
		})
	}
}

// TestWriteThroughReachesBoth checks, server by server, where a session
// lives after each step of its life.
func TestWriteThroughReachesBoth(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			ctx := t.Context()
			rc := redisClient(t)
			cache := cacheStore(t, rc)
			// Redis's Load leaves Expiry zero (its TTL enforces it): read the TTL.
			expiry := func(st sessions.Store, k string, r sessions.Record) time.Time {
				if st != sessions.Store(cache) {
					return r.Expiry
				}
				return time.Now().Add(rc.PTTL(t.Context(), cache.Prefix()+k).Val())
			}
			durable := durableStore(t, db.open(t))
			s := compose(t, cache, durable, nil)
			k, err := sessions.NewKey()
			if err != nil {
				t.Fatal(err)
			}
			rec := sessions.Record{Data: []byte("v1"), Expiry: time.Now().Add(time.Hour).Truncate(time.Second)}
			if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				t.Fatal(err)
			}
			// The copy in Redis lives MaxCacheTTL at most.
			wantExpiry := func(st sessions.Store) time.Time {
				if st == sessions.Store(cache) {
					return time.Now().Add(cachedstore.DefaultMaxCacheTTL)
				}
				return rec.Expiry
			}
			for name, st := range map[string]sessions.Store{"redis": cache, "database": durable} {
				got, err := st.Load(ctx, k)
				if err != nil || string(got.Data) != "v1" || expiry(st, k, got).Sub(wantExpiry(st)).Abs() > time.Second {
					t.Fatalf("%s holds %q expiring %v (%v), want v1 expiring %v", name, got.Data, expiry(st, k, got), err, wantExpiry(st))
				}
			}
			// Redis loses its copy: the next Load reads the database and
			// puts the copy back, capped again.
			if err := cache.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Load(ctx, k); err != nil || string(got.Data) != "v1" {
				t.Fatalf("Load after eviction = %q, %v", got.Data, err)
			}
			if got, err := cache.Load(ctx, k); err != nil || expiry(cache, k, got).Sub(wantExpiry(cache)).Abs() > time.Second {
				t.Fatalf("refilled copy expiring %v (%v), want %v", expiry(cache, k, got), err, wantExpiry(cache))
			}
			// A stale copy in Redis never decides a conditional write.
			if err := durable.Save(ctx, k, sessions.Record{Data: []byte("v2"), Expiry: rec.Expiry}, sessions.Condition{Mode: sessions.UpdateOnly}); err != nil {
				t.Fatal(err)
			}
			err = s.Save(ctx, k, sessions.Record{Data: []byte("mine"), Expiry: rec.Expiry}, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("v1")})
			if !errors.Is(err, sessions.ErrConflict) {
				t.Fatalf("save over a stale Redis copy = %v, want ErrConflict", err)
			}
			if got, err := s.Load(ctx, k); err != nil || string(got.Data) != "v2" {
				t.Fatalf("Load after the conflict = %q, %v; want v2", got.Data, err)
			}
			if err := s.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			for name, st := range map[string]sessions.Store{"redis": cache, "database": durable} {
				if ok, err := st.Exists(ctx, k); err != nil || ok {
					t.Fatalf("%s still has the deleted session (%v)", name, err)
				}
			}
		})
	}
}

// TestRedisDown points the cache at a port where no Redis listens: every
// session operation still works on the database alone, and each failure
// is reported, never returned.
func TestRedisDown(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			rep := &reports{}
			durable := durableStore(t, db.open(t))
			s := compose(t, cacheStore(t, deadRedis(t)), durable, rep)
			m, err := sessions.New(sessions.Config{Store: s, Secret: "integration-cached-secret"})
			if err != nil {
				t.Fatal(err)
			}
			h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sess := sessions.FromContext(r.Context())
				switch r.URL.Path {
				case "/login":
					sess.Set("user", "zoë")
				case "/visit":
					sess.Set("visits", sess.GetInt("visits")+1)
				case "/whoami":
					_, _ = w.Write([]byte(sess.GetString("user")))
				case "/logout":
					if err := sess.Flush(); err != nil {
						t.Errorf("Flush: %v", err)
					}
				}
			}))
			var cookie string
			do := func(path string) string {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				if cookie != "" {
					req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: cookie})
				}
				rr := httptest.NewRecorder()
				h.ServeHTTP(rr, req)
				if rr.Code != http.StatusOK {
					t.Fatalf("%s: status %d: %s", path, rr.Code, rr.Body)
				}
				for _, c := range rr.Result().Cookies() {
					if c.Name == sessions.DefaultCookieName {
						cookie = c.Value
					}
				}
				return rr.Body.String()
			}

			do("/login")
			if cookie == "" {
				t.Fatal("no session cookie after login")
			}
			do("/visit")
			do("/visit")
			if got := do("/whoami"); got != "zoë" {
				t.Fatalf("whoami = %q, want %q", got, "zoë")
			}
			rec, err := durable.Load(t.Context(), cookie)
			if err != nil {
				t.Fatalf("the session is not in the database: %v", err)
			}
			data, err := m.Decode(rec.Data)
			if err != nil || fmt.Sprint(data["visits"]) != "2" {
				t.Fatalf("database holds %v (%v), want visits = 2", data, err)
			}
			key := cookie
			do("/logout")
			if ok, err := durable.Exists(t.Context(), key); err != nil || ok {
				t.Fatalf("logout left the session in the database (%v)", err)
			}

			ops, errs := rep.take()
			if len(ops) == 0 {
				t.Fatal("the Redis outage was never reported")
			}
			t.Logf("reported cache failures: %v", ops)
			for _, err := range errs {
				if !errors.Is(err, syscall.ECONNREFUSED) {
					t.Errorf("reported %v, want a refused connection", err)
				}
			}
		})
	}
}

// TestConformanceRedisDown runs the store suite with the cache unreachable.
func TestConformanceRedisDown(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			rep := &reports{}
			durable := durableStore(t, db.open(t))
			s := compose(t, cacheStore(t, deadRedis(t)), durable, rep)
			storetest.Run(t, func(t *testing.T) sessions.Store { return s })
		})
	}
}
