package cachedstore

import (
	"context"
	"fmt"
)

// sweepBatch is how many pending copies one operation deletes on its way
// out, while the cache answers.
const sweepBatch = 8

// Pending returns how many keys have a cache copy this process could not
// delete and keeps out of use until it can. Other processes sharing the
// cache may still read those copies (see the package doc): a number that
// stays above zero while the cache is back deserves an alert.
func (s *Store) Pending() int { return s.pend.size() }

// Sweep deletes from the cache every copy that is pending, and returns
// nil once none is left. Operations sweep a few on their way out while
// the cache answers; an idle process can call Sweep on a ticker so that
// other processes stop seeing those copies sooner.
func (s *Store) Sweep(ctx context.Context) error {
	select {
	case s.sweep <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.sweep }()
	for {
		keys := s.pend.batch(s.now(), sweepBatch)
		if len(keys) == 0 {
			return nil
		}
		if err := s.sweepKeys(ctx, keys); err != nil {
			return fmt.Errorf("cachedstore: %d cache copies still pending: %w", s.pend.size(), err)
		}
	}
}

// sweepSome deletes a batch of pending copies if the cache is answering
// and no other sweep is running.
func (s *Store) sweepSome(ctx context.Context) {
	if s.pend.size() == 0 || !s.brk.closed() {
		return
	}
	select {
	case s.sweep <- struct{}{}:
	default:
		return
	}
	defer func() { <-s.sweep }()
	_ = s.sweepKeys(ctx, s.pend.batch(s.now(), sweepBatch))
}

// sweepKeys deletes the cache entries of keys, clearing each that the
// cache answers for, and stops at the first that it does not.
func (s *Store) sweepKeys(ctx context.Context, keys []string) error {
	for _, k := range keys {
		t := s.pend.ticket()
		if err := s.cacheDelete(ctx, "sweep", k); !answered(err) {
			return err
		}
		s.pend.clear(k, t)
	}
	return nil
}
