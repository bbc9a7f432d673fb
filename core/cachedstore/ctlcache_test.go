package cachedstore_test

import (
	"context"
	"sync"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// ctlCache is a memstore used as the cache, whose calls a test can make
// fail or freeze, and counts. A frozen call blocks until its context
// ends, as a call to a server that stopped answering.
type ctlCache struct {
	*memstore.Store
	mu          sync.Mutex
	down        bool // every call fails
	frozen      bool // every call blocks until its context is done
	failSaves   bool // Saves fail
	deletesLeft int  // with down, this many Deletes still succeed
	calls       map[string]int
}

func newCtlCache(o memstore.Options) *ctlCache {
	return &ctlCache{Store: memstore.New(o), calls: map[string]int{}}
}

func (c *ctlCache) set(f func(c *ctlCache)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

// count returns how many calls of op were made ("" for all).
func (c *ctlCache) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if op != "" {
		return c.calls[op]
	}
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

func (c *ctlCache) gate(ctx context.Context, op string) error {
	c.mu.Lock()
	c.calls[op]++
	frozen := c.frozen
	down := c.down || (op == "save" && c.failSaves)
	if down && op == "delete" && c.deletesLeft > 0 {
		c.deletesLeft--
		down = false
	}
	c.mu.Unlock()
	if frozen {
		<-ctx.Done()
		return ctx.Err()
	}
	if down {
		return errOutage
	}
	return nil
}

func (c *ctlCache) Load(ctx context.Context, k string) (sessions.Record, error) {
	if err := c.gate(ctx, "load"); err != nil {
		return sessions.Record{}, err
	}
	return c.Store.Load(ctx, k)
}

func (c *ctlCache) Save(ctx context.Context, k string, r sessions.Record, cond sessions.Condition) error {
	if err := c.gate(ctx, "save"); err != nil {
		return err
	}
	return c.Store.Save(ctx, k, r, cond)
}

func (c *ctlCache) Delete(ctx context.Context, k string) error {
	if err := c.gate(ctx, "delete"); err != nil {
		return err
	}
	return c.Store.Delete(ctx, k)
}

func (c *ctlCache) Exists(ctx context.Context, k string) (bool, error) {
	if err := c.gate(ctx, "exists"); err != nil {
		return false, err
	}
	return c.Store.Exists(ctx, k)
}

// countingStore counts the calls made to a store.
type countingStore struct {
	sessions.Store
	mu sync.Mutex
	n  int
}

func (c *countingStore) inc() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *countingStore) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *countingStore) Load(ctx context.Context, k string) (sessions.Record, error) {
	c.inc()
	return c.Store.Load(ctx, k)
}

func (c *countingStore) Save(ctx context.Context, k string, r sessions.Record, cond sessions.Condition) error {
	c.inc()
	return c.Store.Save(ctx, k, r, cond)
}

func (c *countingStore) Delete(ctx context.Context, k string) error {
	c.inc()
	return c.Store.Delete(ctx, k)
}

func (c *countingStore) Exists(ctx context.Context, k string) (bool, error) {
	c.inc()
	return c.Store.Exists(ctx, k)
}
