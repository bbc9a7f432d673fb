package redisstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/storetest"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

func TestStandalone(t *testing.T) {
	c := standalone(t)
	s := newStore(t, c, testPrefix())
	storetest.Run(t, func(t *testing.T) sessions.Store { return s })
}

func TestNew(t *testing.T) {
	if _, err := redisstore.New(nil, redisstore.Options{}); !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Fatalf("New(nil) error = %v, want ErrInvalidConfig", err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer c.Close()
	s, err := redisstore.New(c, redisstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Prefix() != redisstore.DefaultPrefix {
		t.Fatalf("Prefix() = %q, want %q", s.Prefix(), redisstore.DefaultPrefix)
	}
}

func TestUnreachable(t *testing.T) {
	// No server listens on port 1: every operation fails with an error
	// that is none of the store's sentinels.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, ContextTimeoutEnabled: true})
	defer c.Close()
	s := newStore(t, c, "")
	k := newKey(t)
	_, err := s.Load(t.Context(), k)
	if err == nil || errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Load = %v, want a connection error", err)
	}
	if err := s.Save(t.Context(), k, live("v"), sessions.Condition{Mode: sessions.CreateOnly}); err == nil {
		t.Fatal("Save succeeded without a server")
	}
}

func newKey(t *testing.T) string {
	t.Helper()
	k, err := sessions.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func live(data string) sessions.Record {
	return sessions.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour)}
}

func TestPrefixIsolation(t *testing.T) {
	c := standalone(t)
	pa, pb := testPrefix(), testPrefix()
	a, b := newStore(t, c, pa), newStore(t, c, pb)
	k := newKey(t)
	if err := a.Save(t.Context(), k, live("from a"), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Load(t.Context(), k); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("other prefix Load = %v, want ErrNotFound", err)
	}
	if ok, err := b.Exists(t.Context(), k); err != nil || ok {
		t.Fatalf("other prefix Exists = %v, %v", ok, err)
	}
	// The same key is free under the other prefix.
	if err := b.Save(t.Context(), k, live("from b"), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatalf("create under the other prefix: %v", err)
	}
	if err := b.Delete(t.Context(), k); err != nil {
		t.Fatal(err)
	}
	// The value under the Redis key is exactly the data, nothing around it.
	if got, err := c.Get(t.Context(), pa+k).Result(); err != nil || got != "from a" {
		t.Fatalf("GET %s = %q, %v; want %q", pa+k, got, err, "from a")
	}
	if n, _ := c.Exists(t.Context(), pb+k).Result(); n != 0 {
		t.Fatal("Delete through b left its key")
	}
}

// pttl returns the key's remaining TTL as Redis reports it.
func pttl(t *testing.T, c redis.UniversalClient, key string) time.Duration {
	t.Helper()
	d, err := c.PTTL(t.Context(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func near(got, want time.Duration) bool {
	d := got - want
	return d > -2*time.Second && d <= 0
}

func TestTTLSet(t *testing.T) {
	c := standalone(t)
	p := testPrefix()
	s := newStore(t, c, p)
	k := newKey(t)
	ctx := t.Context()

	steps := []struct {
		name string
		ttl  time.Duration
		do   func(rec sessions.Record) error
	}{
		{"create", time.Hour, func(r sessions.Record) error {
			return s.Save(ctx, k, r, sessions.Condition{Mode: sessions.CreateOnly})
		}},
		{"update", 2 * time.Hour, func(r sessions.Record) error {
			return s.Save(ctx, k, r, sessions.Condition{Mode: sessions.UpdateOnly})
		}},
		{"update-if-unchanged", 30 * time.Minute, func(r sessions.Record) error {
			return s.Save(ctx, k, r, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("v")})
		}},
		{"touch", 48 * time.Hour, func(r sessions.Record) error { return s.Touch(ctx, k, r.Expiry) }},
	}
	for _, st := range steps {
		rec := sessions.Record{Data: []byte("v"), Expiry: time.Now().Add(st.ttl)}
		if err := st.do(rec); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := pttl(t, c, p+k); !near(got, st.ttl) {
			t.Fatalf("%s: PTTL = %v, want about %v", st.name, got, st.ttl)
		}
		// Load leaves Expiry zero: the TTL checked above is what enforces it.
		r, err := s.Load(ctx, k)
		if err != nil || !r.Expiry.IsZero() {
			t.Fatalf("%s: Load = %v, %v; want the record with a zero Expiry", st.name, r.Expiry, err)
		}
	}
}

func TestNothingLeftAfterExpiry(t *testing.T) {
	c := standalone(t)
	p := testPrefix()
	s := newStore(t, c, p)
	k := newKey(t)
	rec := sessions.Record{Data: []byte("short"), Expiry: time.Now().Add(150 * time.Millisecond)}
	if err := s.Save(t.Context(), k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatal(err)
	}
	if got := pttl(t, c, p+k); got <= 0 || got > 150*time.Millisecond {
		t.Fatalf("PTTL = %v, want in (0, 150ms]", got)
	}
	time.Sleep(400 * time.Millisecond)
	if n, err := c.Exists(t.Context(), p+k).Result(); err != nil || n != 0 {
		t.Fatalf("EXISTS after expiry = %d, %v; want 0", n, err)
	}
	if _, err := s.Load(t.Context(), k); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Load after expiry = %v, want ErrNotFound", err)
	}
}

func TestExpiredRecordNotWritten(t *testing.T) {
	c := standalone(t)
	p := testPrefix()
	s := newStore(t, c, p)
	dead := sessions.Record{Data: []byte("dead"), Expiry: time.Now().Add(-time.Minute)}
	ctx := t.Context()

	tests := []struct {
		name     string
		existing bool
		cond     sessions.Condition
		wantErr  error
	}{
		{"create/free", false, sessions.Condition{Mode: sessions.CreateOnly}, nil},
		{"create/taken", true, sessions.Condition{Mode: sessions.CreateOnly}, sessions.ErrKeyExists},
		{"update/missing", false, sessions.Condition{Mode: sessions.UpdateOnly}, sessions.ErrNotFound},
		{"update/existing", true, sessions.Condition{Mode: sessions.UpdateOnly}, nil},
		{"unchanged/missing", false, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("v")}, sessions.ErrNotFound},
		{"unchanged/existing", true, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("v")}, nil},
		{"unchanged/conflict", true, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("x")}, sessions.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKey(t)
			if tt.existing {
				if err := s.Save(ctx, k, live("v"), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Save(ctx, k, dead, tt.cond)
			if !errors.Is(err, tt.wantErr) || (err != nil && tt.wantErr == nil) {
				t.Fatalf("Save = %v, want %v", err, tt.wantErr)
			}
			// A refused write leaves the live record alone; an accepted
			// one leaves nothing.
			wantLive := err != nil && tt.existing
			n, rerr := c.Exists(ctx, p+k).Result()
			if rerr != nil || (n == 1) != wantLive {
				t.Fatalf("EXISTS = %d, %v; want live = %v", n, rerr, wantLive)
			}
		})
	}
}

func TestInvalidMode(t *testing.T) {
	c := standalone(t)
	s := newStore(t, c, testPrefix())
	err := s.Save(t.Context(), newKey(t), live("v"), sessions.Condition{})
	if !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Fatalf("Save with zero Mode = %v, want ErrInvalidConfig", err)
	}
}

func TestScriptCacheFlushed(t *testing.T) {
	// After SCRIPT FLUSH (or on a fresh replica) EVALSHA fails with
	// NOSCRIPT; the store must fall back to EVAL transparently.
	c := standalone(t)
	s := newStore(t, c, testPrefix())
	k := newKey(t)
	ctx := t.Context()
	if err := s.Save(ctx, k, live("v1"), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatal(err)
	}
	if err := c.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, k); err != nil {
		t.Fatalf("Load after SCRIPT FLUSH: %v", err)
	}
	if err := c.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, k, live("v2"), sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("v1")}); err != nil {
		t.Fatalf("conditional Save after SCRIPT FLUSH: %v", err)
	}
}
