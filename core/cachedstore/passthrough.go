package cachedstore

import (
	"context"
	"errors"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// touchAttempts bounds the load-and-compare loop that emulates Touch on a
// durable store without it.
const touchAttempts = 3

// Touch implements sessions.Toucher. The durable store's Touch is used
// when it has one; otherwise the record is rewritten with the new expiry
// under an update-if-unchanged condition. The cache entry is then
// deleted, as after any write: the next Load copies the record again.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	defer s.sweepSome(ctx)
	t := s.pend.ticket()
	err := s.touchDurable(ctx, key, expiry)
	s.invalidate(ctx, "touch", key, t)
	return err
}

func (s *Store) touchDurable(ctx context.Context, key string, expiry time.Time) error {
	if t, ok := s.durable.(sessions.Toucher); ok {
		return t.Touch(ctx, key, expiry)
	}
	var err error
	for range touchAttempts {
		var rec sessions.Record
		rec, err = s.durable.Load(ctx, key)
		if err != nil {
			return err
		}
		rec.Expiry = expiry
		err = s.durable.Save(ctx, key, rec, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: rec.Data})
		if !errors.Is(err, sessions.ErrConflict) {
			return err
		}
	}
	return err
}

// DeleteExpired implements sessions.ExpiredDeleter: it purges the durable
// store and the cache when they have DeleteExpired, and returns the count
// of the durable store (0 for one with native TTLs). A cache failure is
// only reported; the cache is skipped while it is bypassed.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	var n int64
	if d, ok := s.durable.(sessions.ExpiredDeleter); ok {
		var err error
		if n, err = d.DeleteExpired(ctx); err != nil {
			return n, err
		}
	}
	if d, ok := s.cache.(sessions.ExpiredDeleter); ok {
		// Best effort: expired entries are never served anyway.
		_ = s.call(ctx, "delete-expired", func(ctx context.Context) error {
			_, err := d.DeleteExpired(ctx)
			return err
		})
	}
	return n, nil
}
