package cachedstore

import (
	"context"
	"errors"
	"fmt"

	sessions "github.com/sessionkit/sessionkit/core"
)

// errBypassed is what a cache call returns when it was not made because
// the cache is being bypassed.
var errBypassed = errors.New("cachedstore: cache bypassed while it is failing")

// answered reports whether err is an answer from the cache (success or a
// refused condition), after which its state is known.
func answered(err error) bool {
	return err == nil ||
		errors.Is(err, sessions.ErrNotFound) ||
		errors.Is(err, sessions.ErrKeyExists) ||
		errors.Is(err, sessions.ErrConflict)
}

// call makes one cache call f under the breaker and the per-call timeout.
// Any error but an answer leaves the call's effect unknown: it may still
// take effect later. A failure of the cache is reported and opens the
// breaker; one that only echoes the caller's own context is neither.
func (s *Store) call(ctx context.Context, op string, f func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ok, probe := s.brk.allow(s.now)
	if !ok {
		return errBypassed
	}
	cctx, cancel := ctx, context.CancelFunc(nil)
	if s.timeout > 0 {
		cctx, cancel = context.WithTimeout(ctx, s.timeout)
	}
	err := f(cctx)
	if cancel != nil {
		cancel()
	}
	switch {
	case answered(err):
		s.brk.answered(probe)
	case ctx.Err() != nil:
		s.brk.abandoned(probe)
	default:
		if cctx.Err() != nil {
			err = fmt.Errorf("cachedstore: no answer from the cache within %v: %w", s.timeout, err)
		}
		s.brk.failed(s.now(), probe)
		s.onErr(op, err)
	}
	return err
}

func (s *Store) cacheLoad(ctx context.Context, op, key string) (sessions.Record, error) {
	var rec sessions.Record
	err := s.call(ctx, op, func(ctx context.Context) error {
		var err error
		rec, err = s.cache.Load(ctx, key)
		return err
	})
	return rec, err
}

func (s *Store) cacheSave(ctx context.Context, op, key string, rec sessions.Record, cond sessions.Condition) error {
	return s.call(ctx, op, func(ctx context.Context) error { return s.cache.Save(ctx, key, rec, cond) })
}

func (s *Store) cacheDelete(ctx context.Context, op, key string) error {
	return s.call(ctx, op, func(ctx context.Context) error { return s.cache.Delete(ctx, key) })
}
