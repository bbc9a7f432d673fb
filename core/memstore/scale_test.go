package memstore_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// heapAlloc returns the bytes of live heap objects after a collection.
func heapAlloc() (alloc, inuse uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, ms.HeapInuse
}

func create(t testing.TB, s *memstore.Store, key string, data []byte, exp time.Time) {
	t.Helper()
	if err := s.Save(context.Background(), key, sessions.Record{Data: data, Expiry: exp}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatalf("create %s: %v", key, err)
	}
}

// TestMassExpiry expires 10^6 sessions at once, with requests loading
// sessions all through the cleanup: no lock hold visits more than a batch,
// every load is answered correctly, and the memory goes back.
func TestMassExpiry(t *testing.T) {
	const total, every = 1_000_000, 1000 // one session in every 1000 stays
	ctx := t.Context()
	clk := memstore.NewFakeClock()
	data := []byte(`{"user":"alice"}`)
	baseAlloc, baseInuse := heapAlloc()

	s := memstore.New(memstore.Options{Clock: clk.Now})
	var cleaning atomic.Bool
	loadedDuring := make(chan struct{}) // closed once loads ran during cleanup
	var holds, maxRecords int
	var maxHeld time.Duration
	var helds []time.Duration
	memstore.SetHoldHook(s, 0, func(n int, held time.Duration) {
		helds = append(helds, held)
		if holds == 0 {
			// Make sure requests really run while the cleanup is under
			// way before letting it go on.
			cleaning.Store(true)
			<-loadedDuring
		}
		holds++
		maxRecords = max(maxRecords, n)
		maxHeld = max(maxHeld, held)
	})
	for i := range total {
		ttl := time.Minute
		if i%every == 0 {
			ttl = time.Hour
		}
		create(t, s, benchKey(i), data, clk.Now().Add(ttl))
	}
	fullAlloc, fullInuse := heapAlloc()
	clk.Advance(2 * time.Minute)

	var (
		wg         sync.WaitGroup
		stop       = make(chan struct{})
		during     atomic.Int64
		failures   atomic.Int64
		firstErr   error
		errOnce    sync.Once
		signalOnce sync.Once
		maxLoad    atomic.Int64 // ns, reported only
	)
	fail := func(err error) {
		failures.Add(1)
		errOnce.Do(func() { firstErr = err })
	}
	for g := range 2 {
		wg.Go(func() {
			for i := g; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				live, dead := benchKey((i%(total/every))*every), benchKey(i%total|1)
				start := time.Now()
				r, err := s.Load(ctx, live)
				d := time.Since(start)
				if err != nil || string(r.Data) != string(data) {
					fail(errors.Join(errors.New("load of a live session "+live), err))
				}
				if _, err := s.Load(ctx, dead); !errors.Is(err, sessions.ErrNotFound) {
					fail(errors.Join(errors.New("load of an expired session "+dead+" did not say ErrNotFound"), err))
				}
				if cleaning.Load() {
					for cur := maxLoad.Load(); int64(d) > cur && !maxLoad.CompareAndSwap(cur, int64(d)); cur = maxLoad.Load() {
					}
					if during.Add(1) == 1000 {
						signalOnce.Do(func() { close(loadedDuring) })
					}
				}
			}
		})
	}
	n, err := s.DeleteExpired(ctx)
	cleaning.Store(false)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(total - total/every); n != want {
		t.Errorf("DeleteExpired = %d, want %d", n, want)
	}
	if got := s.Len(); got != total/every {
		t.Errorf("Len = %d after cleanup, want %d", got, total/every)
	}
	if f := failures.Load(); f > 0 {
		t.Errorf("%d loads failed during cleanup; first: %v", f, firstErr)
	}
	if during.Load() < 1000 {
		t.Errorf("only %d loads ran during cleanup", during.Load())
	}
	if holds < total/memstore.CleanupBatch {
		t.Errorf("%d lock holds for %d records: cleanup did not work in batches", holds, total)
	}
	if maxRecords > memstore.CleanupBatch {
		t.Errorf("a lock hold visited %d records, bound %d", maxRecords, memstore.CleanupBatch)
	}

	afterAlloc, afterInuse := heapAlloc()
	runtime.KeepAlive(s)
	slices.Sort(helds)
	t.Logf("cleanup: %d lock holds, at most %d records each, held median %v, p99 %v, max %v; slowest load during cleanup %v (%d loads)",
		holds, maxRecords, helds[len(helds)/2], helds[len(helds)*99/100], maxHeld, time.Duration(maxLoad.Load()), during.Load())
	t.Logf("heap alloc: %.1f MB empty, %.1f MB with %d sessions, %.1f MB after cleanup (in use: %.1f, %.1f, %.1f MB)",
		mb(baseAlloc), mb(fullAlloc), total, mb(afterAlloc), mb(baseInuse), mb(fullInuse), mb(afterInuse))
	// Generous: the store's share must fall to under a quarter of what
	// 10^6 sessions took. The maps alone, kept at their peak, were more
	// than three quarters.
	grown, kept := int64(fullAlloc)-int64(baseAlloc), int64(afterAlloc)-int64(baseAlloc)
	if kept*4 > grown {
		t.Errorf("heap kept %.1f MB of the %.1f MB that %d sessions took, after all but %d expired",
			mb(uint64(max(kept, 0))), mb(uint64(grown)), total, total/every)
	}
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// TestCleanupWithWriters runs cleanup, in small batches, while writers
// keep incrementing their own sessions with compare-and-set saves: none
// may fail or be lost while shards are swept and moved into fresh maps.
func TestCleanupWithWriters(t *testing.T) {
	const expired, writers, keysPerWriter = 100_000, 4, 64
	ctx := t.Context()
	clk := memstore.NewFakeClock()
	s := memstore.New(memstore.Options{Clock: clk.Now})
	started := make(chan struct{})
	var startOnce sync.WaitGroup
	startOnce.Add(writers)
	var holds atomic.Int64
	memstore.SetHoldHook(s, 16, func(int, time.Duration) {
		if holds.Add(1) == 1 {
			close(started)
			startOnce.Wait() // every writer has saved during the cleanup
		}
	})
	for i := range expired {
		create(t, s, benchKey(i), []byte("x"), clk.Now().Add(time.Minute))
	}
	keys := make([][]string, writers)
	for w := range keys {
		for i := range keysPerWriter {
			k := benchKey(expired + w*keysPerWriter + i)
			keys[w] = append(keys[w], k)
			create(t, s, k, []byte{0}, clk.Now().Add(time.Hour))
		}
	}
	clk.Advance(2 * time.Minute)

	stop := make(chan struct{})
	rounds := make([]int, writers)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			cur := make(map[string]byte, keysPerWriter)
			for _, k := range keys[w] {
				cur[k] = 0
			}
			for r := 0; ; r++ {
				if r == 1 {
					<-started
					startOnce.Done()
				}
				select {
				case <-stop:
					rounds[w] = r
					return
				default:
				}
				for _, k := range keys[w] {
					next := cur[k] + 1
					err := s.Save(ctx, k, sessions.Record{Data: []byte{next}, Expiry: clk.Now().Add(time.Hour)},
						sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte{cur[k]}})
					if err != nil {
						errs <- err
						rounds[w] = r
						return
					}
					cur[k] = next
				}
			}
		})
	}
	n, err := s.DeleteExpired(ctx)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("save during cleanup: %v", err)
	}
	if err != nil || n != expired {
		t.Fatalf("DeleteExpired = %d, %v; want %d", n, err, expired)
	}
	for w := range writers {
		for _, k := range keys[w] {
			r, err := s.Load(ctx, k)
			if err != nil || len(r.Data) != 1 || int(r.Data[0]) != rounds[w]%256 {
				t.Fatalf("writer %d key %s: %v, %v; want %d", w, k, r.Data, err, rounds[w]%256)
			}
		}
	}
	if got := s.Len(); got != writers*keysPerWriter {
		t.Errorf("Len = %d, want %d", got, writers*keysPerWriter)
	}
	t.Logf("%d lock holds; writer rounds %v", holds.Load(), rounds)
}

// TestCloseStopsCleanup: Close ends a janitor's cleanup after the batch
// it is in, not after the whole sweep.
func TestCloseStopsCleanup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const total = 10_000
		s := memstore.New(memstore.Options{CleanupInterval: time.Minute})
		entered, resume := make(chan struct{}), make(chan struct{})
		holds := 0
		memstore.SetHoldHook(s, 100, func(int, time.Duration) {
			if holds++; holds == 1 {
				close(entered)
				<-resume
			}
		})
		for i := range total {
			create(t, s, benchKey(i), []byte("x"), time.Now().Add(30*time.Second))
		}
		time.Sleep(61 * time.Second) // the janitor's first tick
		<-entered
		closed := make(chan struct{})
		go func() { _ = s.Close(); close(closed) }()
		synctest.Wait() // Close has cancelled the janitor and waits for it
		close(resume)
		<-closed
		if holds != 1 {
			t.Errorf("cleanup went on for %d lock holds after Close", holds)
		}
		if got := s.Len(); got < total-100 {
			t.Errorf("Len = %d: more than one batch was deleted", got)
		}
	})
}
