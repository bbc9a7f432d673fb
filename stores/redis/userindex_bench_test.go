package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

// BenchmarkUserSessions lists and revokes the sessions of one user with 1,
// 10 and 1,000 of them, alone in the store and among 100,000 sessions of
// other users: the cost must follow the user's sessions, not the store's.
// list and revoke go through a Manager (UserSessions, RevokeUser: what an
// application sees); store-list (UserKeys, LoadKeys) and store-revoke
// (UserKeys, DeleteKeys, UnindexUser) are the store's calls alone.
//
//	go test -run '^$' -bench UserSessions -benchtime 20x ./stores/redis
func BenchmarkUserSessions(b *testing.B) {
	c := standalone(b)
	for _, others := range []int{0, 100_000} {
		p := testPrefix()
		s := newStore(b, c, p)
		m, err := sessions.New(sessions.Config{Store: s, Secret: "bench-users-secret-0123456789"})
		if err != nil {
			b.Fatal(err)
		}
		seedOthers(b, c, s, m, others)
		b.Cleanup(func() { dropPrefix(c, p) })
		for _, n := range []int{1, 10, 1000} {
			user := fmt.Sprintf("bench-%d-%d", others, n)
			login(b, m, user, n)
			b.Run(fmt.Sprintf("list/sessions=%d/others=%d", n, others), func(b *testing.B) {
				for b.Loop() {
					if got, err := m.UserSessions(b.Context(), user); err != nil || len(got) != n {
						b.Fatalf("UserSessions = %d, %v", len(got), err)
					}
				}
			})
			// The store's own calls, as core makes them: what the index
			// costs without decoding the records.
			b.Run(fmt.Sprintf("store-list/sessions=%d/others=%d", n, others), func(b *testing.B) {
				for b.Loop() {
					keys, err := s.UserKeys(b.Context(), user)
					if err != nil || len(keys) != n {
						b.Fatalf("UserKeys = %d, %v", len(keys), err)
					}
					if recs, err := s.LoadKeys(b.Context(), keys); err != nil || len(recs) != n || recs[0].Data == nil {
						b.Fatalf("LoadKeys = %d, %v", len(recs), err)
					}
				}
			})
			b.Run(fmt.Sprintf("store-revoke/sessions=%d/others=%d", n, others), func(b *testing.B) {
				victim := user + "-s"
				for range b.N {
					b.StopTimer()
					login(b, m, victim, n)
					b.StartTimer()
					keys, err := s.UserKeys(b.Context(), victim)
					if err != nil || len(keys) != n {
						b.Fatalf("UserKeys = %d, %v", len(keys), err)
					}
					if err := s.DeleteKeys(b.Context(), keys); err != nil {
						b.Fatal(err)
					}
					if err := s.UnindexUser(b.Context(), victim, keys...); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("revoke/sessions=%d/others=%d", n, others), func(b *testing.B) {
				for range b.N {
					b.StopTimer()
					login(b, m, user+"-r", n)
					b.StartTimer()
					if got, err := m.RevokeUser(b.Context(), user+"-r"); err != nil || got != n {
						b.Fatalf("RevokeUser = %d, %v", got, err)
					}
				}
			})
		}
	}
}

// login stores n sessions tied to user.
func login(b *testing.B, m *sessions.Manager, user string, n int) {
	b.Helper()
	for i := range n {
		s := m.Open(b.Context(), "")
		if err := s.SetUser(user, sessions.Device{UserAgent: fmt.Sprint("bench ", i), IP: "192.0.2.1"}); err != nil {
			b.Fatal(err)
		}
		if err := s.Save(); err != nil {
			b.Fatal(err)
		}
	}
}

// seedOthers stores n sessions, each tied to its own user and indexed,
// written in pipelines: real records (one encoded session, copied) under
// fresh keys.
func seedOthers(b *testing.B, c *redis.Client, s interface {
	Prefix() string
	IndexUser(context.Context, string, string, time.Time) error
}, m *sessions.Manager, n int) {
	b.Helper()
	if n == 0 {
		return
	}
	one := m.Open(b.Context(), "")
	if err := one.SetUser("someone", sessions.Device{UserAgent: "other"}); err != nil {
		b.Fatal(err)
	}
	if err := one.Save(); err != nil {
		b.Fatal(err)
	}
	data, err := c.Get(b.Context(), s.Prefix()+one.Key()).Bytes()
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	until := time.Now().Add(time.Hour)
	for start := 0; start < n; start += 1000 {
		pipe := c.Pipeline()
		for i := start; i < min(start+1000, n); i++ {
			k, _ := sessions.NewKey()
			pipe.Set(ctx, s.Prefix()+k, data, time.Hour)
			pipe.ZAdd(ctx, s.Prefix()+"user:"+fmt.Sprintf("other-%d", i), redis.Z{Score: float64(until.UnixMilli()), Member: k})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// dropPrefix deletes every key under p.
func dropPrefix(c *redis.Client, p string) {
	ctx := context.Background()
	it := c.Scan(ctx, 0, p+"*", 1000).Iterator()
	var batch []string
	for it.Next(ctx) {
		if batch = append(batch, it.Val()); len(batch) == 1000 {
			c.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		c.Unlink(ctx, batch...)
	}
}
