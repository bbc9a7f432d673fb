package demo

import (
	"context"
	"log/slog"

	"github.com/sessionkit/sessionkit/core/cachedstore"
)

// openCached puts Redis in front of the SQL store, as Django's cached_db
// backend does: reads try Redis first, writes go to SQL first. Redis going
// away later only costs speed; at start it must answer.
func (o *openedStore) openCached(ctx context.Context, cfg Config, log *slog.Logger) (*cachedstore.Store, error) {
	durable, err := o.openSQL(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	cache, err := o.openRedis(ctx, cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	return cachedstore.New(cache, durable, cachedstore.Options{
		OnCacheError: func(op string, err error) {
			log.Warn("session cache failed; using the SQL store alone", "op", op, "err", err)
		},
	})
}
