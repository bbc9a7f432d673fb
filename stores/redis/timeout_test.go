package redisstore_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

func TestNewRefusesContextTimeoutDisabled(t *testing.T) {
	clients := map[string]redis.UniversalClient{
		"Client":        redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}),
		"ClusterClient": redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}),
		"FailoverClient": redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"},
		}),
		"Ring":            redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}}),
		"UniversalClient": redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:1"}}),
	}
	for name, c := range clients {
		t.Run(name, func(t *testing.T) {
			defer c.Close()
			_, err := redisstore.New(c, redisstore.Options{})
			if !errors.Is(err, sessions.ErrInvalidConfig) {
				t.Fatalf("New = %v, want ErrInvalidConfig", err)
			}
			t.Log(err)
		})
	}
	ok := map[string]redis.UniversalClient{
		"Client":        redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}),
		"ClusterClient": redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true}),
		"FailoverClient": redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true,
		}),
		"Ring":            redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}, ContextTimeoutEnabled: true}),
		"UniversalClient": redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true}),
	}
	for name, c := range ok {
		t.Run(name+"/enabled", func(t *testing.T) {
			defer c.Close()
			if _, err := redisstore.New(c, redisstore.Options{}); err != nil {
				t.Fatalf("New = %v", err)
			}
		})
	}
}

func TestOpTimeoutOption(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer c.Close()
	for _, tc := range []struct{ in, want time.Duration }{
		{0, redisstore.DefaultOpTimeout},
		{-1, 0},
		{300 * time.Millisecond, 300 * time.Millisecond},
	} {
		s, err := redisstore.New(c, redisstore.Options{OpTimeout: tc.in})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.OpTimeout(); got != tc.want {
			t.Errorf("OpTimeout(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// silentServer accepts connections and never answers, as a frozen Redis
// does. It returns its address; everything is closed when t ends.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// silentStore returns a store over a client of a server that never
// answers. ReadTimeout is long, so only the store's bounds can end a call.
func silentStore(t *testing.T, opTimeout time.Duration) *redisstore.Store {
	t.Helper()
	return silentStoreWith(t, redisstore.Options{OpTimeout: opTimeout})
}

// silentStoreWith is silentStore with any options.
func silentStoreWith(t *testing.T, opts redisstore.Options) *redisstore.Store {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr: silentServer(t), ContextTimeoutEnabled: true, MaxRetries: -1,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		// go-redis sends HELLO on connect; the silent server never answers
		// it either, so the handshake is bounded by the same deadline.
	})
	t.Cleanup(func() { _ = c.Close() })
	s, err := redisstore.New(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBoundedByRequestDeadline(t *testing.T) {
	s := silentStore(t, time.Minute)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Load(ctx, newKey(t))
	took := time.Since(start)
	t.Logf("Load with a 200ms deadline returned after %v: %v", took, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Load = %v, want context.DeadlineExceeded", err)
	}
	if took > 3*time.Second {
		t.Fatalf("Load took %v", took)
	}
}

func TestBoundedByOpTimeout(t *testing.T) {
	s := silentStore(t, 300*time.Millisecond)
	for _, ctx := range []context.Context{context.Background(), t.Context()} {
		start := time.Now()
		err := s.Save(ctx, newKey(t), live("v"), sessions.Condition{Mode: sessions.CreateOnly})
		took := time.Since(start)
		t.Logf("Save without a deadline returned after %v: %v", took, err)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Save = %v, want context.DeadlineExceeded", err)
		}
		if took > 3*time.Second {
			t.Fatalf("Save took %v", took)
		}
	}
}

// TestCancelled cancels a call in flight to a server that never answers:
// with ReturnOnCancel it returns at the cancellation, without it at
// OpTimeout; either way with the context's error, and a call whose
// context is already cancelled makes no round trip.
func TestCancelled(t *testing.T) {
	const cancelAfter, opTimeout = 100 * time.Millisecond, 700 * time.Millisecond
	for _, tc := range []struct {
		name            string
		returnOnCancel  bool
		atLeast, atMost time.Duration
	}{
		{"ReturnOnCancel", true, cancelAfter, opTimeout / 2},
		{"default", false, opTimeout, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := silentStoreWith(t, redisstore.Options{OpTimeout: opTimeout, ReturnOnCancel: tc.returnOnCancel})
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(cancelAfter, cancel)
			start := time.Now()
			_, err := s.Exists(ctx, newKey(t))
			took := time.Since(start)
			t.Logf("Exists cancelled after %v returned after %v: %v", cancelAfter, took, err)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Exists = %v, want context.Canceled", err)
			}
			if took < tc.atLeast || took > tc.atMost {
				t.Fatalf("Exists took %v, want between %v and %v", took, tc.atLeast, tc.atMost)
			}
			// Already cancelled: no round trip at all.
			start = time.Now()
			if err := s.Delete(ctx, newKey(t)); !errors.Is(err, context.Canceled) {
				t.Fatalf("Delete = %v, want context.Canceled", err)
			}
			if took := time.Since(start); took > opTimeout/2 {
				t.Fatalf("Delete on a cancelled context took %v", took)
			}
		})
	}
}
