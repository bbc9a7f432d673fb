package cachedstore

import (
	"sync"
	"sync/atomic"
	"time"
)

// Breaker states.
const (
	closed  uint32 = iota // cache calls go through
	open                  // cache bypassed until the backoff runs out
	probing               // one call is testing the cache; the rest bypass it
)

// breaker keeps a failing cache out of the request path. It is about
// latency only: which copies may be served is the pending set's business.
type breaker struct {
	state atomic.Uint32 // read without the lock on the hot path

	mu      sync.Mutex
	until   time.Time // while open: when a probe may go
	backoff time.Duration
	base    time.Duration
	max     time.Duration
}

func newBreaker(base, max time.Duration) breaker {
	return breaker{base: base, max: max, backoff: base}
}

// closed reports whether cache calls go through without a probe.
func (b *breaker) closed() bool { return b.state.Load() == closed }

// allow reports whether a cache call may be made now, and whether it is
// the probe whose answer decides whether the bypass ends.
func (b *breaker) allow(now func() time.Time) (ok, probe bool) {
	if b.state.Load() == closed {
		return true, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state.Load() {
	case closed:
		return true, false
	case probing:
		return false, false
	}
	if now().Before(b.until) {
		return false, false
	}
	b.state.Store(probing)
	return true, true
}

// answered records that a call got an answer from the cache. Only the
// probe's answer ends a bypass: an older call may answer from before the
// failure that started it.
func (b *breaker) answered(probe bool) {
	if !probe {
		return
	}
	b.mu.Lock()
	b.backoff = b.base
	b.state.Store(closed)
	b.mu.Unlock()
}

// failed records a call that got no answer. The first failure while
// closed starts a bypass of the base backoff; a failed probe doubles it.
// Failures of calls made before the bypass began change nothing.
func (b *breaker) failed(now time.Time, probe bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case probe:
		b.backoff = min(2*b.backoff, b.max)
	case b.state.Load() == closed:
		b.backoff = b.base
	default:
		return
	}
	b.until = now.Add(b.backoff)
	b.state.Store(open)
}

// abandoned records a probe that ended with its caller's context, which
// says nothing about the cache: the next call probes instead.
func (b *breaker) abandoned(probe bool) {
	if !probe {
		return
	}
	b.mu.Lock()
	b.state.Store(open)
	b.mu.Unlock()
}
