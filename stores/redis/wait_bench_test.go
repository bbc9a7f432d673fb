//go:build unix

package redisstore_test

import (
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// BenchmarkWait is the cost of Options.WaitReplicas: a conditional Save
// (the save of every changed session) on a private master with one
// replica, without WAIT and with WAIT 1.
func BenchmarkWait(b *testing.B) {
	p := startPair(b)
	for _, bc := range []struct {
		name     string
		replicas int
	}{
		{"none", 0},
		{"replicas=1", 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := waitStore(b, p.master, bc.replicas, time.Second)
			k, _ := sessions.NewKey()
			rec := sessions.Record{Data: []byte(benchData), Expiry: time.Now().Add(time.Hour)}
			if err := s.Save(b.Context(), k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				b.Fatal(err)
			}
			// Writing the same bytes keeps the condition true; the write
			// still reaches the replica.
			cond := sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: rec.Data}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Save(b.Context(), k, rec, cond); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
