package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

// The per-user index: one sorted set per user, its members the user's
// session keys, each scored with its entry's until in Unix milliseconds.
// The set expires with its last entry, so a user who never returns leaves
// nothing behind; entries past their until are dropped on every write of
// the set and every listing. A user's sessions live on other slots than
// the set in Cluster: LoadKeys and DeleteKeys pipeline one command per key
// and go-redis sends each to its slot's node.
//
// Generations (GenerationStore) are plain counters, without a TTL: a
// generation must outlive every cookie issued under the one before.

var (
	_ sessions.UserIndex       = (*Store)(nil)
	_ sessions.GenerationStore = (*Store)(nil)
)

// userSuffix names a user's keys by a digest of the id, so that an id of
// any length or bytes makes a key of fixed length and can neither reach
// another user's keys nor carry a {hash tag}.
func userSuffix(user string) string {
	sum := sha256.Sum256([]byte(user))
	return hex.EncodeToString(sum[:16])
}

func (s *Store) userSet(user string) string { return s.prefix + "user:" + userSuffix(user) }
func (s *Store) genKey(user string) string  { return s.prefix + "gen:" + userSuffix(user) }

// indexScript adds or moves one entry, drops the entries past now, and
// sets the set's expiry to its latest until.
var indexScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] then
	redis.call('PEXPIREAT', KEYS[1], top[2])
end
return 1
`)

// listScript drops the entries past now and returns the rest.
var listScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
`)

// batch bounds the commands of one pipeline, so that a user with very many
// sessions does not hold one huge reply in memory at once.
const batch = 512

func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// IndexUser implements sessions.UserIndex with one script on the user's
// set.
func (s *Store) IndexUser(ctx context.Context, user, key string, until time.Time) error {
	_, err := call(s, ctx, "index user", func(ctx context.Context) (struct{}, error) {
		err := indexScript.Run(ctx, s.client, []string{s.userSet(user)}, millis(s.now()), millis(until), key).Err()
		if err != nil {
			return struct{}{}, fmt.Errorf("redisstore: index user: %w", err)
		}
		return struct{}{}, nil
	})
	return err
}

// UnindexUser implements sessions.UserIndex with ZREM.
func (s *Store) UnindexUser(ctx context.Context, user string, keys ...string) error {
	if len(keys) == 0 {
		return ctx.Err()
	}
	_, err := call(s, ctx, "unindex user", func(ctx context.Context) (struct{}, error) {
		members := make([]any, len(keys))
		for i, k := range keys {
			members[i] = k
		}
		if err := s.client.ZRem(ctx, s.userSet(user), members...).Err(); err != nil {
			return struct{}{}, fmt.Errorf("redisstore: unindex user: %w", err)
		}
		return struct{}{}, nil
	})
	return err
}

// UserKeys implements sessions.UserIndex with one script on the user's
// set, which drops the entries past their until on the way.
func (s *Store) UserKeys(ctx context.Context, user string) ([]string, error) {
	return call(s, ctx, "user keys", func(ctx context.Context) ([]string, error) {
		keys, err := listScript.Run(ctx, s.client, []string{s.userSet(user)}, millis(s.now())).StringSlice()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("redisstore: user keys: %w", err)
		}
		return keys, nil
	})
}

// LoadKeys implements sessions.UserIndex: per key a read (bounded by
// MaxRecordSize as Load's is) and a PTTL, pipelined, so that a listing
// shows each record's expiry. Missing and oversized records have nil
// Data.
func (s *Store) LoadKeys(ctx context.Context, keys []string) ([]sessions.Record, error) {
	return call(s, ctx, "load keys", func(ctx context.Context) ([]sessions.Record, error) {
		out := make([]sessions.Record, len(keys))
		for start := 0; start < len(keys); start += batch {
			if err := s.loadBatch(ctx, keys[start:min(start+batch, len(keys))], out[start:]); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

func (s *Store) loadBatch(ctx context.Context, keys []string, out []sessions.Record) error {
	pipe := s.client.Pipeline()
	reads := make([]*redis.StringCmd, len(keys))
	ttls := make([]*redis.DurationCmd, len(keys))
	for i, k := range keys {
		if s.maxSize > 0 {
			reads[i] = redis.NewStringCmd(ctx, "getrange", s.prefix+k, 0, s.lastArg)
			_ = pipe.Process(ctx, reads[i])
		} else {
			reads[i] = pipe.Get(ctx, s.prefix+k)
		}
		ttls[i] = pipe.PTTL(ctx, s.prefix+k)
	}
	_, _ = pipe.Exec(ctx) // each command's own error is checked below
	now := s.now()
	for i := range keys {
		data, err := reads[i].Bytes()
		switch {
		case errors.Is(err, redis.Nil) || (err == nil && len(data) == 0):
			continue // missing
		case err != nil:
			return fmt.Errorf("redisstore: load keys: %w", err)
		case s.maxSize > 0 && len(data) > s.maxSize:
			continue // as good as missing, as for Load
		}
		rec := sessions.Record{Data: data}
		if ttl, err := ttls[i].Result(); err == nil && ttl > 0 {
			rec.Expiry = now.Add(ttl)
		}
		out[i] = rec
	}
	return nil
}

// DeleteKeys implements sessions.UserIndex with DELs, pipelined; with
// Options.WaitReplicas each goes alone and waits for its replicas, as
// Delete does.
func (s *Store) DeleteKeys(ctx context.Context, keys []string) error {
	_, err := call(s, ctx, "delete keys", func(ctx context.Context) (struct{}, error) {
		if s.wait.replicas > 0 {
			for _, k := range keys {
				if err := s.delete(ctx, k); err != nil {
					return struct{}{}, err
				}
			}
			return struct{}{}, nil
		}
		for start := 0; start < len(keys); start += batch {
			pipe := s.client.Pipeline()
			for _, k := range keys[start:min(start+batch, len(keys))] {
				pipe.Del(ctx, s.prefix+k)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				return struct{}{}, fmt.Errorf("redisstore: delete keys: %w", err)
			}
		}
		return struct{}{}, nil
	})
	return err
}

// Generation implements sessions.GenerationStore with GET.
func (s *Store) Generation(ctx context.Context, user string) (uint64, error) {
	return call(s, ctx, "generation", func(ctx context.Context) (uint64, error) {
		g, err := s.client.Get(ctx, s.genKey(user)).Uint64()
		if errors.Is(err, redis.Nil) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("redisstore: generation: %w", err)
		}
		return g, nil
	})
}

// NextGeneration implements sessions.GenerationStore with INCR.
func (s *Store) NextGeneration(ctx context.Context, user string) (uint64, error) {
	return call(s, ctx, "next generation", func(ctx context.Context) (uint64, error) {
		g, err := s.client.Incr(ctx, s.genKey(user)).Uint64()
		if err != nil {
			return 0, fmt.Errorf("redisstore: next generation: %w", err)
		}
		return g, nil
	})
}
