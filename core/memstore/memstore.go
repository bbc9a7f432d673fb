package memstore

import (
	"bytes"
	"context"
	"hash/maphash"
	"sync"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Options configures a Store. The zero value is usable.
type Options struct {
	// CleanupInterval runs a janitor that deletes expired records at this
	// interval. Default: 0, no janitor (expired records are still never
	// returned, and DeleteExpired frees them on demand).
	CleanupInterval time.Duration
	// Clock returns the current time. Default: time.Now.
	Clock func() time.Time
}

// Store keeps records in sharded maps, each guarded by its own RWMutex.
type Store struct {
	shards [numShards]shard
	users  users // the per-user index and generations (userindex.go)
	seed   maphash.Seed
	now    func() time.Time

	// cleaning admits one cleanup at a time: a sweep keeps iterating a
	// shard's map between lock holds, and only the cleaner swaps maps.
	cleaning chan struct{}
	batch    int // records per cleanup lock hold: cleanupBatch, less in tests
	// onHold, set only by tests, is told after each cleanup lock hold how
	// many records it visited and how long it held the lock.
	onHold func(records int, held time.Duration)

	stop    context.CancelFunc // nil without a janitor
	stopped chan struct{}
	once    sync.Once
}

var (
	_ sessions.Store          = (*Store)(nil)
	_ sessions.InProcess      = (*Store)(nil)
	_ sessions.ExpiredDeleter = (*Store)(nil)
	_ sessions.Toucher        = (*Store)(nil)
)

// New returns an empty Store. Call Close to stop its janitor, if any.
func New(o Options) *Store {
	s := &Store{seed: maphash.MakeSeed(), now: o.Clock, cleaning: make(chan struct{}, 1), batch: cleanupBatch}
	if s.now == nil {
		s.now = time.Now
	}
	for i := range s.shards {
		s.shards[i].m = make(map[string]sessions.Record)
	}
	if o.CleanupInterval > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		s.stop = cancel
		s.stopped = make(chan struct{})
		go s.janitor(ctx, o.CleanupInterval)
	}
	return s
}

// shard returns the shard that holds key.
func (s *Store) shard(key string) *shard {
	return &s.shards[maphash.String(s.seed, key)&(numShards-1)]
}

func (s *Store) live(r sessions.Record, ok bool) bool {
	return ok && r.Expiry.After(s.now())
}

// Load implements sessions.Store.
func (s *Store) Load(ctx context.Context, key string) (sessions.Record, error) {
	if err := ctx.Err(); err != nil {
		return sessions.Record{}, err
	}
	sh := s.shard(key)
	sh.mu.RLock()
	r, ok := sh.get(key)
	sh.mu.RUnlock()
	if !s.live(r, ok) {
		return sessions.Record{}, sessions.ErrNotFound
	}
	// No copy: by the Store contract neither side mutates the bytes.
	return r, nil
}

// Save implements sessions.Store.
func (s *Store) Save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cur, ok := sh.get(key)
	exists := s.live(cur, ok)
	switch cond.Mode {
	case sessions.CreateOnly:
		if exists {
			return sessions.ErrKeyExists
		}
	case sessions.UpdateOnly:
		if !exists {
			return sessions.ErrNotFound
		}
	case sessions.UpdateIfUnchanged:
		if !exists {
			return sessions.ErrNotFound
		}
		if !bytes.Equal(cur.Data, cond.Loaded) {
			return sessions.ErrConflict
		}
	default:
		return errInvalidMode(cond.Mode)
	}
	sh.put(key, rec)
	return nil
}

// Delete implements sessions.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.shard(key)
	sh.mu.Lock()
	sh.del(key)
	sh.mu.Unlock()
	return nil
}

// InProcess implements sessions.InProcess: records never leave the process,
// so core keeps them unsigned.
func (s *Store) InProcess() bool { return true }

// Exists implements sessions.Store.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	sh := s.shard(key)
	sh.mu.RLock()
	r, ok := sh.get(key)
	sh.mu.RUnlock()
	return s.live(r, ok), nil
}

// Touch implements sessions.Toucher.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	r, ok := sh.get(key)
	if !s.live(r, ok) {
		return sessions.ErrNotFound
	}
	r.Expiry = expiry
	sh.put(key, r)
	return nil
}

// Len returns how many records are held, expired ones included.
func (s *Store) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += sh.len()
		sh.mu.RUnlock()
	}
	return n
}

func (s *Store) janitor(ctx context.Context, every time.Duration) {
	defer close(s.stopped)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_, _ = s.DeleteExpired(ctx)
		case <-ctx.Done():
			return
		}
	}
}

// Close stops the janitor, ending a cleanup in progress after its current
// batch, and waits for it. It is safe to call more than once and on a
// Store without a janitor.
func (s *Store) Close() error {
	s.once.Do(func() {
		if s.stop != nil {
			s.stop()
			<-s.stopped
		}
	})
	return nil
}
