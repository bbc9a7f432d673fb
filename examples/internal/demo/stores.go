package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

// cleanupInterval is how often stores that keep expired records (SQL,
// memory) sweep them: Django's clearsessions, run by the store.
const cleanupInterval = time.Hour

// openedStore is a store with the connections behind it.
type openedStore struct {
	store   sessions.Store       // server-side stores
	client  sessions.ClientStore // the cookie store
	closers []func() error       // in opening order
}

// close closes the connections, the last opened first.
func (o *openedStore) close() error {
	var err error
	for _, c := range slices.Backward(o.closers) {
		err = errors.Join(err, c())
	}
	o.closers = nil
	return err
}

// openStore opens the store cfg.Store names. On error nothing stays open.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (*openedStore, error) {
	o := &openedStore{}
	var err error
	switch cfg.Store {
	case StoreMemory:
		m := memstore.New(memstore.Options{CleanupInterval: cleanupInterval})
		o.store, o.closers = m, append(o.closers, m.Close)
	case StoreCookie:
		o.client, err = cookiestore.New(cookiestore.Options{})
	case StoreSQLite, StorePostgres:
		o.store, err = o.openSQL(ctx, cfg, log)
	case StoreRedis:
		o.store, err = o.openRedis(ctx, cfg.RedisURL)
	case StoreCached:
		o.store, err = o.openCached(ctx, cfg, log)
	default:
		err = fmt.Errorf("unknown store %q", cfg.Store)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("demo: %s store: %w", cfg.Store, err), o.close())
	}
	return o, nil
}
