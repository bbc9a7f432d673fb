package memstore

import (
	"context"
	"runtime"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// cleanupBatch is the most records cleanup visits per lock hold: about a
// tenth of a millisecond, so a request waits no longer than that for it.
const cleanupBatch = 1024

// minRebuild is the peak below which a shard's map is kept however much it
// shrank: its memory is not worth a copy.
const minRebuild = 512

// DeleteExpired implements sessions.ExpiredDeleter. It visits each shard in
// batches of at most 1024 records per lock hold, then moves a shard that
// has shrunk to a quarter of its peak into a fresh map, in batches too, so
// the old map's memory can be freed. One cleanup runs at a time; a
// cancelled ctx ends it after the current batch, and the next cleanup
// finishes whatever it left half done.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	select {
	case s.cleaning <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { <-s.cleaning }()
	now := s.now()
	var total int64
	for i := range s.shards {
		n, err := s.clean(ctx, &s.shards[i], now)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, s.cleanUsers(ctx, now)
}

// clean deletes sh's records that expired by now and rebuilds its map when
// it has shrunk. Only the cleaner writes sh.m and sh.old, so it reads them
// without the lock.
func (s *Store) clean(ctx context.Context, sh *shard, now time.Time) (int64, error) {
	var n int64
	if sh.old == nil {
		m := sh.m
		err := s.scan(ctx, sh, m, func(k string, r sessions.Record) {
			if !r.Expiry.After(now) {
				delete(m, k)
				n++
			}
		})
		if err != nil {
			return n, err
		}
		sh.mu.RLock()
		live, peak := len(sh.m), sh.peak
		sh.mu.RUnlock()
		if peak < minRebuild || live*4 > peak {
			return n, nil
		}
		fresh := make(map[string]sessions.Record, live) // outside the lock
		sh.mu.Lock()
		sh.old, sh.m, sh.peak = sh.m, fresh, 0
		sh.mu.Unlock()
	}
	// Move what is left into the fresh map, dropping what expired. A
	// request's put takes its key out of old, so what the scan finds there
	// is the current record.
	old := sh.old
	err := s.scan(ctx, sh, old, func(k string, r sessions.Record) {
		delete(old, k)
		if !r.Expiry.After(now) {
			n++
			return
		}
		sh.m[k] = r
	})
	if err != nil {
		return n, err
	}
	sh.mu.Lock()
	sh.old = nil
	sh.peak = max(sh.peak, len(sh.m))
	sh.mu.Unlock()
	return n, nil
}

// scan calls visit for each record of m, one of sh's maps, holding sh's
// lock for at most s.batch records at a time. The range keeps going
// across the pauses, which the language allows: entries added meanwhile
// may or may not be visited, entries removed are not, and every record is
// read under the lock that guards it, so visit sees its current value.
func (s *Store) scan(ctx context.Context, sh *shard, m map[string]sessions.Record, visit func(string, sessions.Record)) error {
	sh.mu.Lock()
	start := s.holdStart()
	n := 0
	for k, r := range m {
		visit(k, r)
		if n++; n < s.batch {
			continue
		}
		// Pause at the end of the body, so the next record is read
		// after the lock is taken again.
		s.release(sh, n, start)
		runtime.Gosched()
		if err := ctx.Err(); err != nil {
			return err
		}
		sh.mu.Lock()
		start = s.holdStart()
		n = 0
	}
	s.release(sh, n, start)
	return nil
}

// holdStart returns the start of a lock hold, read only when a test
// measures holds.
func (s *Store) holdStart() time.Time {
	if s.onHold == nil {
		return time.Time{}
	}
	return time.Now()
}

// release ends a cleanup lock hold that visited n records.
func (s *Store) release(sh *shard, n int, start time.Time) {
	if s.onHold == nil {
		sh.mu.Unlock()
		return
	}
	held := time.Since(start)
	sh.mu.Unlock()
	s.onHold(n, held)
}
