package cachedstore

import (
	"bytes"
	"context"
	"errors"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Load implements sessions.Store. A cache hit costs one cache round trip.
// A miss loads the durable record, copies it into the cache with the same
// Expiry, then loads the durable record once more: if it changed or
// vanished meanwhile (a concurrent save or delete that ran between the two
// steps), the fresh copy is dropped, so a deleted or outdated session is
// never left in the cache.
func (s *Store) Load(ctx context.Context, key string) (sessions.Record, error) {
	rec, err := s.cache.Load(ctx, key)
	if err == nil {
		return rec, nil
	}
	if !errors.Is(err, sessions.ErrNotFound) {
		s.report(ctx, "load", err)
	}
	rec, err = s.durable.Load(ctx, key)
	if err != nil {
		return sessions.Record{}, err
	}
	// A durable store that does not report expiry gives nothing to bound
	// the cache copy with: serve it uncached rather than risk outliving it.
	if !rec.Expiry.IsZero() {
		s.fill(ctx, key, rec)
	}
	return rec, nil
}

// fill copies rec into the cache after a miss. Create-only: if a writer
// put a copy there since the miss, that copy is newer than rec and wins.
func (s *Store) fill(ctx context.Context, key string, rec sessions.Record) {
	err := s.cache.Save(ctx, key, rec, sessions.Condition{Mode: sessions.CreateOnly})
	switch {
	case errors.Is(err, sessions.ErrKeyExists):
		return
	case err != nil:
		s.report(ctx, "fill", err)
		return
	}
	// A save or delete whose durable write came after our durable load but
	// whose cache write came before our fill would leave rec in the cache.
	// Its durable write is visible now, so check for it.
	cur, err := s.durable.Load(ctx, key)
	if err == nil && bytes.Equal(cur.Data, rec.Data) && cur.Expiry.Sub(rec.Expiry).Abs() < expiryTolerance {
		return
	}
	s.invalidate(ctx, key)
}

// expiryTolerance is how far two loads of one unchanged record may report
// its expiry apart: stores with native TTLs compute Expiry as now + TTL.
const expiryTolerance = time.Second

// Exists implements sessions.Store: a copy in the cache answers yes, any
// other answer is checked with the durable store.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	ok, err := s.cache.Exists(ctx, key)
	if err == nil && ok {
		return true, nil
	}
	if err != nil {
		s.report(ctx, "exists", err)
	}
	return s.durable.Exists(ctx, key)
}
