package cachedstore_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/cachedstore"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// TestFrozenCache: a cache that stops answering costs a request at most
// CacheTimeout; then it is not called at all for CacheBackoff, after
// which one call probes it, and a failed probe doubles the wait. When it
// answers again, reads hit it again. Time is synctest's, so the durations
// checked are exact.
func TestFrozenCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rep := &reports{}
		cache := newCtlCache(memstore.Options{})
		durable := &countingStore{Store: memstore.New(memstore.Options{})}
		s := newStore(t, cache, durable, rep)
		ctx := context.Background()
		k := newKey(t)
		v := sessions.Record{Data: []byte("v"), Expiry: time.Now().Add(time.Hour)}
		if err := s.Save(ctx, k, v, create); err != nil {
			t.Fatal(err)
		}
		cache.set(func(c *ctlCache) { c.frozen = true })

		// timed runs f and returns how long it took and how many cache
		// calls it made.
		timed := func(f func() error) (time.Duration, int) {
			t.Helper()
			start, calls := time.Now(), cache.count("")
			if err := f(); err != nil {
				t.Fatal(err)
			}
			return time.Since(start), cache.count("") - calls
		}
		load := func() error {
			r, err := s.Load(ctx, k)
			if err == nil && string(r.Data) != "v" {
				err = errors.New("loaded " + string(r.Data))
			}
			return err
		}
		if d, n := timed(load); d != cachedstore.DefaultCacheTimeout || n != 1 {
			t.Fatalf("first Load on the frozen cache: %v and %d cache calls; want %v and 1", d, n, cachedstore.DefaultCacheTimeout)
		}
		for i := range 100 {
			if d, n := timed(load); d != 0 || n != 0 {
				t.Fatalf("Load %d during the bypass: %v and %d cache calls; want none", i, d, n)
			}
		}
		// Saves and deletes go on too, leaving their keys pending.
		if d, n := timed(func() error { return s.Save(ctx, k, v, unchanged("v")) }); d != 0 || n != 0 {
			t.Fatalf("Save during the bypass: %v and %d cache calls", d, n)
		}
		// Backoffs of 1s, then 2s, then 4s: each ends with one probe.
		for _, backoff := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
			time.Sleep(backoff - time.Millisecond)
			if _, n := timed(load); n != 0 {
				t.Fatalf("a cache call %v into a %v backoff", backoff-time.Millisecond, backoff)
			}
			time.Sleep(time.Millisecond)
			if d, n := timed(load); d != cachedstore.DefaultCacheTimeout || n != 1 {
				t.Fatalf("probe after %v: %v and %d cache calls; want %v and 1", backoff, d, n, cachedstore.DefaultCacheTimeout)
			}
		}
		if got := rep.take(); len(got) != 4 {
			t.Fatalf("reported %v, want the first failure and three probes", got)
		}

		// A caller's deadline shorter than CacheTimeout ends the probe
		// and the request; that is no cache failure, and the next call
		// probes instead.
		time.Sleep(8 * time.Second)
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		start := time.Now()
		_, err := s.Load(short, k)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 50*time.Millisecond {
			t.Fatalf("Load with a 50ms deadline: %v after %v", err, time.Since(start))
		}
		if got := rep.take(); len(got) != 0 {
			t.Fatalf("the caller's deadline was reported as a cache failure: %v", got)
		}

		// Back: the probe answers, the pending copy is replaced, and reads
		// hit the cache with no durable call.
		cache.set(func(c *ctlCache) { c.frozen = false })
		if _, n := timed(load); n == 0 {
			t.Fatal("no probe once the caller's deadline ended the last one")
		}
		if n := s.Pending(); n != 0 {
			t.Fatalf("%d keys pending after recovery", n)
		}
		before := durable.calls()
		for range 10 {
			if _, n := timed(load); n != 1 {
				t.Fatalf("a hit made %d cache calls", n)
			}
		}
		if n := durable.calls() - before; n != 0 {
			t.Fatalf("hits made %d durable calls", n)
		}
	})
}

// TestPendingBound: the pending set holds MaxPending keys. A full set
// first forgets marks whose copies have expired; if still full, it is
// dropped and no copy is read until every copy it guarded has expired.
func TestPendingBound(t *testing.T) {
	const window = cachedstore.DefaultMaxCacheTTL + 10*time.Second
	tests := []struct {
		name     string
		gap      time.Duration // between the second and third failed delete
		distrust bool          // whether the third overflows the set
	}{
		{"overflow", time.Second, true},
		{"old marks forgotten", window, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			cache := newCtlCache(memstore.Options{Clock: clock.Now})
			durable := memstore.New(memstore.Options{Clock: clock.Now})
			s := newStoreOpts(t, cache, durable, &reports{}, cachedstore.Options{Clock: clock.Now, MaxPending: 2})
			ctx := t.Context()
			live := sessions.Record{Data: []byte("v"), Expiry: clock.Now().Add(time.Hour)}
			keys := []string{newKey(t), newKey(t), newKey(t), newKey(t)}
			for _, k := range keys {
				if err := s.Save(ctx, k, live, create); err != nil {
					t.Fatal(err)
				}
			}
			cache.set(func(c *ctlCache) { c.down = true })
			for i, k := range keys[:3] {
				if i == 2 {
					clock.Advance(tt.gap)
				}
				clock.Advance(time.Minute) // past the bypass: each delete tries the cache
				if err := s.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			cache.set(func(c *ctlCache) { c.down = false })
			clock.Advance(time.Minute)
			// The deleted sessions are never read back, either way.
			for _, k := range keys[:3] {
				if _, err := s.Load(ctx, k); !errors.Is(err, sessions.ErrNotFound) {
					t.Fatalf("Load of a deleted session = %v", err)
				}
			}
			// A live session is read from the cache unless it is distrusted.
			loads := cache.count("load")
			if r, err := s.Load(ctx, keys[3]); err != nil || string(r.Data) != "v" {
				t.Fatalf("Load = %q, %v", r.Data, err)
			}
			if used := cache.count("load") > loads; used == tt.distrust {
				t.Fatalf("cache read: %v; distrusted: %v", used, tt.distrust)
			}
			if !tt.distrust {
				return
			}
			// The copy of the forgotten key is still in the cache: only
			// time makes it safe to read the cache again.
			if _, err := cache.Store.Load(ctx, keys[0]); err != nil {
				t.Fatalf("expected the forgotten copy to be there: %v", err)
			}
			clock.Advance(window)
			loads = cache.count("load")
			if _, err := s.Load(ctx, keys[0]); !errors.Is(err, sessions.ErrNotFound) {
				t.Fatalf("Load of the forgotten key after the window = %v", err)
			}
			if cache.count("load") == loads {
				t.Fatal("the cache is still distrusted after the window")
			}
		})
	}
}

// TestSweep: Sweep deletes pending copies while the cache answers and
// keeps the rest pending when it stops.
func TestSweep(t *testing.T) {
	tests := []struct {
		name    string
		deletes int // Deletes the cache still answers during the sweep; -1: all
		left    int
	}{
		{"cache back", -1, 0},
		{"cache down", 0, 20},
		{"cache fails midway", 5, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			cache := newCtlCache(memstore.Options{Clock: clock.Now})
			durable := memstore.New(memstore.Options{Clock: clock.Now})
			s := newStoreOpts(t, cache, durable, &reports{}, cachedstore.Options{Clock: clock.Now})
			ctx := t.Context()
			live := sessions.Record{Data: []byte("v"), Expiry: clock.Now().Add(time.Hour)}
			var keys []string
			for range 20 {
				k := newKey(t)
				keys = append(keys, k)
				if err := s.Save(ctx, k, live, create); err != nil {
					t.Fatal(err)
				}
			}
			cache.set(func(c *ctlCache) { c.down = true })
			for _, k := range keys {
				if err := s.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			if n := s.Pending(); n != 20 {
				t.Fatalf("%d pending, want 20", n)
			}
			cache.set(func(c *ctlCache) { c.down, c.deletesLeft = tt.deletes >= 0, tt.deletes })
			clock.Advance(time.Minute)
			err := s.Sweep(ctx)
			if (err == nil) != (tt.left == 0) || s.Pending() != tt.left {
				t.Fatalf("Sweep = %v with %d pending; want %d pending", err, s.Pending(), tt.left)
			}
			copies := 0
			for _, k := range keys {
				if _, err := cache.Store.Load(ctx, k); err == nil {
					copies++
				}
			}
			if copies != tt.left {
				t.Fatalf("%d copies left in the cache, want %d", copies, tt.left)
			}
		})
	}
}

// TestOtherProcess states what a second process sharing the cache gets.
// Process a cannot reach the cache when it deletes a session; process b,
// whose cache calls succeed, keeps reading the copy a could not delete
// until a deletes it (once the cache answers it) or the copy expires.
func TestOtherProcess(t *testing.T) {
	for _, restart := range []bool{false, true} {
		name := map[bool]string{false: "a sweeps", true: "a restarts"}[restart]
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock()
			shared := newCtlCache(memstore.Options{Clock: clock.Now})
			cut := &ctlCache{Store: shared.Store, calls: map[string]int{}} // a's view of it
			durable := memstore.New(memstore.Options{Clock: clock.Now})
			opts := cachedstore.Options{Clock: clock.Now}
			a := newStoreOpts(t, cut, durable, &reports{}, opts)
			b := newStoreOpts(t, shared, durable, nil, opts)
			ctx := t.Context()
			k := newKey(t)
			if err := b.Save(ctx, k, sessions.Record{Data: []byte("v"), Expiry: clock.Now().Add(time.Hour)}, create); err != nil {
				t.Fatal(err)
			}
			cut.set(func(c *ctlCache) { c.down = true })
			if err := a.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Load(ctx, k); !errors.Is(err, sessions.ErrNotFound) {
				t.Fatalf("a reads %v after its own delete", err)
			}
			// The residual risk, documented: b still serves the copy.
			if r, err := b.Load(ctx, k); err != nil || string(r.Data) != "v" {
				t.Fatalf("b reads %q, %v; the documented residual is that it still reads v", r.Data, err)
			}
			cut.set(func(c *ctlCache) { c.down = false })
			clock.Advance(time.Minute)
			if restart {
				// A new a knows nothing of the copy: only MaxCacheTTL
				// (plus the lease time) bounds it.
				a = newStoreOpts(t, cut, durable, nil, opts)
				if err := a.Sweep(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := b.Load(ctx, k); err != nil {
					t.Fatalf("b: %v; the copy should live until it expires", err)
				}
				clock.Advance(cachedstore.DefaultMaxCacheTTL + 10*time.Second)
			} else if err := a.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
			for name, s := range map[string]*cachedstore.Store{"a": a, "b": b} {
				if _, err := s.Load(ctx, k); !errors.Is(err, sessions.ErrNotFound) {
					t.Fatalf("%s reads %v, want ErrNotFound", name, err)
				}
			}
		})
	}
}

func TestNewRejectsNegativeBounds(t *testing.T) {
	m := memstore.New(memstore.Options{})
	for _, o := range []cachedstore.Options{{CacheBackoff: -1}, {MaxCacheTTL: -1}, {MaxPending: -1}} {
		if _, err := cachedstore.New(m, m, o); !errors.Is(err, sessions.ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", o, err)
		}
	}
}
