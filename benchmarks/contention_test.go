package benchmarks_test

import (
	"testing"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// TestContention runs the contention scenario small on every target:
// every request is answered and accounted for, and sessionkit loses no
// increment on any store (the peers may; their counts are logged).
func TestContention(t *testing.T) {
	const writers, perWriter = 8, 10
	for _, ct := range benchmarks.ContentionTargets() {
		t.Run(ct.Name(), func(t *testing.T) {
			in, err := benchmarks.StartContention(t.Context(), ct, envOptions(t, ct.MissingEnv))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := in.Close(); err != nil {
					t.Error(err)
				}
			})
			res, err := benchmarks.RunContention(t.Context(), in, writers, perWriter)
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests != writers*perWriter || res.Non2xx != 0 {
				t.Errorf("%d requests, %d non-2xx; want %d and 0", res.Requests, res.Non2xx, writers*perWriter)
			}
			if res.Lost < 0 || res.Lost > res.Requests {
				t.Errorf("lost %d of %d: the counter moved by more than the requests", res.Lost, res.Requests)
			}
			if ct.Library == benchmarks.LibSessionkit && res.Lost != 0 {
				t.Errorf("sessionkit lost %d of %d increments", res.Lost, res.Requests)
			}
			t.Logf("lost %d of %d; p99 %v", res.Lost, res.Requests, res.P99)
		})
	}
}

// TestContentionCountsLostUpdates checks the lost-update count against a
// run without concurrency, where nothing can be lost, and against the
// counter read back.
func TestContentionCountsLostUpdates(t *testing.T) {
	ct := benchmarks.ContentionTargets()[1] // scs on its memstore: get, add, put
	if ct.Library != benchmarks.LibSCS {
		t.Fatalf("target %s, want scs", ct.Name())
	}
	in, err := benchmarks.StartContention(t.Context(), ct, benchmarks.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	res, err := benchmarks.RunContention(t.Context(), in, 1, 25)
	if err != nil {
		t.Fatal(err)
	}
	if res.Lost != 0 || res.Requests != 25 {
		t.Errorf("one writer: lost %d of %d; want 0 of 25", res.Lost, res.Requests)
	}
	if _, err := benchmarks.RunContention(t.Context(), in, 0, 1); err == nil {
		t.Error("zero writers: want an error")
	}
}
