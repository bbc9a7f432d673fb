package redisstore_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

// roundTrips is a go-redis hook that counts what the client sends: one
// round trip per command or pipeline.
type roundTrips struct {
	mu    sync.Mutex
	sent  []string
	trips int
}

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.mu.Lock()
		h.trips++
		h.sent = append(h.sent, cmd.Name())
		h.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.mu.Lock()
		h.trips++
		for _, c := range cmds {
			h.sent = append(h.sent, "pipelined "+c.Name())
		}
		h.mu.Unlock()
		return next(ctx, cmds)
	}
}

// take returns and resets what was counted.
func (h *roundTrips) take() (int, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, sent := h.trips, h.sent
	h.trips, h.sent = 0, nil
	return n, sent
}

// countingConn counts the writes on a connection to Redis: go-redis
// flushes each command, or each pipeline, in one write and then waits for
// the reply, so writes are round trips as the network sees them.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestRoundTrips drives full HTTP requests through the core middleware and
// counts the Redis round trips each kind of request costs, both as go-redis
// sends them (a hook) and as they reach the socket (writes).
func TestRoundTrips(t *testing.T) {
	opt, err := redis.ParseURL(requireEnv(t, "SESSIONKIT_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	var writes atomic.Int64
	opt.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: conn, writes: &writes}, nil
	}
	opt.PoolSize = 1 // one connection, set up during the warm-up
	opt.ContextTimeoutEnabled = true
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	hook := &roundTrips{}
	c.AddHook(hook)
	s := newStore(t, c, testPrefix())
	m, err := sessions.New(sessions.Config{Store: s, Secret: "round-trip-test-secret"})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := sessions.FromContext(r.Context())
		switch r.URL.Path {
		case "/read":
			_, _ = w.Write([]byte(sess.GetString("user")))
		case "/write":
			sess.Set("user", "zoë")
			sess.Set("n", r.URL.RawQuery)
		case "/login":
			if err := sess.SetUser("user-42", sessions.Device{UserAgent: "round-trip test"}); err != nil {
				t.Error(err)
			}
		}
	}))

	// Warm up: the first EVALSHA of the script on a server that has not
	// seen it costs a second round trip (NOSCRIPT, then EVAL).
	ctx := t.Context()
	k := newKey(t)
	_ = s.Save(ctx, k, live("v"), sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("v")})
	// The same for the per-user index's script.
	if err := s.IndexUser(ctx, "warm-up", k, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.UnindexUser(ctx, "warm-up", k); err != nil {
		t.Fatal(err)
	}
	hook.take()
	writes.Store(0)
	// take returns the round trips counted since the last call, after
	// checking that the hook and the socket agree.
	take := func(what string) (int, []string) {
		n, sent := hook.take()
		if w := writes.Swap(0); w != int64(n) {
			t.Errorf("%s: the hook saw %d round trips, the socket %d writes", what, n, w)
		}
		return n, sent
	}

	do := func(path, cookie string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: cookie})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
		}
		return rec.Result()
	}

	// A new session written: one SET NX.
	resp := do("/write?1", "")
	var cookie string
	for _, ck := range resp.Cookies() {
		if ck.Name == sessions.DefaultCookieName {
			cookie = ck.Value
		}
	}
	if cookie == "" {
		t.Fatal("no session cookie after the first write")
	}
	n, sent := take("new session write")
	t.Logf("new session write: %d round trip(s): %v", n, sent)
	if n != 1 {
		t.Errorf("new session write: %d round trips %v, want 1", n, sent)
	}

	tests := []struct {
		name, path, cookie string
		want               int
	}{
		{"untouched, no cookie", "/", "", 0},
		{"untouched, with cookie", "/", cookie, 0},
		{"read", "/read", cookie, 1},
		{"write existing", "/write?2", cookie, 2},
		{"read after write", "/read", cookie, 1},
		// The per-user index: tying the session to a user writes its
		// entry (one more round trip, before the record); later requests
		// within Config.Users.SeenInterval cost what they did.
		{"login (SetUser)", "/login", cookie, 3},
		{"read, tied to a user", "/read", cookie, 1},
		{"write, tied to a user", "/write?3", cookie, 2},
	}
	for _, tt := range tests {
		resp := do(tt.path, tt.cookie)
		n, sent := take(tt.name)
		t.Logf("%s: %d round trip(s): %v", tt.name, n, sent)
		if n != tt.want {
			t.Errorf("%s: %d round trips %v, want %d", tt.name, n, sent, tt.want)
		}
		if tt.path == "/read" {
			body := make([]byte, 16)
			nb, _ := resp.Body.Read(body)
			if got := string(body[:nb]); got != "zoë" {
				t.Errorf("%s: body %q, want %q", tt.name, got, "zoë")
			}
		}
	}
	// The write of an existing session was a conditional write.
	do("/write?4", cookie)
	_, sent = take("write existing")
	if !slices.ContainsFunc(sent, func(name string) bool { return strings.HasPrefix(name, "evalsha") }) {
		t.Errorf("write existing sent %v, want an EVALSHA", sent)
	}
}
