package redisstore_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// With an idle timeout, a read-only request that is due to extend the
// session does it with PEXPIRE, in no more round trips than a rewrite,
// and never rewrites the data: the load reports the record's expiry
// (PTTL, pipelined with the read) so core can use Touch.
func TestIdleTimeoutTouchesWithPexpire(t *testing.T) {
	c := standalone(t)
	hook := &roundTrips{}
	c.AddHook(hook)
	var mu sync.Mutex
	now := time.Now().Truncate(time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, err := redisstore.New(c, redisstore.Options{Prefix: testPrefix(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	const idle = time.Hour
	m, err := sessions.New(sessions.Config{Store: s, Secret: "idle-touch-test-secret", Clock: clock, IdleTimeout: idle})
	if err != nil {
		t.Fatal(err)
	}
	seed := m.Open(t.Context(), "")
	seed.Set("user", "alice")
	if err := seed.Save(); err != nil {
		t.Fatal(err)
	}
	key := seed.Key()
	before, err := c.Get(t.Context(), s.Prefix()+key).Result()
	if err != nil {
		t.Fatal(err)
	}
	read := func() {
		t.Helper()
		h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if got := sessions.FromContext(r.Context()).GetString("user"); got != "alice" {
				t.Errorf("user = %q", got)
			}
		}))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Cookie", "sessionid="+key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	}

	hook.take()
	read() // fresh: nothing to extend
	if _, sent := hook.take(); slices.Contains(sent, "pexpire") {
		t.Errorf("a fresh session was touched: %v", sent)
	}

	// Half the idle timeout passes: on the store's clock, and in Redis,
	// whose TTLs run on its own.
	mu.Lock()
	now = now.Add(idle / 2)
	mu.Unlock()
	if err := c.PExpire(t.Context(), s.Prefix()+key, idle/2).Err(); err != nil {
		t.Fatal(err)
	}
	hook.take()
	read()
	trips, sent := hook.take()
	if !slices.Contains(sent, "pexpire") || slices.Contains(sent, "evalsha") || slices.Contains(sent, "set") {
		t.Fatalf("extending the idle deadline sent %v, want a PEXPIRE and no rewrite", sent)
	}
	if trips != 2 {
		t.Errorf("%d round trips (%v), want 2: the pipelined load and the PEXPIRE", trips, sent)
	}
	after, err := c.Get(t.Context(), s.Prefix()+key).Result()
	if err != nil || after != before {
		t.Errorf("the data changed (%v)", err)
	}
	ttl, err := c.PTTL(t.Context(), s.Prefix()+key).Result()
	if err != nil || ttl < idle-time.Minute {
		t.Errorf("TTL after the touch %v (%v), want about %v", ttl, err, idle)
	}
}
