package cachedstore

import (
	"context"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// The per-user index lives in the durable store, the truth: the cache
// holds copies of records, never index entries. HasUserIndex tells core
// whether the durable store has one.

var _ sessions.UserIndex = (*Store)(nil)

// HasUserIndex reports whether the durable store keeps a per-user index.
func (s *Store) HasUserIndex() bool {
	if _, ok := s.durable.(sessions.UserIndex); !ok {
		return false
	}
	if h, wraps := s.durable.(interface{ HasUserIndex() bool }); wraps {
		return h.HasUserIndex()
	}
	return true
}

func (s *Store) index() (sessions.UserIndex, error) {
	if ix, ok := s.durable.(sessions.UserIndex); ok {
		return ix, nil
	}
	return nil, sessions.ErrNoUserIndex
}

// IndexUser implements sessions.UserIndex on the durable store.
func (s *Store) IndexUser(ctx context.Context, user, key string, until time.Time) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	return ix.IndexUser(ctx, user, key, until)
}

// UnindexUser implements sessions.UserIndex on the durable store.
func (s *Store) UnindexUser(ctx context.Context, user string, keys ...string) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	return ix.UnindexUser(ctx, user, keys...)
}

// UserKeys implements sessions.UserIndex on the durable store.
func (s *Store) UserKeys(ctx context.Context, user string) ([]string, error) {
	ix, err := s.index()
	if err != nil {
		return nil, err
	}
	return ix.UserKeys(ctx, user)
}

// LoadKeys implements sessions.UserIndex: from the durable store in one
// round trip, bypassing the cache. A listing is rare and must see the
// truth, and it fills no copies, so it cannot race a write's lease.
func (s *Store) LoadKeys(ctx context.Context, keys []string) ([]sessions.Record, error) {
	ix, err := s.index()
	if err != nil {
		return nil, err
	}
	return ix.LoadKeys(ctx, keys)
}

// DeleteKeys implements sessions.UserIndex: the durable records in one
// round trip, then each key's cache entry under the same rule as Delete
// (a cache that cannot be told marks the key pending, and its copy is not
// served).
func (s *Store) DeleteKeys(ctx context.Context, keys []string) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	defer s.sweepSome(ctx)
	t := s.pend.ticket()
	err = ix.DeleteKeys(ctx, keys)
	for _, k := range keys {
		s.invalidate(ctx, "delete", k, t)
	}
	return err
}
