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
// under an update-if-unchanged condition. The cache copy is then touched
// too, or dropped when the cache cannot touch.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	if err := s.touchDurable(ctx, key, expiry); err != nil {
		if errors.Is(err, sessions.ErrNotFound) {
			s.invalidate(ctx, key)
		}
		return err
	}
	t, ok := s.cache.(sessions.Toucher)
	if !ok {
		s.invalidate(ctx, key)
		return nil
	}
	err := t.Touch(ctx, key, expiry)
	if err != nil && !errors.Is(err, sessions.ErrNotFound) {
		s.report(ctx, "touch", err)
		s.invalidate(ctx, key)
	}
	return nil
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
// only reported.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	var n int64
	if d, ok := s.durable.(sessions.ExpiredDeleter); ok {
		var err error
		if n, err = d.DeleteExpired(ctx); err != nil {
			return n, err
		}
	}
	if d, ok := s.cache.(sessions.ExpiredDeleter); ok {
		if _, err := d.DeleteExpired(ctx); err != nil {
			s.report(ctx, "delete-expired", err)
		}
	}
	return n, nil
}
