package memstore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// BenchmarkOps measures the per-request calls on a store holding 10^4
// records: what a request pays for the store itself.
func BenchmarkOps(b *testing.B) {
	ctx := context.Background()
	s := memstore.New(memstore.Options{})
	defer s.Close()
	exp := time.Now().Add(time.Hour)
	data := []byte("payload")
	keys := make([]string, 10_000)
	for i := range keys {
		keys[i] = benchKey(i)
		if err := s.Save(ctx, keys[i], sessions.Record{Data: data, Expiry: exp}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("Load", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.Load(ctx, keys[i%len(keys)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("LoadParallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := s.Load(ctx, keys[i%len(keys)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
	b.Run("SaveUnchanged", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		cond := sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: data}
		for b.Loop() {
			if err := s.Save(ctx, keys[i%len(keys)], sessions.Record{Data: data, Expiry: exp}, cond); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("CreateDelete", func(b *testing.B) {
		b.ReportAllocs()
		k := benchKey(-1)
		for b.Loop() {
			if err := s.Save(ctx, k, sessions.Record{Data: data, Expiry: exp}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				b.Fatal(err)
			}
			if err := s.Delete(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDeleteExpired measures one cleanup of 10^5 expired records out
// of 2·10^5, including the rebuild of the shrunk maps.
func BenchmarkDeleteExpired(b *testing.B) {
	ctx := context.Background()
	const n = 100_000
	keys := make([]string, 2*n)
	for i := range keys {
		keys[i] = benchKey(i)
	}
	data := []byte("payload")
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		clk := memstore.NewFakeClock()
		s := memstore.New(memstore.Options{Clock: clk.Now})
		for i, k := range keys {
			ttl := time.Minute
			if i%2 == 0 {
				ttl = time.Hour
			}
			_ = s.Save(ctx, k, sessions.Record{Data: data, Expiry: clk.Now().Add(ttl)}, sessions.Condition{Mode: sessions.CreateOnly})
		}
		clk.Advance(2 * time.Minute)
		b.StartTimer()
		if got, err := s.DeleteExpired(ctx); err != nil || got != n {
			b.Fatalf("DeleteExpired = %d, %v; want %d", got, err, n)
		}
	}
}

// benchKey is a 32-character key, the length of a session key.
func benchKey(i int) string {
	const pad = "00000000000000000000000000000000"
	s := strconv.Itoa(i)
	return pad[:32-len(s)] + s
}
