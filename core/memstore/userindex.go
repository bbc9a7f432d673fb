package memstore

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

var (
	_ sessions.UserIndex       = (*Store)(nil)
	_ sessions.GenerationStore = (*Store)(nil)
)

// users is the per-user index and the generation counters, sharded by
// user like the records are by key.
type users struct {
	shards [numShards]userShard
}

type userShard struct {
	mu sync.Mutex
	// entries maps a user to its keys and each key's until.
	entries map[string]map[string]time.Time
	gens    map[string]uint64
}

// IndexUser implements sessions.UserIndex.
func (s *Store) IndexUser(ctx context.Context, user, key string, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.lockUser(user)
	defer sh.mu.Unlock()
	keys := sh.entries[user]
	if keys == nil {
		keys = make(map[string]time.Time, 1)
		sh.entries[user] = keys
	}
	keys[key] = until
	return nil
}

// UnindexUser implements sessions.UserIndex.
func (s *Store) UnindexUser(ctx context.Context, user string, keys ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.lockUser(user)
	defer sh.mu.Unlock()
	m := sh.entries[user]
	for _, k := range keys {
		delete(m, k)
	}
	if len(m) == 0 {
		delete(sh.entries, user)
	}
	return nil
}

// UserKeys implements sessions.UserIndex, dropping the user's entries
// whose until has passed.
func (s *Store) UserKeys(ctx context.Context, user string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	sh := s.lockUser(user)
	defer sh.mu.Unlock()
	m := sh.entries[user]
	out := make([]string, 0, len(m))
	for k, until := range m {
		if until.After(now) {
			out = append(out, k)
		} else {
			delete(m, k)
		}
	}
	if len(m) == 0 {
		delete(sh.entries, user)
	}
	return out, nil
}

// LoadKeys implements sessions.UserIndex.
func (s *Store) LoadKeys(ctx context.Context, keys []string) ([]sessions.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]sessions.Record, len(keys))
	for i, k := range keys {
		if r, err := s.Load(ctx, k); err == nil {
			out[i] = r
		}
	}
	return out, nil
}

// DeleteKeys implements sessions.UserIndex.
func (s *Store) DeleteKeys(ctx context.Context, keys []string) error {
	for _, k := range keys {
		if err := s.Delete(ctx, k); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Generation implements sessions.GenerationStore.
func (s *Store) Generation(ctx context.Context, user string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	sh := s.lockUser(user)
	defer sh.mu.Unlock()
	return sh.gens[user], nil
}

// NextGeneration implements sessions.GenerationStore.
func (s *Store) NextGeneration(ctx context.Context, user string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	sh := s.lockUser(user)
	defer sh.mu.Unlock()
	sh.gens[user]++
	return sh.gens[user], nil
}

func (s *Store) lockUser(user string) *userShard {
	sh := &s.users.shards[maphash.String(s.seed, user)&(numShards-1)]
	sh.mu.Lock()
	if sh.entries == nil {
		sh.entries = make(map[string]map[string]time.Time)
		sh.gens = make(map[string]uint64)
	}
	return sh
}

// cleanUsers drops every index entry past its until, one user shard per
// lock hold, so that users who never come back do not keep theirs.
func (s *Store) cleanUsers(ctx context.Context, now time.Time) error {
	for i := range s.users.shards {
		if err := ctx.Err(); err != nil {
			return err
		}
		sh := &s.users.shards[i]
		sh.mu.Lock()
		for user, m := range sh.entries {
			for k, until := range m {
				if !until.After(now) {
					delete(m, k)
				}
			}
			if len(m) == 0 {
				delete(sh.entries, user)
			}
		}
		sh.mu.Unlock()
	}
	return nil
}
