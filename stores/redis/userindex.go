package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

// The per-user index: one sorted set per user, Prefix + "user:" + 32 hex
// digits of the SHA-256 of the user id, whose members are session keys scored by their
// until in Unix milliseconds. The digest keeps the key's length fixed and
// its bytes hex, so no user id can grow the key or put a {hash tag} in it;
// session keys are [a-z0-9] (sessions.ValidKey), so neither "user:" nor
// "gen:" keys can be mistaken for a session's. In a cluster the set is one
// key on one slot while the sessions it names are on others: LoadKeys and
// DeleteKeys send one single-key command per session in a pipeline, which
// the ClusterClient splits by node.
//
// The set cannot grow without bound: IndexUser drops the entries past now
// and sets the set's TTL to its greatest until, so the set of a user who
// never returns expires with the user's last session; UserKeys drops the
// entries past now as it reads. TTLs are relative to the store's Clock,
// as the records' are, so the set never ends before a record it names
// even when the server's clock differs from the application's.
//
// Generations are Prefix + "gen:" + the same digest, a plain counter
// (INCR) with no TTL: a generation must outlive every cookie issued
// before it moved on, and no TTL is known to bound those.

var (
	_ sessions.UserIndex       = (*Store)(nil)
	_ sessions.GenerationStore = (*Store)(nil)
)

// The scripts are immutable values, built (hashed) once like the store's
// compare-and-set script.

// indexScript is IndexUser: KEYS[1] the user's set, ARGV[1] now, ARGV[2]
// until (both Unix ms), ARGV[3] the session key. An until already past
// removes the entry instead of adding it.
var indexScript = newScript(`
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if tonumber(ARGV[2]) > now then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
else
  redis.call('ZREM', KEYS[1], ARGV[3])
end
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] then
  redis.call('PEXPIRE', KEYS[1], tonumber(top[2]) - now)
end
return 1
`)

// userKeysScript is UserKeys: KEYS[1] the user's set, ARGV[1] now (Unix
// ms). It drops the entries whose until has passed and returns the rest.
var userKeysScript = newScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
`)

// userDigest is the fixed-length form of a user id in Redis keys.
func userDigest(user string) string {
	sum := sha256.Sum256([]byte(user))
	return hex.EncodeToString(sum[:16])
}

func (s *Store) userKey(user string) string { return s.prefix + "user:" + userDigest(user) }
func (s *Store) genKey(user string) string  { return s.prefix + "gen:" + userDigest(user) }

// untilMillis returns t in Unix milliseconds, rounded up: an entry may be
// dropped once its until has passed, never before.
func untilMillis(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.Sub(time.UnixMilli(ms)) > 0 {
		ms++
	}
	return ms
}

// IndexUser implements sessions.UserIndex with one script (one round
// trip) on the user's set; with Options.WaitReplicas it waits for the
// replicas as the store's other writes do.
func (s *Store) IndexUser(ctx context.Context, user, key string, until time.Time) error {
	_, err := call(s, ctx, "index user", func(ctx context.Context) (struct{}, error) {
		k := s.userKey(user)
		err := s.eval(ctx, indexScript, k, s.now().UnixMilli(), untilMillis(until), key).Err()
		if err != nil {
			return struct{}{}, fmt.Errorf("redisstore: index user: %w", err)
		}
		return struct{}{}, nil
	})
	return err
}

// UnindexUser implements sessions.UserIndex with ZREM.
func (s *Store) UnindexUser(ctx context.Context, user string, keys ...string) error {
	_, err := call(s, ctx, "unindex user", func(ctx context.Context) (struct{}, error) {
		if len(keys) == 0 {
			return struct{}{}, nil
		}
		k := s.userKey(user)
		args := make([]any, 0, 2+len(keys))
		args = append(args, "zrem", k)
		for _, key := range keys {
			args = append(args, key)
		}
		if err := write(s, ctx, k, redis.NewIntCmd(ctx, args...)).Err(); err != nil {
			return struct{}{}, fmt.Errorf("redisstore: unindex user: %w", err)
		}
		return struct{}{}, nil
	})
	return err
}

// UserKeys implements sessions.UserIndex with one script that drops the
// entries past now and returns the others.
func (s *Store) UserKeys(ctx context.Context, user string) ([]string, error) {
	return call(s, ctx, "user keys", func(ctx context.Context) ([]string, error) {
		keys, err := userKeysScript.run(ctx, s.client, s.userKey(user), s.now().UnixMilli()).StringSlice()
		if err != nil {
			return nil, fmt.Errorf("redisstore: user keys: %w", err)
		}
		return keys, nil
	})
}

// batch bounds the keys of one pipeline, so that a user with very many
// sessions does not hold one huge request and reply in memory at once.
const batch = 512

// LoadKeys implements sessions.UserIndex with pipelines of, per key, the
// read Load does (GETRANGE bounded by MaxRecordSize, or GET) and its PTTL,
// so that each Record has its Expiry: one round trip per 512 keys. A
// missing record, and one over MaxRecordSize, is a Record with nil Data.
// On a cluster each pipeline goes to every node that owns some of its
// keys, at once.
func (s *Store) LoadKeys(ctx context.Context, keys []string) ([]sessions.Record, error) {
	return call(s, ctx, "load keys", func(ctx context.Context) ([]sessions.Record, error) {
		if len(keys) == 0 {
			return nil, nil
		}
		recs := make([]sessions.Record, len(keys))
		for start := 0; start < len(keys); start += batch {
			end := min(start+batch, len(keys))
			if err := s.loadBatch(ctx, keys[start:end], recs[start:end]); err != nil {
				return nil, err
			}
		}
		return recs, nil
	})
}

func (s *Store) loadBatch(ctx context.Context, keys []string, recs []sessions.Record) error {
	gets := make([]*redis.StringCmd, len(keys))
	ttls := make([]*redis.DurationCmd, len(keys))
	pipe := s.client.Pipeline()
	for i, key := range keys {
		k := s.prefix + key
		if s.maxSize > 0 {
			gets[i] = redis.NewStringCmd(ctx, "getrange", k, 0, s.lastArg)
			_ = pipe.Process(ctx, gets[i])
		} else {
			gets[i] = pipe.Get(ctx, k)
		}
		ttls[i] = pipe.PTTL(ctx, k)
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	now := s.now()
	for i := range keys {
		data, err := gets[i].Bytes()
		switch {
		case errors.Is(err, redis.Nil), err == nil && len(data) == 0:
			continue // missing
		case err != nil:
			return fmt.Errorf("redisstore: load keys: %w", err)
		case s.maxSize > 0 && len(data) > s.maxSize:
			continue // as good as missing, as for Load
		}
		recs[i].Data = data
		// PTTL: -2 gone since the read, -1 no TTL (not this store's).
		if d, err := ttls[i].Result(); err == nil && d > 0 {
			recs[i].Expiry = now.Add(d).Truncate(time.Millisecond)
		}
	}
	return nil
}

// DeleteKeys implements sessions.UserIndex with pipelines of a DEL per
// key, one round trip per 512 keys (on a cluster, to each node at once).
// With Options.WaitReplicas each pipeline also carries a WAIT, sent to the
// master that took its deletes, so a revocation is not lost in a failover
// any more than a Delete is.
func (s *Store) DeleteKeys(ctx context.Context, keys []string) error {
	_, err := call(s, ctx, "delete keys", func(ctx context.Context) (struct{}, error) {
		for start := 0; start < len(keys); start += batch {
			part := keys[start:min(start+batch, len(keys))]
			if s.wait.replicas > 0 {
				if err := s.deleteKeysWaiting(ctx, part); err != nil {
					return struct{}{}, err
				}
				continue
			}
			pipe := s.client.Pipeline()
			for _, key := range part {
				pipe.Del(ctx, s.prefix+key)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				return struct{}{}, fmt.Errorf("redisstore: delete keys: %w", err)
			}
		}
		return struct{}{}, nil
	})
	return err
}

// deleteKeysWaiting is DeleteKeys with WaitReplicas: WAIT counts the
// replicas that have the writes of its own connection, so the deletes of
// each master go in one pipeline with their WAIT, to that master.
func (s *Store) deleteKeysWaiting(ctx context.Context, keys []string) error {
	if s.wait.cluster == nil {
		return s.delWait(ctx, s.client.Pipeline(), keys)
	}
	byNode := make(map[*redis.Client][]string)
	for _, key := range keys {
		node, err := s.wait.cluster.MasterForKey(ctx, s.prefix+key)
		if err != nil {
			return fmt.Errorf("redisstore: delete keys: %w", err)
		}
		byNode[node] = append(byNode[node], key)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(byNode))
	for node, ks := range byNode {
		wg.Go(func() { errs <- s.delWait(ctx, node.Pipeline(), ks) })
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// delWait deletes keys and waits for the replicas in one pipeline.
func (s *Store) delWait(ctx context.Context, pipe redis.Pipeliner, keys []string) error {
	dels := make([]*redis.IntCmd, len(keys))
	for i, key := range keys {
		dels[i] = pipe.Del(ctx, s.prefix+key)
	}
	ms := s.wait.millis(ctx)
	wait := redis.NewIntCmd(ctx, "wait", s.wait.replicas, ms)
	_ = pipe.Process(ctx, wait)
	_, _ = pipe.Exec(ctx) // each command carries its own error
	deleted := false
	for _, d := range dels {
		if err := d.Err(); err != nil {
			return fmt.Errorf("redisstore: delete keys: %w", err)
		}
		deleted = deleted || d.Val() > 0
	}
	if !deleted {
		return nil
	}
	n, err := wait.Result()
	if err != nil {
		return fmt.Errorf("redisstore: delete keys: %w: WAIT: %w", ErrNotReplicated, err)
	}
	if n < int64(s.wait.replicas) {
		return fmt.Errorf("redisstore: delete keys: %w: %d of %d replicas acknowledged within %dms", ErrNotReplicated, n, s.wait.replicas, ms)
	}
	return nil
}

// Generation implements sessions.GenerationStore with GET; a user never
// revoked has no key, generation 0.
func (s *Store) Generation(ctx context.Context, user string) (uint64, error) {
	return call(s, ctx, "generation", func(ctx context.Context) (uint64, error) {
		v, err := s.client.Get(ctx, s.genKey(user)).Result()
		if errors.Is(err, redis.Nil) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("redisstore: generation: %w", err)
		}
		g, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("redisstore: generation: not a counter: %w", err)
		}
		return g, nil
	})
}

// NextGeneration implements sessions.GenerationStore with INCR, atomic on
// the server, so racing calls each get their own generation. The key has
// no TTL (see above).
func (s *Store) NextGeneration(ctx context.Context, user string) (uint64, error) {
	return call(s, ctx, "next generation", func(ctx context.Context) (uint64, error) {
		k := s.genKey(user)
		n, err := write(s, ctx, k, redis.NewIntCmd(ctx, "incr", k)).Result()
		if err != nil {
			return 0, fmt.Errorf("redisstore: next generation: %w", err)
		}
		return uint64(n), nil
	})
}

// HasUserIndex reports false for a DjangoCache, which has Store's methods
// by embedding: Django writes sessions there without indexing them, so a
// listing or "log out everywhere" from the index would silently miss every
// session Django made. Core then answers with ErrNoUserIndex instead.
// Its Generation methods do work, as for a Store, if an application passes
// it as Config.Users.Generations.
func (c *DjangoCache) HasUserIndex() bool { return false }
