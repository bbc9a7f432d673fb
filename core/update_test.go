package sessions_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Update is re-applied to the value a concurrent request stored; a plain
// Set after it, or by the other request, stays last-writer-wins.
func TestUpdateMergesOnConflict(t *testing.T) {
	for _, tt := range []struct {
		name  string
		mine  func(s *sessions.Session)
		other func(s *sessions.Session)
		want  int
	}{
		{"both increment", func(s *sessions.Session) { s.Incr("n", 1) }, func(s *sessions.Session) { s.Incr("n", 10) }, 11},
		{"increment twice", func(s *sessions.Session) { s.Incr("n", 1); s.Incr("n", 2) }, func(s *sessions.Session) { s.Incr("n", 10) }, 13},
		{"set after update wins", func(s *sessions.Session) { s.Incr("n", 1); s.Set("n", 5) }, func(s *sessions.Session) { s.Incr("n", 10) }, 5},
		{"update over a concurrent set", func(s *sessions.Session) { s.Incr("n", 1) }, func(s *sessions.Session) { s.Set("n", 100) }, 101},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			key := f.seed(t, map[string]any{"n": 0})
			mine := f.m.Open(t.Context(), key)
			mine.Len() // loaded before the other request saves
			other := f.m.Open(t.Context(), key)
			tt.other(other)
			if err := other.Save(); err != nil {
				t.Fatal(err)
			}
			tt.mine(mine)
			if err := mine.Save(); err != nil {
				t.Fatal(err)
			}
			got, err := sessions.Get[int](f.m.Open(t.Context(), key), "n")
			if err != nil || got != tt.want {
				t.Errorf("n = %d (%v), want %d", got, err, tt.want)
			}
		})
	}
}

// Saves of one session in one process take turns; one that cannot get
// its turn within the request's deadline gives up with the context's
// error instead of hanging.
func TestSaveWaitsWithinDeadline(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"n": 0})
	holding, hold := make(chan struct{}), make(chan struct{})
	var once sync.Once
	gate := func() { once.Do(func() { close(holding); <-hold }) }
	f.store.gate.Store(&gate)

	first := f.m.Open(t.Context(), key)
	first.Incr("n", 1)
	done := make(chan error)
	go func() { done <- first.Save() }()
	<-holding // the first save holds the session's turn, inside the store

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	second := f.m.Open(ctx, key)
	second.Incr("n", 1)
	if err := second.Save(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Save = %v, want the deadline", err)
	}
	close(hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
