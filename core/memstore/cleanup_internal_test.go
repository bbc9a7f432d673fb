package memstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
	"unsafe"

	sessions "github.com/sessionkit/sessionkit/core"
)

// interleaved is a store with a third of its records live and the rest
// expired, large enough that every shard is rebuilt, and a model of what
// must be live after cleanup.
type interleaved struct {
	s     *Store
	clk   *FakeClock
	model map[string]string // live key → data
	keys  []string          // every key ever live, for picking one
	rng   *rand.Rand
	seq   int
	// unmoved counts operations on a record a rebuild had not moved yet.
	unmoved int
}

func newInterleaved(t *testing.T, batch int) *interleaved {
	const total = 48_000 // 750 a shard, above minRebuild
	x := &interleaved{clk: NewFakeClock(), model: map[string]string{}, rng: rand.New(rand.NewPCG(1, 2))}
	x.s = New(Options{Clock: x.clk.Now})
	x.s.batch = batch
	for i := range total {
		k := "key-" + strconv.Itoa(i)
		ttl := time.Minute
		if i%10 == 0 {
			ttl = time.Hour
			x.model[k] = "v0"
			x.keys = append(x.keys, k)
		}
		x.save(t, k, "v0", ttl, sessions.CreateOnly)
	}
	x.clk.Advance(2 * time.Minute)
	return x
}

func (x *interleaved) save(t *testing.T, k, data string, ttl time.Duration, mode sessions.Mode) {
	t.Helper()
	err := x.s.Save(context.Background(), k, sessions.Record{Data: []byte(data), Expiry: x.clk.Now().Add(ttl)}, sessions.Condition{Mode: mode})
	if err != nil {
		t.Fatalf("save %s (%v): %v", k, mode, err)
	}
}

// unmovedKey returns a live record that a rebuild in progress has not
// moved yet, if there is one. It runs on the cleaner's goroutine, which
// alone writes old.
func (x *interleaved) unmovedKey() string {
	now := x.clk.Now()
	for i := range x.s.shards {
		sh := &x.s.shards[i]
		sh.mu.RLock()
		for k, r := range sh.old {
			if r.Expiry.After(now) {
				sh.mu.RUnlock()
				return k
			}
		}
		sh.mu.RUnlock()
	}
	return ""
}

// step changes one record between two lock holds of the cleanup,
// preferably one not moved yet, and keeps the model in step.
func (x *interleaved) step(t *testing.T) {
	k := x.unmovedKey()
	if k != "" {
		x.unmoved++
	} else {
		k = x.keys[x.rng.IntN(len(x.keys))]
	}
	x.seq++
	data := "v" + strconv.Itoa(x.seq)
	ctx := context.Background()
	if _, live := x.model[k]; !live {
		x.save(t, k, data, time.Hour, sessions.CreateOnly)
		x.model[k] = data
		return
	}
	switch x.rng.IntN(4) {
	case 0:
		x.save(t, k, data, time.Hour, sessions.UpdateOnly)
		x.model[k] = data
	case 1:
		if err := x.s.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
		delete(x.model, k)
	case 2:
		if err := x.s.Touch(ctx, k, x.clk.Now().Add(2*time.Hour)); err != nil {
			t.Fatalf("touch %s: %v", k, err)
		}
	case 3:
		nk := "new-" + data
		x.save(t, nk, data, time.Hour, sessions.CreateOnly)
		x.model[nk] = data
		x.keys = append(x.keys, nk)
	}
}

// check compares the store with the model: every live record holds its
// last write, and nothing else is left.
func (x *interleaved) check(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for k, want := range x.model {
		r, err := x.s.Load(ctx, k)
		if err != nil || string(r.Data) != want {
			t.Fatalf("load %s = %q, %v; want %q", k, r.Data, err, want)
		}
	}
	for _, k := range x.keys {
		if _, live := x.model[k]; !live {
			if _, err := x.s.Load(ctx, k); !errors.Is(err, sessions.ErrNotFound) {
				t.Fatalf("deleted %s: Load said %v, want ErrNotFound", k, err)
			}
		}
	}
	if got := x.s.Len(); got != len(x.model) {
		t.Fatalf("Len = %d, want %d live records", got, len(x.model))
	}
}

// TestCleanupInterleaved writes, deletes and touches records between every
// two lock holds of a cleanup, including records that a rebuild has not
// moved yet: nothing is lost, resurrected or left behind.
func TestCleanupInterleaved(t *testing.T) {
	for _, batch := range []int{1, 7, 64, cleanupBatch} {
		t.Run(strconv.Itoa(batch), func(t *testing.T) {
			x := newInterleaved(t, batch)
			holds := 0
			x.s.onHold = func(n int, _ time.Duration) {
				if n > batch {
					t.Errorf("a lock hold visited %d records, bound %d", n, batch)
				}
				holds++
				x.step(t)
			}
			n, err := x.s.DeleteExpired(context.Background())
			if err != nil || n != 43_200 {
				t.Fatalf("DeleteExpired = %d, %v; want 43200", n, err)
			}
			x.check(t)
			// Records created during the cleanup make the shards swept
			// last grow again, so not every one of them ends small.
			rebuilt := 0
			for i := range x.s.shards {
				sh := &x.s.shards[i]
				if sh.old != nil || sh.peak < len(sh.m) {
					t.Fatalf("shard %d: peak %d below its %d records, or still moving (%v)", i, sh.peak, len(sh.m), sh.old != nil)
				}
				if sh.peak < 750/2 {
					rebuilt++
				}
			}
			if rebuilt < numShards/2 {
				t.Fatalf("only %d of %d shards rebuilt", rebuilt, numShards)
			}
			if batch < 64 && x.unmoved == 0 {
				t.Fatal("no operation hit a record waiting to be moved")
			}
			t.Logf("batch %d: %d holds, %d shards rebuilt, %d operations on unmoved records", batch, holds, rebuilt, x.unmoved)
		})
	}
}

// TestCleanupResumes cancels a cleanup halfway through a rebuild: the
// store keeps answering from both maps, and the next cleanup finishes the
// move.
func TestCleanupResumes(t *testing.T) {
	x := newInterleaved(t, 8)
	ctx, cancel := context.WithCancel(context.Background())
	x.s.onHold = func(int, time.Duration) {
		if x.unmovedKey() != "" {
			x.step(t)
			cancel()
		}
	}
	if _, err := x.s.DeleteExpired(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("DeleteExpired = %v, want context.Canceled", err)
	}
	moving := 0
	for i := range x.s.shards {
		if x.s.shards[i].old != nil {
			moving++
		}
	}
	if moving != 1 {
		t.Fatalf("%d shards halfway through a rebuild, want 1", moving)
	}
	// Expired records not reached yet still count in Len, so check only
	// the live ones here.
	for k, want := range x.model {
		if r, err := x.s.Load(context.Background(), k); err != nil || string(r.Data) != want {
			t.Fatalf("load %s mid-rebuild = %q, %v; want %q", k, r.Data, err, want)
		}
	}
	x.s.onHold = func(int, time.Duration) { x.step(t) }
	if _, err := x.s.DeleteExpired(context.Background()); err != nil {
		t.Fatal(err)
	}
	x.check(t)
	for i := range x.s.shards {
		if x.s.shards[i].old != nil {
			t.Fatalf("shard %d still moving after a full cleanup", i)
		}
	}
}

func TestShardSize(t *testing.T) {
	// The padding is counted by hand.
	if got := unsafe.Sizeof(shard{}); got != 64 {
		t.Fatalf("shard is %d bytes, want 64", got)
	}
}
