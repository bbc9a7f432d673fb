package cachedstore

import (
	"fmt"
	"log/slog"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Defaults of Options.
const (
	DefaultCacheTimeout = 200 * time.Millisecond
	DefaultCacheBackoff = time.Second
	DefaultMaxCacheTTL  = 5 * time.Minute
	DefaultMaxPending   = 10000
)

// maxBackoffFactor bounds how far failed probes double the backoff.
const maxBackoffFactor = 32

// Options configures a Store. The zero value is usable.
type Options struct {
	// OnCacheError is called, synchronously, each time a cache call fails
	// and the operation goes on with the durable store alone. op names
	// the call: "load", "exists", "lease" (reserving the cache entry
	// before a write or a fill), "save" and "fill" (writing the copy),
	// "invalidate", "delete" and "touch" (deleting the copy after a
	// write, a Delete or a Touch), "sweep" (deleting a copy that could
	// not be deleted earlier) or "delete-expired". Calls skipped while
	// the cache is bypassed are not reported. It must be safe for
	// concurrent use. Default: log at Warn level with slog.Default().
	OnCacheError func(op string, err error)
	// Clock returns the current time: against it a saved record counts as
	// already expired, a cache copy's lifetime is capped and the
	// bypass after a cache failure runs out. Default: time.Now.
	Clock func() time.Time
	// CacheTimeout bounds each cache call, within the caller's context,
	// so that a frozen cache costs a request at most this long before the
	// cache is bypassed. Negative: no bound of this store's own (the
	// context's deadline and the cache store's own timeouts still
	// apply). Default: DefaultCacheTimeout (200ms).
	CacheTimeout time.Duration
	// CacheBackoff is how long the cache is bypassed after a cache call
	// fails. Then one call probes it: an answer ends the bypass, another
	// failure doubles the backoff, up to 32 × CacheBackoff.
	// Default: DefaultCacheBackoff (1s).
	CacheBackoff time.Duration
	// MaxCacheTTL caps the lifetime of every copy written to the cache.
	// It bounds how long a copy this process lost track of can be served:
	// one it could not delete before it restarted, or one forgotten when
	// more than MaxPending keys were pending (see the package doc).
	// Default: DefaultMaxCacheTTL (5 minutes).
	MaxCacheTTL time.Duration
	// MaxPending bounds the keys whose cache copy could not be deleted
	// and is kept out of use until it is. When one more would not fit,
	// the set is dropped and no copy is read for MaxCacheTTL plus the
	// lease time (10s), after which every copy it held has expired.
	// Default: DefaultMaxPending (10000).
	MaxPending int
}

// Store is a cache in front of a durable store. It is safe for concurrent
// use if both stores are. It implements sessions.Toucher and
// sessions.ExpiredDeleter by passing them on to the stores that have them.
// It starts no goroutine.
type Store struct {
	cache   sessions.Store
	durable sessions.Store
	onErr   func(op string, err error)
	now     func() time.Time
	timeout time.Duration // per cache call; 0: none
	maxTTL  time.Duration

	brk   breaker
	pend  pendingSet
	sweep chan struct{} // one sweep at a time
}

var (
	_ sessions.Store          = (*Store)(nil)
	_ sessions.Toucher        = (*Store)(nil)
	_ sessions.ExpiredDeleter = (*Store)(nil)
)

// New returns a Store that keeps records in durable and copies of them in
// cache. Neither store is closed by this one. The cache must be this
// Store's alone (a prefix of its own in a shared server): entries there
// are copies and leases in this package's format.
func New(cache, durable sessions.Store, opts Options) (*Store, error) {
	if cache == nil || durable == nil {
		return nil, fmt.Errorf("%w: cachedstore: cache and durable store are both required", sessions.ErrInvalidConfig)
	}
	if opts.CacheBackoff < 0 || opts.MaxCacheTTL < 0 || opts.MaxPending < 0 {
		return nil, fmt.Errorf("%w: cachedstore: negative CacheBackoff, MaxCacheTTL or MaxPending", sessions.ErrInvalidConfig)
	}
	if opts.OnCacheError == nil {
		opts.OnCacheError = logCacheError
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	switch {
	case opts.CacheTimeout == 0:
		opts.CacheTimeout = DefaultCacheTimeout
	case opts.CacheTimeout < 0:
		opts.CacheTimeout = 0
	}
	if opts.CacheBackoff == 0 {
		opts.CacheBackoff = DefaultCacheBackoff
	}
	if opts.MaxCacheTTL == 0 {
		opts.MaxCacheTTL = DefaultMaxCacheTTL
	}
	if opts.MaxPending == 0 {
		opts.MaxPending = DefaultMaxPending
	}
	s := &Store{
		cache:   cache,
		durable: durable,
		onErr:   opts.OnCacheError,
		now:     opts.Clock,
		timeout: opts.CacheTimeout,
		maxTTL:  opts.MaxCacheTTL,
		brk:     newBreaker(opts.CacheBackoff, maxBackoffFactor*opts.CacheBackoff),
		pend:    newPendingSet(opts.MaxPending, opts.MaxCacheTTL+leaseTTL),
		sweep:   make(chan struct{}, 1),
	}
	return s, nil
}

func logCacheError(op string, err error) {
	slog.Default().Warn("cachedstore: cache failed; using the durable store alone", "op", op, "err", err)
}
