package cachedstore

import (
	"context"
	"errors"

	sessions "github.com/sessionkit/sessionkit/core"
)

// overwriteAttempts bounds the update-then-create dance of a cache write
// that keeps meeting concurrent fills and deletes.
const overwriteAttempts = 3

// Save implements sessions.Store. The durable store saves first, under
// cond; its error is the error (ErrKeyExists, ErrNotFound and ErrConflict
// come from it alone, so a stale cache copy never decides a conditional
// write). Then the cache gets the record, whatever it held. If that fails,
// the cache copy is deleted so no stale copy is served, and the failure is
// reported.
func (s *Store) Save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	if err := s.durable.Save(ctx, key, rec, cond); err != nil {
		if errors.Is(err, sessions.ErrConflict) || errors.Is(err, sessions.ErrNotFound) {
			// The caller read a copy the durable store no longer has: if
			// that came from the cache, drop it, so the caller's reload
			// (core reloads after a conflict) reaches the durable store.
			s.invalidate(ctx, key)
		}
		return err
	}
	s.overwrite(ctx, key, rec, cond.Mode == sessions.CreateOnly)
	return nil
}

// overwrite makes the cache hold rec under key, whether or not it held a
// copy. A fresh key is tried with create first, saving a round trip.
func (s *Store) overwrite(ctx context.Context, key string, rec sessions.Record, fresh bool) {
	if !rec.Expiry.After(s.now()) {
		// Nothing live was saved; no copy may outlive it.
		s.invalidate(ctx, key)
		return
	}
	modes := [2]sessions.Mode{sessions.UpdateOnly, sessions.CreateOnly}
	if fresh {
		modes[0], modes[1] = modes[1], modes[0]
	}
	var err error
	for i := range 2 * overwriteAttempts {
		err = s.cache.Save(ctx, key, rec, sessions.Condition{Mode: modes[i%2]})
		if err == nil {
			return
		}
		// Update of a missing copy, or create over one another request
		// just filled: try the other mode.
		if !errors.Is(err, sessions.ErrNotFound) && !errors.Is(err, sessions.ErrKeyExists) {
			break
		}
	}
	s.report(ctx, "save", err)
	s.invalidate(ctx, key)
}

// invalidate deletes the cache copy of key, best effort.
func (s *Store) invalidate(ctx context.Context, key string) {
	if err := s.cache.Delete(ctx, key); err != nil {
		s.report(ctx, "invalidate", err)
	}
}

// Delete implements sessions.Store: the durable record first, whose error
// is the error, then the cache copy, whose failure is only reported.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.durable.Delete(ctx, key); err != nil {
		return err
	}
	if err := s.cache.Delete(ctx, key); err != nil {
		s.report(ctx, "delete", err)
	}
	return nil
}
