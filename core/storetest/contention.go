package storetest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// The contention sections drive one session through a Manager over the
// store with writers × requests concurrent requests, as 32 browser tabs
// or API clients of one user would.
const (
	writers  = 32
	requests = 20
)

// testWritersDistinctKeys: every request sets a key of its own. None may
// fail and none may be lost (the merge on conflict keeps them all).
func testWritersDistinctKeys(t *testing.T, s sessions.Store) {
	m, cookie := contentionSession(t, s)
	lat := hammer(t, m, cookie, func(s *sessions.Session, w, i int) {
		s.Set(fmt.Sprintf("w%02d-%02d", w, i), i)
	})
	got := m.Open(t.Context(), cookieKey(cookie)).Values()
	for w := range writers {
		for i := range requests {
			if _, ok := got[fmt.Sprintf("w%02d-%02d", w, i)]; !ok {
				t.Errorf("key w%02d-%02d lost", w, i)
			}
		}
	}
	t.Logf("%d×%d writers, distinct keys: %s", writers, requests, lat)
}

// testWritersIncrement: every request increments one counter with Incr.
// The increments add up exactly.
func testWritersIncrement(t *testing.T, s sessions.Store) {
	m, cookie := contentionSession(t, s)
	lat := hammer(t, m, cookie, func(s *sessions.Session, _, _ int) { s.Incr("n", 1) })
	n, err := sessions.Get[int](m.Open(t.Context(), cookieKey(cookie)), "n")
	if err != nil || n != writers*requests {
		t.Errorf("counter = %d (%v), want %d", n, err, writers*requests)
	}
	t.Logf("%d×%d writers, one counter: %s", writers, requests, lat)
}

func contentionSession(t *testing.T, s sessions.Store) (*sessions.Manager, string) {
	t.Helper()
	m, err := sessions.New(sessions.Config{Store: s, Secret: "storetest-contention-secret"})
	if err != nil {
		t.Fatal(err)
	}
	seed := m.Open(t.Context(), "")
	seed.Set("user", "alice")
	if err := seed.Save(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Delete(t.Context(), seed.Key()) })
	return m, sessions.DefaultCookieName + "=" + seed.Key()
}

func cookieKey(cookie string) string { return cookie[len(sessions.DefaultCookieName)+1:] }

// hammer runs the requests and fails on any non-2xx answer; it returns
// the latency percentiles.
func hammer(t *testing.T, m *sessions.Manager, cookie string, change func(s *sessions.Session, w, i int)) latencies {
	t.Helper()
	var (
		mu   sync.Mutex
		took []time.Duration
		wg   sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			for i := range requests {
				h := m.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
					change(sessions.FromContext(r.Context()), w, i)
				}))
				req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", nil)
				req.Header.Set("Cookie", cookie)
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				d := time.Since(start)
				if rec.Code/100 != 2 {
					t.Errorf("writer %d request %d: %d %s", w, i, rec.Code, rec.Body.String())
				}
				mu.Lock()
				took = append(took, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(took)
	return latencies{p50: took[len(took)/2], p99: took[len(took)*99/100], max: took[len(took)-1]}
}

type latencies struct{ p50, p99, max time.Duration }

func (l latencies) String() string {
	return fmt.Sprintf("p50 %v, p99 %v, max %v", l.p50.Round(time.Microsecond), l.p99.Round(time.Microsecond), l.max.Round(time.Microsecond))
}
