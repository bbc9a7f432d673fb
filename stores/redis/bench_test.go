package redisstore_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

// The store's target: a Load within 1.1x of a bare GET and a conditional
// Save within 1.1x of GET+SET on the same server. The Bare* benchmarks are
// the baselines.

const benchData = "eyJ1c2VyX2lkIjo0MiwiX2F1dGhfdXNlcl9iYWNrZW5kIjoiZGphbmdvIn0:1r31eq:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

func BenchmarkLoad(b *testing.B) {
	c := standalone(b)
	s := newStore(b, c, testPrefix())
	k, _ := sessions.NewKey()
	if err := s.Save(b.Context(), k, sessions.Record{Data: []byte(benchData), Expiry: time.Now().Add(time.Hour)}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(b.Context(), k); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBareGet(b *testing.B) {
	c := standalone(b)
	k := testPrefix() + "bare"
	if err := c.Set(b.Context(), k, benchData, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(b.Context(), k).Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSaveUpdateIfUnchanged(b *testing.B) {
	c := standalone(b)
	s := newStore(b, c, testPrefix())
	k, _ := sessions.NewKey()
	rec := sessions.Record{Data: []byte(benchData), Expiry: time.Now().Add(time.Hour)}
	if err := s.Save(b.Context(), k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		b.Fatal(err)
	}
	// Writing the same bytes keeps the condition true on every iteration.
	cond := sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: rec.Data}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Save(b.Context(), k, rec, cond); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSaveCreate(b *testing.B) {
	c := standalone(b)
	s := newStore(b, c, testPrefix())
	rec := sessions.Record{Data: []byte(benchData), Expiry: time.Now().Add(time.Minute)}
	keys := make([]string, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		k, _ := sessions.NewKey()
		keys = append(keys, k)
		b.StartTimer()
		if err := s.Save(b.Context(), k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	for _, k := range keys {
		_ = s.Delete(b.Context(), k)
	}
}

func BenchmarkBareGetSet(b *testing.B) {
	c := standalone(b)
	k := testPrefix() + "bare"
	if err := c.Set(b.Context(), k, benchData, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	data := []byte(strings.Clone(benchData))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(b.Context(), k).Bytes(); err != nil {
			b.Fatal(err)
		}
		if err := c.Set(b.Context(), k, data, time.Hour).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompareAndSet compares the ways a conditional save can run on
// the server, each as one round trip on the same key: the script given the
// whole loaded value, the script given its SHA-1 (redis.sha1hex on the
// server), and the unconditional SET XX PX they must come close to.
func BenchmarkCompareAndSet(b *testing.B) {
	const byValue = `local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if v ~= ARGV[1] then return 2 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`
	const byDigest = `local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if redis.sha1hex(v) ~= ARGV[1] then return 2 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`
	c := standalone(b)
	for _, size := range []int{len(benchData), 4096} {
		data := []byte(strings.Repeat(benchData, size/len(benchData)+1)[:size])
		sum := sha1.Sum(data)
		digest := hex.EncodeToString(sum[:])
		k := testPrefix() + "cas"
		if err := c.Set(b.Context(), k, data, time.Hour).Err(); err != nil {
			b.Fatal(err)
		}
		vs, ds := redis.NewScript(byValue), redis.NewScript(byDigest)
		ms := time.Hour.Milliseconds()
		for _, tc := range []struct {
			name string
			op   func() error
		}{
			{"value", func() error { return vs.Run(b.Context(), c, []string{k}, data, data, ms).Err() }},
			{"digest", func() error { return ds.Run(b.Context(), c, []string{k}, digest, data, ms).Err() }},
			{"digest+client-sha1", func() error {
				sum := sha1.Sum(data)
				return ds.Run(b.Context(), c, []string{k}, hex.EncodeToString(sum[:]), data, ms).Err()
			}},
			{"SET-XX", func() error { return c.SetXX(b.Context(), k, data, time.Hour).Err() }},
		} {
			b.Run(tc.name+"/"+strconv.Itoa(size), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := tc.op(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkCallOverhead measures what each call's bound and cancellation
// cost beside a bare GET: a context.WithTimeout per call, a deadline-only
// context (what the store uses), and running the command in a goroutine
// so that the caller can return on cancellation (what the store does when
// the context can be cancelled, as a request's can).
func BenchmarkCallOverhead(b *testing.B) {
	c := standalone(b)
	prefix := testPrefix()
	k := prefix + "bare"
	if err := c.Set(b.Context(), k, benchData, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	st := newStore(b, c, prefix)
	ctx := b.Context()
	get := func(ctx context.Context) error { return c.Get(ctx, k).Err() }
	for _, tc := range []struct {
		name string
		op   func() error
	}{
		{"inline", func() error { return get(ctx) }},
		{"WithTimeout", func() error {
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			return get(cctx)
		}},
		{"store-Load", func() error { _, err := st.Load(ctx, "bare"); return err }},
		{"store-Load-uncancellable", func() error { _, err := st.Load(context.WithoutCancel(ctx), "bare"); return err }},
		{"goroutine", func() error {
			ch := make(chan error, 1)
			go func() { ch <- get(ctx) }()
			select {
			case err := <-ch:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := tc.op(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
