package adaptertest

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// testTimeouts drives the idle timeout and key renewal through the
// adapter on a fake clock: the key is renewed after RenewInterval, the
// old cookie leads to the session for RenewGrace only, and a session left
// alone for IdleTimeout ends with its cookie deleted.
func testTimeouts(t *testing.T, newServer NewServerFunc) {
	var offset atomic.Int64 // nanoseconds past the fixture's start
	f := setup(t, newServer, func(c *sessions.Config) {
		start := time.Now().Truncate(time.Second)
		c.Clock = func() time.Time { return start.Add(time.Duration(offset.Load())) }
		c.IdleTimeout = 40 * time.Minute
		c.RenewInterval, c.RenewGrace = 10*time.Minute, time.Minute
	})
	c1, k1 := f.newSession(t)
	const m = time.Minute
	steps := []struct {
		at      time.Duration
		cookie  string // "" : the newest cookie
		body    string
		setsKey string // "new": a key other than k1; "same" as the newest; "delete"; "" no Set-Cookie
	}{
		{at: 5 * m, body: "alice"},
		{at: 10 * m, body: "alice", setsKey: "new"},
		{at: 10*m + 30*time.Second, cookie: c1, body: "alice", setsKey: "same"},
		{at: 11 * m, cookie: c1, body: "", setsKey: "delete"},
		{at: 12 * m, body: "alice"},
		{at: 50 * m, body: "", setsKey: "delete"}, // 40m after the renewal wrote it
	}
	newest, newestKey := c1, k1
	for i, st := range steps {
		offset.Store(int64(st.at))
		cookie := newest
		if st.cookie != "" {
			cookie = st.cookie
		}
		resp := f.get(t, "/read", cookie)
		status(t, resp, http.StatusOK)
		if resp.Body != st.body {
			t.Fatalf("step %d (+%v): body %q, want %q", i, st.at, resp.Body, st.body)
		}
		if st.setsKey == "" {
			noCookie(t, resp)
			continue
		}
		c := f.oneCookie(t, resp)
		switch st.setsKey {
		case "new":
			if c.Value == k1 || !sessions.ValidKey(c.Value) || c.MaxAge <= 0 {
				t.Fatalf("step %d: renewal set %+v, want a new key", i, c)
			}
			newest, newestKey = f.name+"="+c.Value, c.Value
			if !f.exists(t, k1) {
				t.Fatalf("step %d: the old key's forwarding record is missing", i)
			}
		case "same":
			if c.Value != newestKey {
				t.Fatalf("step %d: the old key in the grace got %q, want the renewed key %q", i, c.Value, newestKey)
			}
		case "delete":
			if c.MaxAge >= 0 {
				t.Fatalf("step %d: cookie %+v, want it deleted", i, c)
			}
		}
	}
}
