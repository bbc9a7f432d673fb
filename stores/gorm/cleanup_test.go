package gormstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"gorm.io/gorm"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// fillExpired inserts n expired rows with one statement per dialect, far
// faster than n Saves.
func fillExpired(t *testing.T, db *gorm.DB, kind, table string, n int) {
	t.Helper()
	q := quoteIdent(db, table)
	switch kind {
	case "sqlite":
		mustExec(t, db, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
			INSERT INTO `+q+` (session_key, session_data, expire_date)
			SELECT 'expired' || x, 'data', '2000-01-01 00:00:00.' || substr('00000' || (x % 1000000), -6) FROM c`, n)
	case "postgres":
		mustExec(t, db, `INSERT INTO `+q+` (session_key, session_data, expire_date)
			SELECT 'expired' || g, 'data', TIMESTAMPTZ '2000-01-01 00:00:00+00' + g * INTERVAL '1 microsecond' FROM generate_series(1, ?) g`, n)
	case "mysql":
		// Digits cross-joined: MySQL caps recursive CTEs at 1000 levels.
		d := "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"
		mustExec(t, db, `INSERT INTO `+q+` (session_key, session_data, expire_date)
			SELECT CONCAT('expired', x.n), 'data', TIMESTAMP '2000-01-01 00:00:00' + INTERVAL x.n MICROSECOND FROM (
				SELECT a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d + 100000*g.d AS n
				FROM `+d+` a, `+d+` b, `+d+` c, `+d+` e, `+d+` f, `+d+` g) x
			WHERE x.n < ?`, n)
	default:
		t.Fatalf("unknown kind %q", kind)
	}
}

// TestDeleteExpiredBatches clears 20,000 expired rows in batches of 1,000,
// each its own DELETE statement, and leaves live rows alone. A table of a
// million rows goes the same way, a thousand statements later (see
// TestDeleteExpiredMillion).
func TestDeleteExpiredBatches(t *testing.T) {
	const expired, batch, live = 20000, 1000, 5
	for _, b := range mainBackends() {
		if b.name == "sqlite-memory" {
			continue // the same engine as sqlite-file, and slow under -race
		}
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			var pool *countingPool
			db := b.open(t, func(p gorm.ConnPool) gorm.ConnPool { pool = newCountingPool(p); return pool })
			s := newStore(t, db, gormstore.Options{BatchSize: batch})
			fillExpired(t, db, b.kind, s.Table(), expired)
			var keys []string
			for range live {
				k := newKey(t)
				keys = append(keys, k)
				if err := s.Save(t.Context(), k, sessions.Record{Data: []byte("live"), Expiry: time.Now().Add(time.Hour)}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
					t.Fatal(err)
				}
			}
			if n := countRows(t, db, s.Table()); n != expired+live {
				t.Fatalf("%d rows before, want %d", n, expired+live)
			}
			pool.reset()
			start := time.Now()
			n, err := s.DeleteExpired(t.Context())
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			deletes := pool.count("DELETE")
			t.Logf("%s: deleted %d rows in %d DELETE statements of at most %d rows, %v", b.name, n, deletes, batch, elapsed)
			if n != expired {
				t.Errorf("deleted %d rows, want %d", n, expired)
			}
			// Twenty full batches and the short one that ends the loop.
			// The sessions' batches, then one for the (empty) index.
			if want := expired/batch + 1 + 1; deletes != want {
				t.Errorf("%d DELETE statements, want %d", deletes, want)
			}
			if got := countRows(t, db, s.Table()); got != live {
				t.Errorf("%d rows left, want the %d live ones", got, live)
			}
			for _, k := range keys {
				if _, err := s.Load(t.Context(), k); err != nil {
					t.Errorf("live row %s: %v", k, err)
				}
			}
		})
	}
}

// TestDeleteExpiredHonoursContext cancels between batches: the run stops
// after the batch in flight and reports what it deleted.
func TestDeleteExpiredHonoursContext(t *testing.T) {
	var pool *countingPool
	db := openSQLite(t, sqliteFileDSN(t), func(p gorm.ConnPool) gorm.ConnPool { pool = newCountingPool(p); return pool }, quiet())
	s := newStore(t, db, gormstore.Options{BatchSize: 100})
	fillExpired(t, db, "sqlite", s.Table(), 1000)

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if n, err := s.DeleteExpired(cancelled); n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("DeleteExpired(cancelled) = %d, %v", n, err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pool.reset()
	pool.afterExec = func(verb string) {
		if verb == "DELETE" && pool.count("DELETE") == 3 {
			cancel()
		}
	}
	n, err := s.DeleteExpired(ctx)
	pool.afterExec = nil
	if !errors.Is(err, context.Canceled) || n != 300 {
		t.Fatalf("DeleteExpired cancelled after 3 batches = %d, %v; want 300, context.Canceled", n, err)
	}
	if n, err := s.DeleteExpired(t.Context()); n != 700 || err != nil {
		t.Fatalf("the rest: %d, %v; want 700", n, err)
	}
}

// TestDeleteExpiredMillion is the full-size case, on SQLite: a million
// expired rows, a thousand DELETE statements. Set SESSIONKIT_LONG=1.
func TestDeleteExpiredMillion(t *testing.T) {
	if os.Getenv("SESSIONKIT_LONG") == "" {
		t.Skip("SESSIONKIT_LONG is not set: skipping the million-row run")
	}
	const rows = 1_000_000
	var pool *countingPool
	db := openSQLite(t, sqliteFileDSN(t), func(p gorm.ConnPool) gorm.ConnPool { pool = newCountingPool(p); return pool }, quiet())
	s := newStore(t, db, gormstore.Options{})
	fillExpired(t, db, "sqlite", s.Table(), rows)
	pool.reset()
	start := time.Now()
	n, err := s.DeleteExpired(t.Context())
	if err != nil || n != rows {
		t.Fatalf("DeleteExpired = %d, %v", n, err)
	}
	t.Logf("deleted %d rows in %d DELETE statements, %v", n, pool.count("DELETE"), time.Since(start))
	if got := pool.count("DELETE"); got != rows/gormstore.DefaultBatchSize+1 {
		t.Fatalf("%d DELETE statements", got)
	}
}

// TestCleanerStopsOnClose runs the background cleaner on a fake clock: it
// deletes what expired at each tick, reports it, and Close stops it. The
// bubble would fail the test if any goroutine were left behind.
func TestCleanerStopsOnClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openSQLiteMemory(t, nil)
		type run struct {
			n   int64
			err error
		}
		runs := make(chan run, 10)
		s, err := gormstore.New(db, gormstore.Options{
			Table:           "sessions",
			CleanupInterval: time.Minute,
			OnCleanup:       func(n int64, err error) { runs <- run{n, err} },
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background() // t.Context() belongs outside the bubble's cleanups
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for i, ttl := range []time.Duration{30 * time.Second, 90 * time.Second, time.Hour} {
			rec := sessions.Record{Data: fmt.Appendf(nil, "%d", i), Expiry: time.Now().Add(ttl)}
			if err := s.Save(ctx, newKey(t), rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				t.Fatal(err)
			}
		}
		for i, want := range []int64{1, 1, 0} {
			time.Sleep(time.Minute)
			synctest.Wait()
			select {
			case r := <-runs:
				if r.n != want || r.err != nil {
					t.Fatalf("run %d = %d, %v; want %d", i+1, r.n, r.err, want)
				}
			default:
				t.Fatalf("no cleanup after %d minutes", i+1)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil { // idempotent
			t.Fatal(err)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if len(runs) != 0 {
			t.Fatalf("%d cleanups after Close", len(runs))
		}
		sqlDB, err := db.DB()
		if err != nil {
			t.Fatal(err)
		}
		sqlDB.Close() // database/sql's own goroutine must end inside the bubble too
	})
}
