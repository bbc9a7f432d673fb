package memstore

import (
	"bytes"
	"context"
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

// Store keeps records in a map guarded by a RWMutex.
type Store struct {
	mu      sync.RWMutex
	records map[string]sessions.Record
	now     func() time.Time

	stop    chan struct{}
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
	s := &Store{records: make(map[string]sessions.Record), now: o.Clock}
	if s.now == nil {
		s.now = time.Now
	}
	if o.CleanupInterval > 0 {
		s.stop = make(chan struct{})
		s.stopped = make(chan struct{})
		go s.janitor(o.CleanupInterval)
	}
	return s
}

func (s *Store) live(r sessions.Record, ok bool) bool {
	return ok && r.Expiry.After(s.now())
}

// Load implements sessions.Store.
func (s *Store) Load(ctx context.Context, key string) (sessions.Record, error) {
	if err := ctx.Err(); err != nil {
		return sessions.Record{}, err
	}
	s.mu.RLock()
	r, ok := s.records[key]
	s.mu.RUnlock()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.records[key]
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
	s.records[key] = rec
	return nil
}

// Delete implements sessions.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.records, key)
	s.mu.Unlock()
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
	s.mu.RLock()
	r, ok := s.records[key]
	s.mu.RUnlock()
	return s.live(r, ok), nil
}

// Touch implements sessions.Toucher.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[key]
	if !s.live(r, ok) {
		return sessions.ErrNotFound
	}
	r.Expiry = expiry
	s.records[key] = r
	return nil
}

// DeleteExpired implements sessions.ExpiredDeleter.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for k, r := range s.records {
		if !r.Expiry.After(now) {
			delete(s.records, k)
			n++
		}
	}
	return n, nil
}

// Len returns how many records are held, expired ones included.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.records)
}

func (s *Store) janitor(every time.Duration) {
	defer close(s.stopped)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_, _ = s.DeleteExpired(context.Background())
		case <-s.stop:
			return
		}
	}
}

// Close stops the janitor and waits for it. It is safe to call more than
// once and on a Store without a janitor.
func (s *Store) Close() error {
	s.once.Do(func() {
		if s.stop != nil {
			close(s.stop)
			<-s.stopped
		}
	})
	return nil
}
