package sessions_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/signing"
)

// touchStore is countingStore with memstore's Touch, counted.
type touchStore struct {
	*countingStore
	ms      *memstore.Store
	touches atomic.Int32
}

func (s *touchStore) Touch(ctx context.Context, key string, exp time.Time) error {
	s.touches.Add(1)
	return s.ms.Touch(ctx, key, exp)
}

// timeoutRig runs requests through a Manager with a fake clock and counts
// what reaches the store.
type timeoutRig struct {
	m      *sessions.Manager
	clock  *clock
	cs     *countingStore
	ts     *touchStore // nil: the store has no Touch
	cookie string
}

func newTimeoutRig(t *testing.T, kind string, edit func(*sessions.Config)) *timeoutRig {
	t.Helper()
	ck := &clock{now: t0}
	r := &timeoutRig{clock: ck}
	cfg := sessions.Config{Secret: testSecret, Clock: ck.Now}
	switch kind {
	case "client":
		cfg.ClientStore = timeoutCookies{}
	default:
		ms := memstore.New(memstore.Options{Clock: ck.Now})
		t.Cleanup(func() { _ = ms.Close() })
		r.cs = &countingStore{Store: ms}
		cfg.Store = r.cs
		if kind == "toucher" {
			r.ts = &touchStore{countingStore: r.cs, ms: ms}
			cfg.Store = r.ts
		}
	}
	if edit != nil {
		edit(&cfg)
	}
	m, err := sessions.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.m = m
	return r
}

// timeoutCookies is a minimal ClientStore: the dict signed into the
// cookie, so the times travel inside the signed value.
type timeoutCookies struct{}

func (timeoutCookies) Encode(sg *signing.Signer, data []byte, now time.Time) (string, error) {
	return sg.Dumps(data, false, now), nil
}

func (timeoutCookies) Decode(sg *signing.Signer, value string, maxAge time.Duration, now time.Time) ([]byte, error) {
	return sg.Loads(value, maxAge, now)
}

// step is one request at offset at from t0.
type step struct {
	at    time.Duration
	do    func(s *sessions.Session) // after the check of "user"
	alive bool                      // "user" was there when the request came
	touch bool                      // the request Touched the record
	save  bool                      // the request wrote the data (or reissued the cookie)
}

func login(s *sessions.Session) { s.Set("user", "alice") }
func read(s *sessions.Session)  { s.Get("other") }

func (r *timeoutRig) run(t *testing.T, steps []step) {
	t.Helper()
	for i, st := range steps {
		r.clock.mu.Lock()
		r.clock.now = t0.Add(st.at)
		r.clock.mu.Unlock()
		var touches, saves int32
		if r.ts != nil {
			touches = r.ts.touches.Load()
		}
		if r.cs != nil {
			saves = r.cs.saves.Load()
		}
		var alive bool
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		if r.cookie != "" {
			req.Header.Set("Cookie", r.cookie)
		}
		rec := httptest.NewRecorder()
		r.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
			s := sessions.FromContext(q.Context())
			alive = s.Has("user")
			if st.do != nil {
				st.do(s)
			}
		})).ServeHTTP(rec, req)
		resp := rec.Result()
		c := sessionCookie(t, resp)
		if c != nil {
			if c.MaxAge < 0 {
				r.cookie = ""
			} else {
				r.cookie = c.Name + "=" + c.Value
			}
		}
		if alive != st.alive {
			t.Fatalf("step %d (+%v): alive = %v, want %v", i, st.at, alive, st.alive)
		}
		if r.ts != nil {
			if got := r.ts.touches.Load() - touches; got != b2i(st.touch) {
				t.Fatalf("step %d (+%v): %d touches, want %d", i, st.at, got, b2i(st.touch))
			}
		}
		saved := c != nil && c.MaxAge >= 0
		if r.cs != nil {
			saved = r.cs.saves.Load() > saves
		}
		if saved != st.save {
			t.Fatalf("step %d (+%v): saved = %v, want %v (Set-Cookie %q)", i, st.at, saved, st.save, resp.Header["Set-Cookie"])
		}
	}
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func TestTimeouts(t *testing.T) {
	const idle = 40 * time.Minute // touched at most once per 10 minutes
	idleCfg := func(c *sessions.Config) { c.IdleTimeout = idle }
	absCfg := func(c *sessions.Config) { c.AbsoluteTimeout = time.Hour }
	m := time.Minute
	tests := []struct {
		name  string
		kind  string // "toucher", "plain" (no Touch) or "client"
		cfg   func(*sessions.Config)
		steps []step
	}{
		{"idle/touch extends without writing", "toucher", idleCfg, []step{
			{at: 0, do: login, save: true},
			{at: 5 * m, do: read, alive: true},               // under a quarter: nothing
			{at: 15 * m, do: read, alive: true, touch: true}, // deadline 40m → 55m
			{at: 20 * m, do: read, alive: true},              // would move it 5m only
			{at: 54 * m, do: read, alive: true, touch: true}, // alive thanks to the touch
			{at: 54*m + idle, do: read},                      // idle for 40m: ended
			{at: 55*m + idle, do: read},                      // and stays ended
		}},
		{"idle/writes move the deadline", "toucher", idleCfg, []step{
			{at: 0, do: login, save: true},
			{at: 30 * m, do: login, alive: true, save: true},
			{at: 69 * m, do: read, alive: true, touch: true},
			{at: 69*m + idle, do: read},
		}},
		{"idle/never past Django's expiry", "toucher", func(c *sessions.Config) {
			c.IdleTimeout = idle
			c.Cookie.MaxAge = 20 * m
		}, []step{
			{at: 0, do: login, save: true},
			{at: 15 * m, do: read, alive: true}, // 20m cap: a touch would not move it
			{at: 20 * m, do: read},
		}},
		{"idle/no Toucher: the data is rewritten once per quarter", "plain", idleCfg, []step{
			{at: 0, do: login, save: true},
			{at: 5 * m, do: read, alive: true},
			{at: 15 * m, do: read, alive: true, save: true},
			{at: 20 * m, do: read, alive: true},
			{at: 54 * m, do: read, alive: true, save: true},
			{at: 94 * m, do: read},
		}},
		{"idle/client store: the cookie is reissued once per quarter", "client", idleCfg, []step{
			{at: 0, do: login, save: true},
			{at: 5 * m, do: read, alive: true},
			{at: 15 * m, do: read, alive: true, save: true},
			{at: 54 * m, do: read, alive: true, save: true},
			{at: 94 * m, do: read},
		}},
		{"absolute/ends whatever the activity", "toucher", absCfg, []step{
			{at: 0, do: login, save: true},
			{at: 20 * m, do: login, alive: true, save: true},
			{at: 40 * m, do: login, alive: true, save: true},
			{at: 59 * m, do: read, alive: true},
			{at: 60 * m, do: read},
		}},
		{"absolute/login (CycleKey) restarts it", "plain", absCfg, []step{
			{at: 0, do: login, save: true},
			{at: 30 * m, do: func(s *sessions.Session) { _ = s.CycleKey() }, alive: true, save: true},
			{at: 80 * m, do: read, alive: true},
			{at: 90 * m, do: read},
		}},
		{"absolute/client store", "client", absCfg, []step{
			{at: 0, do: login, save: true},
			{at: 40 * m, do: login, alive: true, save: true},
			{at: 60 * m, do: read},
		}},
		{"remember-me/a session's own timeouts", "toucher", func(c *sessions.Config) {
			c.IdleTimeout = 10 * m
			c.AbsoluteTimeout = time.Hour
		}, []step{
			{at: 0, do: func(s *sessions.Session) { login(s); s.SetTimeouts(0, 3*time.Hour) }, save: true},
			{at: 2 * time.Hour, do: read, alive: true}, // no idle timeout
			{at: 3 * time.Hour, do: read},              // its own absolute lifetime
		}},
		{"remember-me/reset to Config's", "plain", func(c *sessions.Config) { c.IdleTimeout = 10 * m }, []step{
			{at: 0, do: func(s *sessions.Session) { login(s); s.SetTimeouts(0, 0) }, save: true},
			{at: 2 * time.Hour, do: func(s *sessions.Session) { s.ResetTimeouts() }, alive: true, save: true},
			{at: 2*time.Hour + 10*m, do: read},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTimeoutRig(t, tt.kind, tt.cfg)
			r.run(t, tt.steps)
		})
	}
}

// An expired session is gone from the store, not only ignored, and its
// cookie is deleted.
func TestTimeoutDeletesRecord(t *testing.T) {
	r := newTimeoutRig(t, "toucher", func(c *sessions.Config) { c.AbsoluteTimeout = time.Hour })
	r.run(t, []step{{do: login, save: true}})
	key := strings.TrimPrefix(r.cookie, sessions.DefaultCookieName+"=")
	r.run(t, []step{{at: 2 * time.Hour, do: read}})
	if r.cookie != "" {
		t.Fatalf("cookie %q kept after the absolute lifetime", r.cookie)
	}
	if ok, err := r.ts.ms.Exists(t.Context(), key); err != nil || ok {
		t.Fatalf("record after expiry: exists=%v err=%v", ok, err)
	}
	if _, err := r.ts.ms.Load(t.Context(), key); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Load: %v, want ErrNotFound", err)
	}
}

// Without timeouts the dict carries no reserved key: a session shared
// with Django is byte for byte what it was.
func TestTimeoutsOffAddNothing(t *testing.T) {
	for _, on := range []bool{false, true} {
		f := newFixture(t, func(c *sessions.Config) {
			if on {
				c.IdleTimeout = time.Hour
			}
		})
		s := f.m.Open(t.Context(), "")
		s.Set("user", "alice")
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		s = f.m.Open(t.Context(), s.Key())
		_, created := s.Get(sessions.CreatedKey)
		_, seen := s.Get(sessions.SeenKey)
		if created != on || seen != on {
			t.Fatalf("timeouts on=%v: %s=%v %s=%v", on, sessions.CreatedKey, created, sessions.SeenKey, seen)
		}
	}
}

func TestTimeoutsInvalidConfig(t *testing.T) {
	for _, c := range []sessions.Config{{IdleTimeout: -1}, {AbsoluteTimeout: -time.Second}} {
		c.Store = memstore.New(memstore.Options{})
		_, err := sessions.New(c)
		_ = c.Store.(*memstore.Store).Close()
		if !errors.Is(err, sessions.ErrInvalidConfig) {
			t.Fatalf("New(%+v): %v, want ErrInvalidConfig", c, err)
		}
	}
}

func TestRenewal(t *testing.T) {
	const interval, grace = 10 * time.Minute, time.Minute
	tests := []struct {
		name  string
		grace time.Duration
		// oldAlive: a request with the old cookie at +10m30s still has
		// the session (and is handed the new cookie).
		oldAlive bool
	}{
		{"with grace", grace, true},
		{"without grace", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTimeoutRig(t, "toucher", func(c *sessions.Config) {
				c.RenewInterval, c.RenewGrace = interval, tt.grace
			})
			r.run(t, []step{{do: login, save: true}, {at: 5 * time.Minute, do: read, alive: true}})
			k1 := r.cookie
			// Due: the key changes, the data stays, no write beyond the move.
			r.run(t, []step{{at: interval, do: read, alive: true, save: true}})
			k2 := r.cookie
			if k2 == k1 || k2 == "" {
				t.Fatalf("after the interval the cookie is %q (was %q)", k2, k1)
			}
			r.cookie = k1
			r.run(t, []step{{at: interval + 30*time.Second, do: read, alive: tt.oldAlive}})
			if tt.oldAlive && r.cookie != k2 {
				t.Fatalf("old key in the grace got cookie %q, want the new one %q", r.cookie, k2)
			}
			r.cookie = k1
			r.run(t, []step{{at: interval + grace, do: read}}) // the grace is over
			if r.cookie != "" {
				t.Fatalf("old key after the grace kept cookie %q", r.cookie)
			}
			r.cookie = k2
			r.run(t, []step{{at: interval + 2*grace, do: read, alive: true}})
		})
	}
}

// Requests in flight with the key being renewed, on one instance, end up
// on one new key with every change: the session does not fork.
func TestRenewalConcurrent(t *testing.T) {
	const n = 8
	r := newTimeoutRig(t, "toucher", func(c *sessions.Config) {
		c.RenewInterval, c.RenewGrace = 10*time.Minute, time.Minute
	})
	r.run(t, []step{{do: login, save: true}})
	r.clock.Add(10 * time.Minute)
	var loaded, done sync.WaitGroup
	loaded.Add(n)
	cookies := make([]string, n)
	for i := range n {
		done.Go(func() {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Cookie", r.cookie)
			rec := httptest.NewRecorder()
			r.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
				s := sessions.FromContext(q.Context())
				s.Set(fmt.Sprint("k", i), i)
				loaded.Done()
				loaded.Wait() // everyone loaded the old key before anyone commits
			})).ServeHTTP(rec, req)
			for _, c := range rec.Result().Cookies() {
				cookies[i] = c.Value
			}
		})
	}
	done.Wait()
	for i, c := range cookies {
		if c == "" || c != cookies[0] {
			t.Fatalf("request %d got key %q, request 0 %q: the session forked", i, c, cookies[0])
		}
	}
	s := r.m.Open(t.Context(), cookies[0])
	for i := range n {
		if !s.Has(fmt.Sprint("k", i)) {
			t.Fatalf("the change of request %d is lost: %v", i, s.Keys())
		}
	}
	if got := r.ts.ms.Len(); got != 2 {
		t.Fatalf("%d records, want 2 (the session and one forwarding record)", got)
	}
}

// A forwarding record is followed once, never down a chain, and only
// within its grace.
func TestRenewalForwardOnce(t *testing.T) {
	ck := &clock{now: t0}
	ms := memstore.New(memstore.Options{Clock: ck.Now})
	t.Cleanup(func() { _ = ms.Close() })
	m, err := sessions.New(sessions.Config{Store: ms, Clock: ck.Now})
	if err != nil {
		t.Fatal(err)
	}
	key := func() string {
		k, err := sessions.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	a, b, c, d := key(), key(), key(), key()
	until := t0.Add(time.Minute).Unix()
	put := func(k, data string) {
		if err := ms.Save(t.Context(), k, sessions.Record{Data: []byte(data), Expiry: t0.Add(time.Hour)}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
			t.Fatal(err)
		}
	}
	put(a, fmt.Sprintf(`{"_sk_forward":%q,"_sk_forward_until":%d}`, sessions.SealForward(a, b), until))
	put(b, fmt.Sprintf(`{"_sk_forward":%q,"_sk_forward_until":%d}`, sessions.SealForward(b, c), until))
	put(c, `{"user":"alice"}`)
	put(d, fmt.Sprintf(`{"_sk_forward":%q,"_sk_forward_until":%d}`, sessions.SealForward(d, c), t0.Unix()))
	e := key() // a forward in the clear, as a client could not make but a bug could
	put(e, fmt.Sprintf(`{"_sk_forward":%q,"_sk_forward_until":%d}`, c, until))
	tests := []struct {
		name, key, wantKey string
		wantUser           bool
	}{
		{"one hop", b, c, true},
		{"no chain", a, "", false},
		{"grace over", d, "", false},
		{"not sealed", e, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := m.Open(t.Context(), tt.key)
			if s.Has("user") != tt.wantUser || s.Key() != tt.wantKey {
				t.Fatalf("Open(%s): user=%v key=%q, want user=%v key=%q", tt.name, s.Has("user"), s.Key(), tt.wantUser, tt.wantKey)
			}
		})
	}
}

// A session deleted (logout in another tab) between the load and a due
// renewal is not renewed: a read-only request just ends it, one that
// changed it fails as a save would.
func TestRenewalOfDeletedSession(t *testing.T) {
	tests := []struct {
		name   string
		write  bool
		status int
	}{
		{"read only", false, http.StatusOK},
		{"changed", true, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTimeoutRig(t, "plain", func(c *sessions.Config) { c.RenewInterval = 10 * time.Minute })
			r.run(t, []step{{do: login, save: true}})
			r.clock.Add(10 * time.Minute)
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Cookie", r.cookie)
			rec := httptest.NewRecorder()
			r.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
				s := sessions.FromContext(q.Context())
				s.Get("user")
				if err := r.cs.Store.Delete(q.Context(), s.Key()); err != nil {
					t.Error(err)
				}
				if tt.write {
					s.Set("user", "mallory")
				}
			})).ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if got := r.cs.saves.Load(); got != 1 {
				t.Fatalf("%d saves, want only the login's: the deleted session came back", got)
			}
		})
	}
}
