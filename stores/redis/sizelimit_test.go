package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// readCountingConn counts the bytes read from a connection to Redis.
type readCountingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c readCountingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func countingDialer(read *atomic.Int64) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return readCountingConn{Conn: conn, read: read}, nil
	}
}

// sizeClients returns a standalone and a cluster client whose bytes read
// are counted.
func sizeClients() []struct {
	name string
	open func(t *testing.T, read *atomic.Int64) redis.UniversalClient
} {
	return []struct {
		name string
		open func(t *testing.T, read *atomic.Int64) redis.UniversalClient
	}{
		{"standalone", func(t *testing.T, read *atomic.Int64) redis.UniversalClient {
			opt, err := redis.ParseURL(requireEnv(t, "SESSIONKIT_REDIS_URL"))
			if err != nil {
				t.Fatal(err)
			}
			opt.ContextTimeoutEnabled = true
			opt.Dialer = countingDialer(read)
			c := redis.NewClient(opt)
			t.Cleanup(func() { _ = c.Close() })
			return c
		}},
		{"cluster", func(t *testing.T, read *atomic.Int64) redis.UniversalClient {
			addrs := strings.Split(requireEnv(t, "SESSIONKIT_REDIS_CLUSTER"), ",")
			c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true, Dialer: countingDialer(read)})
			t.Cleanup(func() { _ = c.Close() })
			return c
		}},
	}
}

// TestMaxRecordSize: a record over the limit is refused on Load without
// crossing the network, and never written by Save; one at the limit goes
// both ways.
func TestMaxRecordSize(t *testing.T) {
	const limit = 1024
	for _, cl := range sizeClients() {
		t.Run(cl.name, func(t *testing.T) {
			var read atomic.Int64
			c := cl.open(t, &read)
			prefix := testPrefix()
			s, err := redisstore.New(c, redisstore.Options{Prefix: prefix, MaxRecordSize: limit})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			cases := []struct {
				name     string
				size     int
				tooLarge bool
			}{
				{"one byte", 1, false},
				{"at the limit", limit, false},
				{"one byte over", limit + 1, true},
				{"a thousand times over", 1000 * limit, true},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					data := bytes.Repeat([]byte("x"), tc.size)
					k := newKey(t)
					err := s.Save(ctx, k, sessions.Record{Data: data, Expiry: time.Now().Add(time.Hour)}, sessions.Condition{Mode: sessions.CreateOnly})
					if tc.tooLarge != errors.Is(err, sessions.ErrRecordTooLarge) || (!tc.tooLarge && err != nil) {
						t.Fatalf("Save of %d bytes: %v", tc.size, err)
					}
					if tc.tooLarge {
						if n, err := c.Exists(ctx, prefix+k).Result(); err != nil || n != 0 {
							t.Fatalf("a refused Save wrote the key: EXISTS = %d, %v", n, err)
						}
						// Written by something without the limit.
						if err := c.Set(ctx, prefix+k, data, time.Minute).Err(); err != nil {
							t.Fatal(err)
						}
					}
					t.Cleanup(func() { _ = c.Del(context.Background(), prefix+k).Err() })

					read.Store(0)
					r, err := s.Load(ctx, k)
					got := read.Load()
					if tc.tooLarge {
						if !errors.Is(err, sessions.ErrRecordTooLarge) || !errors.Is(err, sessions.ErrNotFound) {
							t.Fatalf("Load of %d bytes = %v; want ErrRecordTooLarge and ErrNotFound", tc.size, err)
						}
						if r.Data != nil {
							t.Fatalf("Load of an oversized record returned %d bytes", len(r.Data))
						}
					} else if err != nil || !bytes.Equal(r.Data, data) {
						t.Fatalf("Load of %d bytes = %d bytes, %v", tc.size, len(r.Data), err)
					}
					// The reply carries at most limit+1 bytes of the
					// record, plus the protocol's framing.
					if got > limit+256 {
						t.Fatalf("Load of a %d-byte record read %d bytes from the network (limit %d)", tc.size, got, limit)
					}
					t.Logf("%d-byte record: Load read %d bytes", tc.size, got)
				})
			}
			t.Run("missing", func(t *testing.T) {
				_, err := s.Load(ctx, newKey(t))
				if !errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrRecordTooLarge) {
					t.Fatalf("Load of a missing key = %v, want plain ErrNotFound", err)
				}
			})
			t.Run("conditional save over the limit", func(t *testing.T) {
				k := newKey(t)
				if err := s.Save(ctx, k, live("small"), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Delete(context.Background(), k) })
				big := sessions.Record{Data: bytes.Repeat([]byte("y"), limit+1), Expiry: time.Now().Add(time.Hour)}
				for _, cond := range []sessions.Condition{{Mode: sessions.UpdateOnly}, {Mode: sessions.UpdateIfUnchanged, Loaded: []byte("small")}} {
					if err := s.Save(ctx, k, big, cond); !errors.Is(err, sessions.ErrRecordTooLarge) {
						t.Fatalf("%v Save over the limit = %v, want ErrRecordTooLarge", cond.Mode, err)
					}
				}
				if r, err := s.Load(ctx, k); err != nil || string(r.Data) != "small" {
					t.Fatalf("after refused saves: %q, %v", r.Data, err)
				}
			})
		})
	}
}

func TestMaxRecordSizeOption(t *testing.T) {
	c := standalone(t)
	cases := []struct {
		set, want int
	}{
		{0, sessions.DefaultMaxRecordSize},
		{-1, 0},
		{4096, 4096},
	}
	for _, tc := range cases {
		s, err := redisstore.New(c, redisstore.Options{MaxRecordSize: tc.set})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.MaxRecordSize(); got != tc.want {
			t.Errorf("MaxRecordSize %d: in force %d, want %d", tc.set, got, tc.want)
		}
	}
}

// TestNoSizeLimit: with a negative MaxRecordSize, records of any size go
// both ways (a plain GET).
func TestNoSizeLimit(t *testing.T) {
	c := standalone(t)
	s, err := redisstore.New(c, redisstore.Options{Prefix: testPrefix(), MaxRecordSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	k := newKey(t)
	data := bytes.Repeat([]byte("z"), 2*sessions.DefaultMaxRecordSize)
	if err := s.Save(t.Context(), k, sessions.Record{Data: data, Expiry: time.Now().Add(time.Minute)}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Delete(context.Background(), k) })
	if r, err := s.Load(t.Context(), k); err != nil || !bytes.Equal(r.Data, data) {
		t.Fatalf("Load = %d bytes, %v; want %d", len(r.Data), err, len(data))
	}
}

// TestOversizedRequest: through core, a session whose record is over the
// limit is a fresh session under a new key, not an error, and costs one
// round trip to find out.
func TestOversizedRequest(t *testing.T) {
	c := standalone(t)
	hook := &roundTrips{}
	c.AddHook(hook)
	prefix := testPrefix()
	s, err := redisstore.New(c, redisstore.Options{Prefix: prefix, MaxRecordSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	m, err := sessions.New(sessions.Config{Store: s, Secret: "size-limit-test-secret", MaxRecordSize: s.MaxRecordSize()})
	if err != nil {
		t.Fatal(err)
	}
	k := newKey(t)
	if err := c.Set(t.Context(), prefix+k, bytes.Repeat([]byte("x"), 1<<20), time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Del(context.Background(), prefix+k).Err() })
	var loadTrips int
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := sessions.FromContext(r.Context())
		hook.take()
		if v := sess.GetString("user"); v != "" {
			t.Errorf("oversized session read as %q", v)
		}
		loadTrips, _ = hook.take()
		sess.Set("user", "fresh")
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: k})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if loadTrips != 1 {
		t.Errorf("the load took %d round trips, want 1", loadTrips)
	}
	var newKey string
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == sessions.DefaultCookieName {
			newKey = ck.Value
		}
	}
	if newKey == "" || newKey == k {
		t.Fatalf("cookie %q: want a fresh key, not the oversized session's", newKey)
	}
	t.Cleanup(func() { _ = c.Del(context.Background(), prefix+newKey).Err() })
	if r, err := s.Load(t.Context(), newKey); err != nil || len(r.Data) == 0 {
		t.Fatalf("the fresh session was not saved: %v", err)
	}
}
