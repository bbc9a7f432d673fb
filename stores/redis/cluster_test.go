package redisstore_test

import (
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/storetest"
)

func TestCluster(t *testing.T) {
	c := cluster(t)
	s := newStore(t, c, testPrefix())
	storetest.Run(t, func(t *testing.T) sessions.Store { return s })
}

// TestClusterSpread proves that sessions are spread over the masters (the
// store uses no hash tags) and that each lives, intact, on the master that
// owns its slot.
func TestClusterSpread(t *testing.T) {
	c := cluster(t)
	p := testPrefix()
	s := newStore(t, c, p)
	ctx := t.Context()
	masters := make(map[string]int)
	slots := make(map[int64]bool)
	for range 50 {
		k := newKey(t)
		data := "data-" + k
		if err := s.Save(ctx, k, live(data), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
			t.Fatal(err)
		}
		slot, err := c.ClusterKeySlot(ctx, p+k).Result()
		if err != nil {
			t.Fatal(err)
		}
		slots[slot] = true
		node, err := c.MasterForKey(ctx, p+k)
		if err != nil {
			t.Fatal(err)
		}
		addr := node.Options().Addr
		masters[addr]++
		// Ask that master directly: the key is there, byte for byte.
		if got, err := node.Get(ctx, p+k).Result(); err != nil || got != data {
			t.Fatalf("GET on %s = %q, %v; want %q", addr, got, err, data)
		}
		r, err := s.Load(ctx, k)
		if err != nil || string(r.Data) != data {
			t.Fatalf("Load = %q, %v", r.Data, err)
		}
		if err := s.Save(ctx, k, live(data+"!"), sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: r.Data}); err != nil {
			t.Fatalf("conditional Save on %s: %v", addr, err)
		}
		if err := s.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("50 sessions on %d slots, per master: %v", len(slots), masters)
	if len(masters) < 2 {
		t.Fatalf("all sessions landed on %v; want at least 2 masters", masters)
	}
}
