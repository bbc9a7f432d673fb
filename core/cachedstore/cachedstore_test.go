package cachedstore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/cachedstore"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/storetest"
)

var errOutage = errors.New("cache outage")

// brokenStore fails every call, as a cache whose server is down.
type brokenStore struct{}

func (brokenStore) Load(context.Context, string) (sessions.Record, error) {
	return sessions.Record{}, errOutage
}
func (brokenStore) Save(context.Context, string, sessions.Record, sessions.Condition) error {
	return errOutage
}
func (brokenStore) Delete(context.Context, string) error         { return errOutage }
func (brokenStore) Exists(context.Context, string) (bool, error) { return false, errOutage }

// reports records what OnCacheError was told.
type reports struct {
	mu  sync.Mutex
	ops []string
}

func (r *reports) add(op string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op)
}

func (r *reports) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.ops
	r.ops = nil
	return ops
}

func newStore(t *testing.T, cache, durable sessions.Store, rep *reports) *cachedstore.Store {
	t.Helper()
	return newStoreOpts(t, cache, durable, rep, cachedstore.Options{})
}

func newStoreOpts(t *testing.T, cache, durable sessions.Store, rep *reports, opts cachedstore.Options) *cachedstore.Store {
	t.Helper()
	if rep != nil {
		opts.OnCacheError = rep.add
	}
	s, err := cachedstore.New(cache, durable, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newKey(t *testing.T) string {
	t.Helper()
	k, err := sessions.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func rec(data string) sessions.Record {
	return sessions.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour).Truncate(time.Millisecond)}
}

var (
	create = sessions.Condition{Mode: sessions.CreateOnly}
	update = sessions.Condition{Mode: sessions.UpdateOnly}
)

func unchanged(loaded string) sessions.Condition {
	return sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte(loaded)}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sessions.Store {
		return newStore(t, memstore.New(memstore.Options{}), memstore.New(memstore.Options{}), nil)
	})
}

func TestConformanceCacheDown(t *testing.T) {
	rep := &reports{}
	// The suite's subtests are parallel: they finish after this function
	// returns, before its cleanups run.
	t.Cleanup(func() {
		if len(rep.take()) == 0 {
			t.Error("the cache outage was never reported")
		}
	})
	storetest.Run(t, func(t *testing.T) sessions.Store {
		return newStore(t, brokenStore{}, memstore.New(memstore.Options{}), rep)
	})
}

func TestConformanceDurableWithoutExtras(t *testing.T) {
	// A durable store with neither Touch nor DeleteExpired: Touch is
	// emulated and DeleteExpired purges what can be purged.
	storetest.Run(t, func(t *testing.T) sessions.Store {
		return newStore(t, memstore.New(memstore.Options{}), plainStore{memstore.New(memstore.Options{})}, nil)
	})
}

// plainStore hides a store's optional interfaces.
type plainStore struct{ sessions.Store }

func TestNew(t *testing.T) {
	m := memstore.New(memstore.Options{})
	for _, tt := range []struct {
		name           string
		cache, durable sessions.Store
	}{
		{"nil cache", nil, m},
		{"nil durable", m, nil},
	} {
		if _, err := cachedstore.New(tt.cache, tt.durable, cachedstore.Options{}); !errors.Is(err, sessions.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", tt.name, err)
		}
	}
}

func TestCacheOutageReported(t *testing.T) {
	rep := &reports{}
	clock := newFakeClock()
	cache := newCtlCache(memstore.Options{Clock: clock.Now})
	cache.set(func(c *ctlCache) { c.down = true })
	durable := memstore.New(memstore.Options{Clock: clock.Now})
	s := newStoreOpts(t, cache, durable, rep, cachedstore.Options{Clock: clock.Now})
	ctx := t.Context()
	k := newKey(t)
	v1 := sessions.Record{Data: []byte("v1"), Expiry: clock.Now().Add(time.Hour)}

	// Each step starts after the bypass, so its first cache call probes
	// the cache and is reported; the calls after it are skipped.
	steps := []struct {
		op   string
		do   func() error
		want []string
	}{
		{"save", func() error { return s.Save(ctx, k, v1, create) }, []string{"lease"}},
		{"load", func() error {
			r, err := s.Load(ctx, k)
			if err == nil && string(r.Data) != "v1" {
				return errors.New("loaded " + string(r.Data))
			}
			return err
		}, []string{"sweep"}}, // the key is pending: its copy is deleted first
		{"exists", func() error {
			if ok, err := s.Exists(ctx, k); err != nil || !ok {
				return errors.New("session not found through the durable store")
			}
			return nil
		}, nil}, // pending: the durable store alone answers
		{"touch", func() error { return s.Touch(ctx, k, clock.Now().Add(2*time.Hour)) }, []string{"touch"}},
		{"delete", func() error { return s.Delete(ctx, k) }, []string{"delete"}},
	}
	for _, st := range steps {
		clock.Advance(time.Minute)
		if err := st.do(); err != nil {
			t.Fatalf("%s with the cache down: %v", st.op, err)
		}
		if got := rep.take(); !slices.Equal(got, st.want) {
			t.Errorf("%s reported %v, want %v", st.op, got, st.want)
		}
	}
	if ok, _ := durable.Exists(ctx, k); ok {
		t.Fatal("Delete left the durable record")
	}
	if n := s.Pending(); n != 1 {
		t.Fatalf("%d keys pending, want 1", n)
	}
	// Within the bypass nothing is even tried.
	before := cache.count("")
	if _, err := s.Load(ctx, k); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Load of the deleted session = %v", err)
	}
	if got := cache.count(""); got != before {
		t.Fatalf("%d cache calls during the bypass", got-before)
	}
	// The cache is back: once the bypass is over, the pending copy goes.
	cache.set(func(c *ctlCache) { c.down = false })
	clock.Advance(time.Minute)
	if err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.Pending(); n != 0 {
		t.Fatalf("%d keys pending after Sweep", n)
	}
	if got := rep.take(); len(got) != 0 {
		t.Fatalf("reported %v with the cache back", got)
	}
}

func TestCancelledContextNotReported(t *testing.T) {
	rep := &reports{}
	s := newStore(t, brokenStore{}, memstore.New(memstore.Options{}), rep)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Load(ctx, newKey(t)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Load = %v, want context.Canceled", err)
	}
	if got := rep.take(); len(got) != 0 {
		t.Fatalf("a cancelled request was reported as a cache outage: %v", got)
	}
}

func TestDurableOutageIsAnError(t *testing.T) {
	rep := &reports{}
	s := newStore(t, memstore.New(memstore.Options{}), brokenStore{}, rep)
	ctx := t.Context()
	k := newKey(t)
	if err := s.Save(ctx, k, rec("v"), create); !errors.Is(err, errOutage) {
		t.Fatalf("Save = %v, want the durable error", err)
	}
	if _, err := s.Load(ctx, k); !errors.Is(err, errOutage) {
		t.Fatalf("Load = %v, want the durable error", err)
	}
	if err := s.Delete(ctx, k); !errors.Is(err, errOutage) {
		t.Fatalf("Delete = %v, want the durable error", err)
	}
}

func TestReadThroughFill(t *testing.T) {
	clock := newFakeClock()
	cache := memstore.New(memstore.Options{Clock: clock.Now})
	durable := memstore.New(memstore.Options{Clock: clock.Now})
	s := newStoreOpts(t, cache, durable, nil, cachedstore.Options{Clock: clock.Now})
	ctx := t.Context()
	k := newKey(t)
	want := sessions.Record{Data: []byte("from the database"), Expiry: clock.Now().Add(time.Hour)}
	if err := durable.Save(ctx, k, want, create); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Load(ctx, k); err != nil || string(r.Data) != "from the database" || !r.Expiry.Equal(want.Expiry) {
		t.Fatalf("Load = %q expiring %v, %v", r.Data, r.Expiry, err)
	}
	got, err := cache.Load(ctx, k)
	if err != nil {
		t.Fatalf("the miss did not fill the cache: %v", err)
	}
	if capped := clock.Now().Add(cachedstore.DefaultMaxCacheTTL); string(got.Data) != string(want.Data) || !got.Expiry.Equal(capped) {
		t.Fatalf("cache copy = %q expiring %v, want %q expiring %v", got.Data, got.Expiry, want.Data, capped)
	}
	// A hit reports no expiry: the copy's is the cap, not the record's.
	if r, err := s.Load(ctx, k); err != nil || string(r.Data) != "from the database" || !r.Expiry.IsZero() {
		t.Fatalf("hit = %q expiring %v, %v; want a zero Expiry", r.Data, r.Expiry, err)
	}
}

// TestCopyLifetime: a copy lives at most MaxCacheTTL and ends a lease
// time (10s) before its record; a record closer to its end is not cached.
func TestCopyLifetime(t *testing.T) {
	tests := []struct {
		name   string
		maxTTL time.Duration
		left   time.Duration // the record's remaining life
		want   time.Duration // the copy's; 0 for no copy
	}{
		{"capped", 0, time.Hour, cachedstore.DefaultMaxCacheTTL},
		{"record ends first", 0, 2 * time.Minute, 2*time.Minute - 10*time.Second},
		{"record about to end", 0, 5 * time.Second, 0},
		{"longer cap", 2 * time.Hour, time.Hour, time.Hour - 10*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			cache := memstore.New(memstore.Options{Clock: clock.Now})
			durable := memstore.New(memstore.Options{Clock: clock.Now})
			s := newStoreOpts(t, cache, durable, nil, cachedstore.Options{Clock: clock.Now, MaxCacheTTL: tt.maxTTL})
			ctx := t.Context()
			k := newKey(t)
			if err := s.Save(ctx, k, sessions.Record{Data: []byte("v"), Expiry: clock.Now().Add(tt.left)}, create); err != nil {
				t.Fatal(err)
			}
			got, err := cache.Load(ctx, k)
			switch {
			case tt.want == 0 && !errors.Is(err, sessions.ErrNotFound):
				t.Fatalf("cached %q expiring %v (%v); want no copy", got.Data, got.Expiry, err)
			case tt.want != 0 && (err != nil || !got.Expiry.Equal(clock.Now().Add(tt.want))):
				t.Fatalf("copy expires %v (%v), want %v", got.Expiry.Sub(clock.Now()), err, tt.want)
			}
		})
	}
}

func TestWriteThrough(t *testing.T) {
	clock := newFakeClock()
	cache := memstore.New(memstore.Options{Clock: clock.Now})
	durable := memstore.New(memstore.Options{Clock: clock.Now})
	s := newStoreOpts(t, cache, durable, nil, cachedstore.Options{Clock: clock.Now})
	ctx := t.Context()
	live := func(data string) sessions.Record {
		return sessions.Record{Data: []byte(data), Expiry: clock.Now().Add(time.Hour)}
	}

	tests := []struct {
		name   string
		cached string // copy in the cache before the save, "" for none
		cond   sessions.Condition
	}{
		{"create", "", create},
		{"update, cached", "v0", update},
		{"update, not cached", "", update},
		{"unchanged, cached", "v0", unchanged("v0")},
		{"unchanged, not cached", "", unchanged("v0")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKey(t)
			if tt.cond.Mode != sessions.CreateOnly {
				if err := durable.Save(ctx, k, live("v0"), create); err != nil {
					t.Fatal(err)
				}
			}
			if tt.cached != "" {
				if err := cache.Save(ctx, k, live(tt.cached), create); err != nil {
					t.Fatal(err)
				}
			}
			want := live("v1")
			if err := s.Save(ctx, k, want, tt.cond); err != nil {
				t.Fatal(err)
			}
			wantExpiry := map[string]time.Time{"cache": clock.Now().Add(cachedstore.DefaultMaxCacheTTL), "durable": want.Expiry}
			for name, st := range map[string]sessions.Store{"cache": cache, "durable": durable} {
				got, err := st.Load(ctx, k)
				if err != nil || string(got.Data) != "v1" || !got.Expiry.Equal(wantExpiry[name]) {
					t.Errorf("%s holds %q expiring %v (%v), want %q expiring %v", name, got.Data, got.Expiry, err, "v1", wantExpiry[name])
				}
			}
		})
	}
}

func TestStaleCacheNeverWins(t *testing.T) {
	cache, durable := memstore.New(memstore.Options{}), memstore.New(memstore.Options{})
	s := newStore(t, cache, durable, nil)
	ctx := t.Context()
	k := newKey(t)
	// Another process wrote v2 to the database; this cache still has v1.
	if err := durable.Save(ctx, k, rec("v2"), create); err != nil {
		t.Fatal(err)
	}
	if err := cache.Save(ctx, k, rec("v1"), create); err != nil {
		t.Fatal(err)
	}
	// A request that loaded the stale v1 must not overwrite v2.
	if err := s.Save(ctx, k, rec("mine"), unchanged("v1")); !errors.Is(err, sessions.ErrConflict) {
		t.Fatalf("conditional save over a stale cache copy = %v, want ErrConflict", err)
	}
	if r, _ := durable.Load(ctx, k); string(r.Data) != "v2" {
		t.Fatalf("durable now holds %q, want v2", r.Data)
	}
	// The stale copy is gone, so the reload after the conflict sees v2.
	if _, err := cache.Load(ctx, k); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("stale cache copy survived the conflict: %v", err)
	}
	if r, err := s.Load(ctx, k); err != nil || string(r.Data) != "v2" {
		t.Fatalf("reload = %q, %v; want v2", r.Data, err)
	}
	// Against what the database holds, the write goes through, whatever
	// the cache says.
	if err := cache.Save(ctx, k, rec("v1"), update); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, k, rec("v3"), unchanged("v2")); err != nil {
		t.Fatalf("conditional save against the durable data: %v", err)
	}
	if r, _ := cache.Load(ctx, k); string(r.Data) != "v3" {
		t.Fatalf("cache holds %q after the save, want v3", r.Data)
	}
}

func TestStaleCacheDeletedSession(t *testing.T) {
	cache, durable := memstore.New(memstore.Options{}), memstore.New(memstore.Options{})
	s := newStore(t, cache, durable, nil)
	ctx := t.Context()
	k := newKey(t)
	// Logged out elsewhere: gone from the database, still in this cache.
	if err := cache.Save(ctx, k, rec("v1"), create); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, k, rec("revived"), unchanged("v1")); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("save of a session deleted from the database = %v, want ErrNotFound", err)
	}
	if ok, _ := cache.Exists(ctx, k); ok {
		t.Fatal("the cache still has the deleted session")
	}
}

// TestCacheWriteFailureKeepsCopyOutOfUse: a save whose cache calls fail
// leaves the older copy in the cache, but it is never served: the key is
// pending until the cache answers, then the copy is replaced.
func TestCacheWriteFailureKeepsCopyOutOfUse(t *testing.T) {
	rep := &reports{}
	clock := newFakeClock()
	cache := newCtlCache(memstore.Options{Clock: clock.Now})
	durable := memstore.New(memstore.Options{Clock: clock.Now})
	s := newStoreOpts(t, cache, durable, rep, cachedstore.Options{Clock: clock.Now})
	ctx := t.Context()
	k := newKey(t)
	live := func(data string) sessions.Record {
		return sessions.Record{Data: []byte(data), Expiry: clock.Now().Add(time.Hour)}
	}
	if err := s.Save(ctx, k, live("v1"), create); err != nil {
		t.Fatal(err)
	}
	cache.set(func(c *ctlCache) { c.failSaves = true })
	if err := s.Save(ctx, k, live("v2"), unchanged("v1")); err != nil {
		t.Fatalf("a cache write failure failed the save: %v", err)
	}
	if got := rep.take(); !slices.Equal(got, []string{"lease"}) {
		t.Fatalf("reported %v, want [lease]", got)
	}
	if r, err := cache.Store.Load(ctx, k); err != nil || string(r.Data) != "v1" {
		t.Fatalf("cache holds %q (%v); the bypass should have left v1 there", r.Data, err)
	}
	if r, err := s.Load(ctx, k); err != nil || string(r.Data) != "v2" {
		t.Fatalf("Load = %q, %v; want v2 from the durable store", r.Data, err)
	}
	cache.set(func(c *ctlCache) { c.failSaves = false })
	clock.Advance(time.Minute)
	if r, err := s.Load(ctx, k); err != nil || string(r.Data) != "v2" {
		t.Fatalf("Load after recovery = %q, %v; want v2", r.Data, err)
	}
	if r, err := cache.Store.Load(ctx, k); err != nil || string(r.Data) != "v2" {
		t.Fatalf("cache holds %q (%v) after recovery, want v2", r.Data, err)
	}
	if n := s.Pending(); n != 0 {
		t.Fatalf("%d keys still pending", n)
	}
}

// hookedStore runs before once, inside the first Load, after reading: it
// lets a test run a whole concurrent operation between a read-through's
// durable load and its cache fill.
type hookedStore struct {
	*memstore.Store
	once   sync.Once
	before func()
}

func (h *hookedStore) Load(ctx context.Context, k string) (sessions.Record, error) {
	r, err := h.Store.Load(ctx, k)
	h.once.Do(h.before)
	return r, err
}

func TestFillRaces(t *testing.T) {
	tests := []struct {
		name      string
		meanwhile func(s *cachedstore.Store, k string) error
		want      string // data a later Load must see, "" for ErrNotFound
	}{
		{"delete", func(s *cachedstore.Store, k string) error { return s.Delete(context.Background(), k) }, ""},
		{"save", func(s *cachedstore.Store, k string) error {
			return s.Save(context.Background(), k, rec("v2"), unchanged("v1"))
		}, "v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache := memstore.New(memstore.Options{})
			durable := &hookedStore{Store: memstore.New(memstore.Options{})}
			s := newStore(t, cache, durable, nil)
			ctx := t.Context()
			k := newKey(t)
			if err := durable.Store.Save(ctx, k, rec("v1"), create); err != nil {
				t.Fatal(err)
			}
			durable.before = func() {
				if err := tt.meanwhile(s, k); err != nil {
					t.Error(err)
				}
			}
			// This Load reads v1, then the other operation completes,
			// then the fill would put v1 into the cache.
			if r, err := s.Load(ctx, k); err != nil || string(r.Data) != "v1" {
				t.Fatalf("racing Load = %q, %v; want v1", r.Data, err)
			}
			r, err := s.Load(ctx, k)
			switch {
			case tt.want == "" && !errors.Is(err, sessions.ErrNotFound):
				t.Fatalf("after the race Load = %q, %v; want ErrNotFound", r.Data, err)
			case tt.want != "" && (err != nil || string(r.Data) != tt.want):
				t.Fatalf("after the race Load = %q, %v; want %q", r.Data, err, tt.want)
			}
		})
	}
}

func TestTouch(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cache sessions.Store
	}{
		{"cache touches", memstore.New(memstore.Options{})},
		{"cache cannot touch", plainStore{memstore.New(memstore.Options{})}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			durable := memstore.New(memstore.Options{})
			s := newStore(t, tt.cache, durable, nil)
			ctx := t.Context()
			k := newKey(t)
			if err := s.Save(ctx, k, rec("v"), create); err != nil {
				t.Fatal(err)
			}
			later := time.Now().Add(48 * time.Hour).Truncate(time.Millisecond)
			if err := s.Touch(ctx, k, later); err != nil {
				t.Fatal(err)
			}
			// Either the copy carries the new expiry or there is no copy.
			if r, err := tt.cache.Load(ctx, k); err == nil && !r.Expiry.Equal(later) {
				t.Fatalf("cache copy expires %v, want %v", r.Expiry, later)
			}
			if r, err := s.Load(ctx, k); err != nil || !r.Expiry.Equal(later) {
				t.Fatalf("Load expiry = %v, %v; want %v", r.Expiry, err, later)
			}
		})
	}
}

func TestDeleteExpiredPassthrough(t *testing.T) {
	cache, durable := memstore.New(memstore.Options{}), memstore.New(memstore.Options{})
	s := newStore(t, cache, durable, nil)
	ctx := t.Context()
	dead := sessions.Record{Data: []byte("dead"), Expiry: time.Now().Add(-time.Minute)}
	for _, st := range []*memstore.Store{cache, durable} {
		if err := st.Save(ctx, newKey(t), dead, create); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpired(ctx)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d, %v; want 1, nil", n, err)
	}
	if cache.Len() != 0 || durable.Len() != 0 {
		t.Fatalf("left %d cached and %d durable records", cache.Len(), durable.Len())
	}
}

// TestCoreMergesOverStaleCache runs core's save loop over a stale cache:
// the conflict drops the stale copy, core reloads from the durable store,
// merges and saves, and nothing is lost.
func TestCoreMergesOverStaleCache(t *testing.T) {
	cache, durable := memstore.New(memstore.Options{}), memstore.New(memstore.Options{})
	s := newStore(t, cache, durable, nil)
	m, err := sessions.New(sessions.Config{Store: s, Secret: "cachedstore-test-secret"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	first := m.Open(ctx, "")
	first.Set("a", "1")
	if err := first.Save(); err != nil {
		t.Fatal(err)
	}
	k := first.Key()
	stale, err := cache.Load(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	// Another server (with its own cache) adds b; this cache keeps the
	// copy without it.
	other := m.Open(ctx, k)
	other.Set("b", "2")
	if err := other.Save(); err != nil {
		t.Fatal(err)
	}
	if err := cache.Save(ctx, k, stale, update); err != nil {
		t.Fatal(err)
	}

	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Set("c", "3")
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: k})
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	if rr.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rr.Code, rr.Body)
	}
	got := m.Open(ctx, k)
	for key, want := range map[string]string{"a": "1", "b": "2", "c": "3"} {
		if v := got.GetString(key); v != want {
			t.Errorf("%s = %q, want %q", key, v, want)
		}
	}
}
