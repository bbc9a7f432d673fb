package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

// DefaultPrefix is the key prefix used when Options.Prefix is empty.
const DefaultPrefix = "sessionkit:"

// Options configures a Store. The zero value is usable.
type Options struct {
	// Prefix is prepended to every session key to form the Redis key.
	// Stores with different prefixes never see each other's sessions.
	// Default: DefaultPrefix ("sessionkit:").
	Prefix string
	// Clock returns the current time, against which a record's expiry
	// becomes its TTL. Default: time.Now.
	Clock func() time.Time
}

// Store keeps session records in Redis. It is safe for concurrent use.
type Store struct {
	client redis.UniversalClient
	prefix string
	cas    script
	now    func() time.Time
}

var (
	_ sessions.Store   = (*Store)(nil)
	_ sessions.Toucher = (*Store)(nil)
)

// New returns a Store over client, which may be a *redis.Client, a
// Sentinel-backed failover client or a *redis.ClusterClient. New does no
// I/O. The client stays the caller's: close it after the last use of the
// Store.
func New(client redis.UniversalClient, opts Options) (*Store, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: redisstore: nil client", sessions.ErrInvalidConfig)
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Store{
		client: client,
		prefix: opts.Prefix,
		cas:    newScript(casScript),
		now:    opts.Clock,
	}, nil
}

// Prefix returns the key prefix in force.
func (s *Store) Prefix() string { return s.prefix }

// Load implements sessions.Store with one GET. Redis enforces expiry with
// the key's TTL, so a key that exists is live, and the returned Record
// leaves Expiry zero (see sessions.Record): reading the TTL as well cost a
// third more than the GET alone.
func (s *Store) Load(ctx context.Context, key string) (sessions.Record, error) {
	data, err := s.client.Get(ctx, s.prefix+key).Bytes()
	if err != nil {
		if errors.Is(err, redis.Nil) {
			return sessions.Record{}, sessions.ErrNotFound
		}
		return sessions.Record{}, fmt.Errorf("redisstore: load: %w", err)
	}
	return sessions.Record{Data: data}, nil
}

// Save implements sessions.Store in one round trip: SET NX PX for
// CreateOnly, SET XX PX for UpdateOnly and an atomic compare-and-set script
// for UpdateIfUnchanged. A record that is already expired is never
// written: an update deletes the key instead, so nothing live is left.
func (s *Store) Save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	k := s.prefix + key
	ms := ttlMillis(rec.Expiry, s.now())
	switch cond.Mode {
	case sessions.CreateOnly:
		if ms == 0 {
			return s.createExpired(ctx, k)
		}
		return s.set(ctx, "nx", k, rec.Data, ms, sessions.ErrKeyExists)
	case sessions.UpdateOnly:
		if ms == 0 {
			return s.deleteExisting(ctx, k)
		}
		return s.set(ctx, "xx", k, rec.Data, ms, sessions.ErrNotFound)
	case sessions.UpdateIfUnchanged:
		return s.compareAndSet(ctx, k, rec.Data, cond.Loaded, ms)
	}
	return fmt.Errorf("%w: redisstore: save mode %v", sessions.ErrInvalidConfig, cond.Mode)
}

// set writes data under k for ms milliseconds if the condition (nx or xx)
// holds, and returns failed when it does not.
func (s *Store) set(ctx context.Context, cond, k string, data []byte, ms int64, failed error) error {
	cmd := redis.NewBoolCmd(ctx, "set", k, data, "px", ms, cond)
	if err := s.client.Process(ctx, cmd); err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	if !cmd.Val() {
		return failed
	}
	return nil
}

// createExpired answers a create-only save of a dead record: nothing is
// written, but a live record under the key still makes it taken.
func (s *Store) createExpired(ctx context.Context, k string) error {
	n, err := s.client.Exists(ctx, k).Result()
	if err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	if n > 0 {
		return sessions.ErrKeyExists
	}
	return nil
}

// deleteExisting answers an update-only save of a dead record: the record
// it replaces ends now.
func (s *Store) deleteExisting(ctx context.Context, k string) error {
	n, err := s.client.Del(ctx, k).Result()
	if err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	if n == 0 {
		return sessions.ErrNotFound
	}
	return nil
}

func (s *Store) compareAndSet(ctx context.Context, k string, data, loaded []byte, ms int64) error {
	code, err := s.cas.run(ctx, s.client, k, loaded, data, ms).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	switch code {
	case casOK:
		return nil
	case casMissing:
		return sessions.ErrNotFound
	case casConflict:
		return sessions.ErrConflict
	}
	return fmt.Errorf("redisstore: save: unexpected script result %d", code)
}

// Delete implements sessions.Store with DEL.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.client.Del(ctx, s.prefix+key).Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	return nil
}

// Exists implements sessions.Store with EXISTS.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	n, err := s.client.Exists(ctx, s.prefix+key).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: exists: %w", err)
	}
	return n > 0, nil
}

// Touch implements sessions.Toucher with PEXPIRE: the data is not resent.
// An expiry that is not in the future deletes the record.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	// PEXPIRE with a non-positive TTL deletes the key, which is what a
	// past expiry means.
	ms := ttlMillis(expiry, s.now())
	if ms == 0 {
		ms = -1
	}
	ok, err := s.client.PExpire(ctx, s.prefix+key, time.Duration(ms)*time.Millisecond).Result()
	if err != nil {
		return fmt.Errorf("redisstore: touch: %w", err)
	}
	if !ok {
		return sessions.ErrNotFound
	}
	return nil
}

// ttlMillis returns the whole milliseconds from now until expiry, rounded
// up so a record with any time left is written, or 0 when expiry is not in
// the future.
func ttlMillis(expiry, now time.Time) int64 {
	d := expiry.Sub(now)
	if d <= 0 {
		return 0
	}
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
