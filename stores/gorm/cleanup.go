package gormstore

import (
	"context"
	"fmt"
	"time"
)

// DeleteExpired implements sessions.ExpiredDeleter. It deletes rows whose
// expire_date is before now (Django's clear_expired: strictly before) in
// batches of Options.BatchSize, each its own short autocommitted
// statement, so a table of a million expired rows is cleared without one
// long transaction or table lock. It stops when a batch comes back short,
// or when ctx is done (checked between batches), and returns how many rows
// it deleted, also on error. Options.OpTimeout bounds each batch, not the
// whole run.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	// One cutoff for the whole run: rows expiring meanwhile wait for the
	// next run instead of stretching this one.
	now := s.tc.value(s.now())
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("gormstore: delete expired: %w", err)
		}
		bctx, cancel := s.bound(ctx) // each batch, not the run
		n, err := s.exec(bctx, s.q.deleteExpired, now)
		cancel()
		total += n
		if err != nil {
			return total, fmt.Errorf("gormstore: delete expired: %w", err)
		}
		if n < int64(s.batch) {
			if err := s.deleteExpiredEntries(ctx, now); err != nil && !missingTable(err) {
				return total, fmt.Errorf("gormstore: delete expired index entries: %w", err)
			}
			return total, nil
		}
	}
}

// cleaner runs DeleteExpired every interval until ctx is cancelled by
// Close, which also interrupts a run in progress.
func (s *Store) cleaner(ctx context.Context, every time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			n, err := s.DeleteExpired(ctx)
			if ctx.Err() != nil {
				return // closed mid-run: not worth reporting
			}
			if s.onCleanup != nil {
				s.onCleanup(n, err)
			}
		}
	}
}
