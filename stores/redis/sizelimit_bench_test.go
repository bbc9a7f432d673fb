package redisstore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// BenchmarkLoadOversized loads a 50 MB record through core, with the
// store's check (the default) and with core's alone (MaxRecordSize < 0: a
// plain GET, as before the store had a limit).
func BenchmarkLoadOversized(b *testing.B) {
	c := standalone(b)
	prefix := testPrefix()
	k, _ := sessions.NewKey()
	if err := c.Set(b.Context(), prefix+k, bytes.Repeat([]byte("x"), 50<<20), time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Del(context.Background(), prefix+k).Err() })
	for _, v := range []struct {
		name  string
		limit int
	}{{"core_only", -1}, {"store", 0}} {
		s, err := redisstore.New(c, redisstore.Options{Prefix: prefix, MaxRecordSize: v.limit})
		if err != nil {
			b.Fatal(err)
		}
		m, err := sessions.New(sessions.Config{Store: s, Secret: "benchmark-secret-benchmark-secret"})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if m.Open(b.Context(), k).GetString("user") != "" {
					b.Fatal("an oversized record was read")
				}
			}
		})
	}
}

// BenchmarkLoadCommands compares the ways a Load can read a normal record
// with a size check: a bare GET (no check), GETRANGE 0 limit, and a Lua
// script that checks STRLEN before the GET.
func BenchmarkLoadCommands(b *testing.B) {
	c := standalone(b)
	k := testPrefix() + "cmp"
	if err := c.Set(b.Context(), k, benchData, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	const limit = sessions.DefaultMaxRecordSize
	lua := redis.NewScript(`local n = redis.call('STRLEN', KEYS[1]) if n > tonumber(ARGV[1]) then return -1 end return redis.call('GET', KEYS[1])`)
	if err := lua.Load(b.Context(), c).Err(); err != nil {
		b.Fatal(err)
	}
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Get(b.Context(), k).Bytes(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GETRANGE", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.GetRange(b.Context(), k, 0, limit).Bytes(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("EVALSHA", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := lua.EvalSha(b.Context(), c, []string{k}, limit).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same two checks on a 50 MB record.
	big := testPrefix() + "big"
	if err := c.Set(b.Context(), big, bytes.Repeat([]byte("x"), 50<<20), time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Del(context.Background(), big).Err() })
	b.Run("GETRANGE_50MB", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if v, err := c.GetRange(b.Context(), big, 0, limit).Bytes(); err != nil || len(v) != limit+1 {
				b.Fatal(len(v), err)
			}
		}
	})
	b.Run("EVALSHA_50MB", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if v, err := lua.EvalSha(b.Context(), c, []string{big}, limit).Int(); err != nil || v != -1 {
				b.Fatal(v, err)
			}
		}
	})
}
