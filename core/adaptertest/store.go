package adaptertest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// ErrDown is what a Store returns while it is switched off.
var ErrDown = errors.New("adaptertest: store is down")

// Calls counts a Store's calls by method.
type Calls struct {
	Load, Save, Delete, Exists int64
}

// Total returns the number of calls of every kind.
func (c Calls) Total() int64 { return c.Load + c.Save + c.Delete + c.Exists }

// Store wraps a sessions.Store: it counts calls, so tests can prove a
// request did not touch the store, and fails every call with ErrDown while
// it is down, to simulate an outage.
type Store struct {
	sessions.Store
	load, save, del, exists atomic.Int64
	down                    atomic.Bool
}

// NewStore returns a Store over a fresh memstore, closed when t ends.
func NewStore(t testing.TB) *Store {
	t.Helper()
	ms := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = ms.Close() })
	return &Store{Store: ms}
}

// SetDown switches the outage on or off.
func (s *Store) SetDown(down bool) { s.down.Store(down) }

// Calls returns the calls counted since the last ResetCalls.
func (s *Store) Calls() Calls {
	return Calls{Load: s.load.Load(), Save: s.save.Load(), Delete: s.del.Load(), Exists: s.exists.Load()}
}

// ResetCalls sets every count back to zero.
func (s *Store) ResetCalls() {
	s.load.Store(0)
	s.save.Store(0)
	s.del.Store(0)
	s.exists.Store(0)
}

// Load implements sessions.Store.
func (s *Store) Load(ctx context.Context, key string) (sessions.Record, error) {
	s.load.Add(1)
	if s.down.Load() {
		return sessions.Record{}, ErrDown
	}
	return s.Store.Load(ctx, key)
}

// Save implements sessions.Store.
func (s *Store) Save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	s.save.Add(1)
	if s.down.Load() {
		return ErrDown
	}
	return s.Store.Save(ctx, key, rec, cond)
}

// Delete implements sessions.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	s.del.Add(1)
	if s.down.Load() {
		return ErrDown
	}
	return s.Store.Delete(ctx, key)
}

// Exists implements sessions.Store.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	s.exists.Add(1)
	if s.down.Load() {
		return false, ErrDown
	}
	return s.Store.Exists(ctx, key)
}
