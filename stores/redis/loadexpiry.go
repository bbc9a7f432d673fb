package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

var _ sessions.ExpiryLoader = (*Store)(nil)

// LoadWithExpiry implements sessions.ExpiryLoader: Load, with the key's
// PTTL pipelined in the same round trip, so that Record.Expiry is set.
// Core calls it only with an idle timeout on: knowing when the record
// ends lets a read-only request extend it with Touch (PEXPIRE) instead of
// rewriting the data.
func (s *Store) LoadWithExpiry(ctx context.Context, key string) (sessions.Record, error) {
	return call(s, ctx, "load", func(ctx context.Context) (sessions.Record, error) { return s.loadWithExpiry(ctx, key) })
}

func (s *Store) loadWithExpiry(ctx context.Context, key string) (sessions.Record, error) {
	k := s.prefix + key
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	// One key, so a cluster sends the pipeline to one node.
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		if s.maxSize > 0 {
			get = p.GetRange(ctx, k, 0, int64(s.maxSize))
		} else {
			get = p.Get(ctx, k)
		}
		ttl = p.PTTL(ctx, k)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return sessions.Record{}, fmt.Errorf("redisstore: load: %w", err)
	}
	data, err := get.Bytes()
	switch {
	case errors.Is(err, redis.Nil) || (err == nil && len(data) == 0):
		return sessions.Record{}, sessions.ErrNotFound
	case err != nil:
		return sessions.Record{}, fmt.Errorf("redisstore: load: %w", err)
	case s.maxSize > 0 && len(data) > s.maxSize:
		return sessions.Record{}, fmt.Errorf("redisstore: load: %w: over %d bytes, %w", sessions.ErrRecordTooLarge, s.maxSize, sessions.ErrNotFound)
	}
	rec := sessions.Record{Data: data}
	// PTTL: -2 gone meanwhile, -1 no TTL (not written by this store).
	if d := ttl.Val(); d > 0 {
		rec.Expiry = s.now().Add(d).Truncate(time.Millisecond)
	}
	return rec, nil
}
