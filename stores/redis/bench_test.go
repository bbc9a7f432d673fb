package redisstore_test

import (
	"strings"
	"testing"
	"time"

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
