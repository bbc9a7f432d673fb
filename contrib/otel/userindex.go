package otelsessions

import (
	"context"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// The per-user index (sessions.UserIndex), traced like the other store
// calls. Every wrapper has these methods; HasUserIndex tells core whether
// the wrapped store has them too. User ids stay out of spans, as keys do.

var _ sessions.UserIndex = (*tracedStore)(nil)

// HasUserIndex reports whether the wrapped store keeps a per-user index.
func (s *tracedStore) HasUserIndex() bool {
	if _, ok := s.next.(sessions.UserIndex); !ok {
		return false
	}
	if h, wraps := s.next.(interface{ HasUserIndex() bool }); wraps {
		return h.HasUserIndex()
	}
	return true
}

func (s *tracedStore) index() (sessions.UserIndex, error) {
	if ix, ok := s.next.(sessions.UserIndex); ok {
		return ix, nil
	}
	return nil, sessions.ErrNoUserIndex
}

func (s *tracedStore) IndexUser(ctx context.Context, user, key string, until time.Time) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	ctx, c := s.t.start(ctx, opIndexUser)
	err = ix.IndexUser(ctx, user, key, until)
	c.end(ctx, err)
	return err
}

func (s *tracedStore) UnindexUser(ctx context.Context, user string, keys ...string) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	ctx, c := s.t.start(ctx, opUnindexUser)
	err = ix.UnindexUser(ctx, user, keys...)
	c.end(ctx, err)
	return err
}

func (s *tracedStore) UserKeys(ctx context.Context, user string) ([]string, error) {
	ix, err := s.index()
	if err != nil {
		return nil, err
	}
	ctx, c := s.t.start(ctx, opUserKeys)
	keys, err := ix.UserKeys(ctx, user)
	c.end(ctx, err)
	return keys, err
}

func (s *tracedStore) LoadKeys(ctx context.Context, keys []string) ([]sessions.Record, error) {
	ix, err := s.index()
	if err != nil {
		return nil, err
	}
	ctx, c := s.t.start(ctx, opLoadKeys)
	recs, err := ix.LoadKeys(ctx, keys)
	c.end(ctx, err)
	return recs, err
}

func (s *tracedStore) DeleteKeys(ctx context.Context, keys []string) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	ctx, c := s.t.start(ctx, opDeleteKeys)
	err = ix.DeleteKeys(ctx, keys)
	c.end(ctx, err)
	return err
}
