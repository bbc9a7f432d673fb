package cachedstore

import (
	"context"
	"errors"

	sessions "github.com/sessionkit/sessionkit/core"
)

// create is the condition of a lease taken for a fill: only an empty
// entry may be leased, so a fill never displaces a writer.
var create = sessions.Condition{Mode: sessions.CreateOnly}

// Load implements sessions.Store. A hit costs one cache call and returns
// the copy with a zero Expiry: the cache enforces the copy's own, which
// is capped (see Options.MaxCacheTTL) and ends before the record's. A
// miss reads the durable record and fills the cache through a lease (see
// fill). A key whose copy is pending is read from the durable store, and
// its copy deleted on the way if the cache answers.
func (s *Store) Load(ctx context.Context, key string) (sessions.Record, error) {
	defer s.sweepSome(ctx)
	if s.pend.distrusted(s.now) {
		return s.durable.Load(ctx, key)
	}
	if s.pend.has(key) {
		if !s.cleanse(ctx, key) {
			return s.durable.Load(ctx, key)
		}
		return s.fill(ctx, key)
	}
	rec, err := s.cacheLoad(ctx, "load", key)
	switch {
	case err == nil && !isLease(rec.Data):
		return sessions.Record{Data: rec.Data}, nil
	case errors.Is(err, sessions.ErrNotFound):
		return s.fill(ctx, key)
	}
	// A lease (a write or fill of this key is under way), or no answer.
	return s.durable.Load(ctx, key)
}

// fill loads the durable record and copies it into the cache. It first
// leases the empty entry, then reads the record, then replaces its own
// lease with the copy. Every write deletes or replaces the entry after
// changing the durable record, so if one came after the read the lease
// is gone and the copy is refused, however late it arrives.
func (s *Store) fill(ctx context.Context, key string) (sessions.Record, error) {
	lease := newLease()
	lerr := s.cacheSave(ctx, "lease", key, s.leaseRecord(lease), create)
	rec, err := s.durable.Load(ctx, key)
	if err != nil || lerr != nil {
		// A lease left behind expires; meanwhile reads miss.
		return rec, err
	}
	if cp, ok := s.copyOf(rec); ok {
		// Refused or unanswered, the copy is at worst missing.
		_ = s.cacheSave(ctx, "fill", key, cp, overLease(lease))
	}
	return rec, nil
}

// cleanse deletes the pending copy of key and reports whether the cache
// answered.
func (s *Store) cleanse(ctx context.Context, key string) bool {
	t := s.pend.ticket()
	if !answered(s.cacheDelete(ctx, "sweep", key)) {
		return false
	}
	s.pend.clear(key, t)
	return true
}

// Exists implements sessions.Store: a copy in the cache answers yes; any
// other answer is checked with the durable store.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if !s.pend.distrusted(s.now) && !s.pend.has(key) {
		rec, err := s.cacheLoad(ctx, "exists", key)
		if err == nil && !isLease(rec.Data) {
			return true, nil
		}
	}
	return s.durable.Exists(ctx, key)
}
