package cachedstore

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Options configures a Store. The zero value is usable.
type Options struct {
	// OnCacheError is called, synchronously, each time the cache fails and
	// the operation goes on with the durable store alone. op names what was
	// attempted: "load", "fill", "save", "delete", "exists", "touch",
	// "invalidate" or "delete-expired". It must be safe for concurrent use.
	// Default: log at Warn level with slog.Default().
	OnCacheError func(op string, err error)
	// Clock returns the current time, against which a saved record counts
	// as already expired. Default: time.Now.
	Clock func() time.Time
}

// Store is a cache in front of a durable store. It is safe for concurrent
// use if both stores are. It implements sessions.Toucher and
// sessions.ExpiredDeleter by passing them on to the stores that have them.
type Store struct {
	cache   sessions.Store
	durable sessions.Store
	onErr   func(op string, err error)
	now     func() time.Time
}

var (
	_ sessions.Store          = (*Store)(nil)
	_ sessions.Toucher        = (*Store)(nil)
	_ sessions.ExpiredDeleter = (*Store)(nil)
)

// New returns a Store that keeps records in durable and copies of them in
// cache. Neither store is closed by this one.
func New(cache, durable sessions.Store, opts Options) (*Store, error) {
	if cache == nil || durable == nil {
		return nil, fmt.Errorf("%w: cachedstore: cache and durable store are both required", sessions.ErrInvalidConfig)
	}
	if opts.OnCacheError == nil {
		opts.OnCacheError = logCacheError
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Store{cache: cache, durable: durable, onErr: opts.OnCacheError, now: opts.Clock}, nil
}

func logCacheError(op string, err error) {
	slog.Default().Warn("cachedstore: cache failed; using the durable store alone", "op", op, "err", err)
}

// report passes a cache failure on, unless it only echoes the caller's own
// cancelled or expired context: that is no cache outage.
func (s *Store) report(ctx context.Context, op string, err error) {
	if ctx.Err() != nil {
		return
	}
	s.onErr(op, err)
}
