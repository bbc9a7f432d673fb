package cachedstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/cachedstore"
	"github.com/sessionkit/sessionkit/core/memstore"
)

func Example() {
	// In production: cache = a stores/redis Store, durable = a stores/gorm
	// Store. Two memstores keep the example self-contained.
	cache := memstore.New(memstore.Options{})
	durable := memstore.New(memstore.Options{})
	store, err := cachedstore.New(cache, durable, cachedstore.Options{
		OnCacheError: func(op string, err error) { log.Printf("session cache %s: %v", op, err) },
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	rec := sessions.Record{Data: []byte("signed-session-data"), Expiry: time.Now().Add(time.Hour)}
	if err := store.Save(ctx, "k1234567890", rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		log.Fatal(err)
	}
	inCache, _ := cache.Exists(ctx, "k1234567890")
	inDB, _ := durable.Exists(ctx, "k1234567890")
	fmt.Println("cached:", inCache, "durable:", inDB)

	// The cache loses its copy (eviction, restart): the next Load reads
	// the durable store and fills the cache again.
	_ = cache.Delete(ctx, "k1234567890")
	got, _ := store.Load(ctx, "k1234567890")
	inCache, _ = cache.Exists(ctx, "k1234567890")
	fmt.Println(string(got.Data), "cached again:", inCache)
	// Output:
	// cached: true durable: true
	// signed-session-data cached again: true
}
