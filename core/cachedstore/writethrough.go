package cachedstore

import (
	"context"
	"errors"

	sessions "github.com/sessionkit/sessionkit/core"
)

// leaseAttempts bounds the update-then-create rounds of taking a lease
// for a write while concurrent fills and deletes keep changing the entry.
const leaseAttempts = 2

// Save implements sessions.Store. The cache entry is leased first, then
// the durable store saves under cond; its error is the error
// (ErrKeyExists, ErrNotFound and ErrConflict come from it alone, so a
// stale cache copy never decides a conditional write). Then the copy
// replaces the lease; if the lease is gone (a concurrent write or delete
// took the entry) or was never taken, the entry is deleted instead, so no
// older copy stays behind. A cache that does not answer leaves the key
// pending (see the package doc).
func (s *Store) Save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	defer s.sweepSome(ctx)
	t := s.pend.ticket()
	lease, leased := s.lease(ctx, key, cond.Mode == sessions.CreateOnly)
	if err := s.durable.Save(ctx, key, rec, cond); err != nil {
		// Unchanged, or changed without our knowing (a timeout): drop
		// the entry either way. After a conflict this also sends the
		// caller's reload (core reloads to merge) to the durable store.
		s.invalidate(ctx, "invalidate", key, t)
		return err
	}
	if leased {
		if cp, ok := s.copyOf(rec); ok {
			err := s.cacheSave(ctx, "save", key, cp, overLease(lease))
			switch {
			case err == nil:
				s.pend.clear(key, t)
				return nil
			case !answered(err):
				s.pend.add(key, s.now())
				return nil
			}
		}
	}
	s.invalidate(ctx, "invalidate", key, t)
	return nil
}

// lease makes the cache entry of key hold a fresh lease, whatever it
// held, and returns it. Nothing is ever written over a lease but by its
// owner, so while the lease lasts no other copy can land. A fresh key is
// tried with create first, saving a round trip.
func (s *Store) lease(ctx context.Context, key string, fresh bool) ([]byte, bool) {
	lease := newLease()
	lr := s.leaseRecord(lease)
	modes := [2]sessions.Mode{sessions.UpdateOnly, sessions.CreateOnly}
	if fresh {
		modes[0], modes[1] = modes[1], modes[0]
	}
	for i := range 2 * leaseAttempts {
		err := s.cacheSave(ctx, "lease", key, lr, sessions.Condition{Mode: modes[i%2]})
		if err == nil {
			return lease, true
		}
		if !errors.Is(err, sessions.ErrNotFound) && !errors.Is(err, sessions.ErrKeyExists) {
			return nil, false
		}
	}
	return nil, false
}

// invalidate deletes the cache entry of key after a write. If the cache
// answers, marks made before ticket t are cleared; if not, key is
// marked pending.
func (s *Store) invalidate(ctx context.Context, op, key string, t uint64) {
	if answered(s.cacheDelete(ctx, op, key)) {
		s.pend.clear(key, t)
		return
	}
	s.pend.add(key, s.now())
}

// Delete implements sessions.Store: the durable record first, whose error
// is the error, then the cache entry. The entry is deleted even when the
// durable delete failed, as it may have happened all the same.
func (s *Store) Delete(ctx context.Context, key string) error {
	defer s.sweepSome(ctx)
	t := s.pend.ticket()
	err := s.durable.Delete(ctx, key)
	s.invalidate(ctx, "delete", key, t)
	return err
}
