package gormstore_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	"gorm.io/gorm"
)

// deadlinePool records, for each statement, how long its context had
// left (or -1 without a deadline).
type deadlinePool struct {
	gorm.ConnPool
	mu   sync.Mutex
	left []time.Duration
}

func (p *deadlinePool) note(ctx context.Context) {
	left := time.Duration(-1)
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d)
	}
	p.mu.Lock()
	p.left = append(p.left, left)
	p.mu.Unlock()
}

func (p *deadlinePool) take() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.left
	p.left = nil
	return l
}

func (p *deadlinePool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	p.note(ctx)
	return p.ConnPool.ExecContext(ctx, q, args...)
}

func (p *deadlinePool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	p.note(ctx)
	return p.ConnPool.QueryContext(ctx, q, args...)
}

func (p *deadlinePool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	p.note(ctx)
	return p.ConnPool.QueryRowContext(ctx, q, args...)
}

func (p *deadlinePool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	p.note(ctx)
	return p.ConnPool.(*sql.DB).BeginTx(ctx, opts)
}

func TestOpTimeoutDefaults(t *testing.T) {
	db := openSQLiteMemory(t, nil)
	for _, tc := range []struct{ in, want time.Duration }{
		{0, gormstore.DefaultOpTimeout},
		{-1, 0},
		{300 * time.Millisecond, 300 * time.Millisecond},
	} {
		s, err := gormstore.New(db, gormstore.Options{OpTimeout: tc.in})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.OpTimeout(); got != tc.want {
			t.Errorf("OpTimeout(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestOpTimeoutEveryStatement checks that every statement the store runs
// gets a deadline of at most OpTimeout when the caller's context has none,
// and keeps the caller's earlier deadline.
func TestOpTimeoutEveryStatement(t *testing.T) {
	var pool *deadlinePool
	db := openSQLiteMemory(t, func(p gorm.ConnPool) gorm.ConnPool {
		pool = &deadlinePool{ConnPool: p}
		return pool
	})
	const op = 3 * time.Second
	s := newStore(t, db, gormstore.Options{OpTimeout: op, BatchSize: 1})
	check := func(what string, max time.Duration) {
		t.Helper()
		left := pool.take()
		if len(left) == 0 {
			t.Fatalf("%s: no statement seen", what)
		}
		for i, l := range left {
			if l < 0 || l > max {
				t.Errorf("%s: statement %d had %v left, want a deadline within %v", what, i, l, max)
			}
		}
	}
	ctx := context.Background()
	k, _ := sessions.NewKey()
	rec := sessions.Record{Data: []byte("v"), Expiry: time.Now().Add(time.Hour)}
	pool.take()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	check("Migrate", op)
	if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatal(err)
	}
	check("Save create", op)
	if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("other")}); err == nil {
		t.Fatal("stale conditional save succeeded")
	}
	check("Save update-if-unchanged", op)
	if _, err := s.Load(ctx, k); err != nil {
		t.Fatal(err)
	}
	check("Load", op)
	if _, err := s.Exists(ctx, k); err != nil {
		t.Fatal(err)
	}
	check("Exists", op)
	if err := s.Touch(ctx, k, time.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("Touch", op)
	for range 3 {
		k, _ := sessions.NewKey()
		dead := sessions.Record{Data: []byte("v"), Expiry: time.Now().Add(-time.Hour)}
		if err := s.Save(ctx, k, dead, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
			t.Fatal(err)
		}
	}
	pool.take()
	if n, err := s.DeleteExpired(ctx); err != nil || n != 3 {
		t.Fatalf("DeleteExpired = %d, %v", n, err)
	}
	check("DeleteExpired batches", op)
	if err := s.Delete(ctx, k); err != nil {
		t.Fatal(err)
	}
	check("Delete", op)

	// An earlier deadline of the caller's is kept.
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := s.Load(short, k); err == nil {
		t.Fatal("Load of a deleted key succeeded")
	}
	check("Load with an earlier deadline", 500*time.Millisecond)

	// Negative: no bound of the store's own.
	none, err := gormstore.New(db, gormstore.Options{Table: s.Table(), OpTimeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = none.Exists(ctx, k)
	for _, l := range pool.take() {
		if l >= 0 {
			t.Errorf("OpTimeout -1: statement had a deadline (%v left)", l)
		}
	}
}
