//go:build linux

package faults_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// How long a fault lasts: several times opTimeout, so that many requests
// meet it.
const (
	freezeFor = 1500 * time.Millisecond
	downFor   = time.Second
)

// TestProcessRedis freezes and kills a private redis-server running with
// appendonly yes and appendfsync always, so that a write it acknowledged
// survives kill -9.
func TestProcessRedis(t *testing.T) {
	requireEnv(t, "SESSIONKIT_REDIS_URL")
	srv := redisServer(t, t.TempDir(), "--appendonly", "yes", "--appendfsync", "always")
	processFaults(t, srv, func(t *testing.T) (sessions.Store, func()) {
		c := redis.NewClient(&redis.Options{Addr: srv.redisAddr(), ContextTimeoutEnabled: true})
		s, err := redisstore.New(c, redisstore.Options{Prefix: "sessionkit-faults:" + randHex() + ":", OpTimeout: opTimeout})
		if err != nil {
			t.Fatal(err)
		}
		return s, func() { _ = c.Close() }
	})
}

// TestProcessPostgres freezes a private PostgreSQL (postmaster and every
// backend) and kills it, backends included, as a crash would.
func TestProcessPostgres(t *testing.T) {
	requireEnv(t, "SESSIONKIT_POSTGRES_DSN")
	srv, dsn := postgresServer(t)
	processFaults(t, srv, func(t *testing.T) (sessions.Store, func()) {
		return openGorm(t, postgres.Open(dsn))
	})
}

// TestProcessMariaDB freezes and kills a private mariadbd.
func TestProcessMariaDB(t *testing.T) {
	requireEnv(t, "SESSIONKIT_MYSQL_DSN")
	srv, dsn := mariadbServer(t)
	db, err := gorm.Open(mysql.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Exec("CREATE DATABASE IF NOT EXISTS faults CHARACTER SET utf8mb4").Error
	if sqlDB, _ := db.DB(); sqlDB != nil {
		_ = sqlDB.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	processFaults(t, srv, func(t *testing.T) (sessions.Store, func()) {
		return openGorm(t, mysql.Open(dsn+"faults?parseTime=true"))
	})
}

// processFaults runs an HTTP load over the store that open returns while
// the server is frozen, then while it is killed and restarted, and checks
// each time that the failures are 500s within the bound, that the first
// success comes soon after the server is back, and that nothing
// acknowledged is lost; then that no goroutine is left behind.
func processFaults(t *testing.T, srv *server, open func(t *testing.T) (sessions.Store, func())) {
	// Warm up: process-wide goroutines a client or the HTTP stack starts
	// once are not leaks of this test.
	{
		s, closeStore := open(t)
		site := newSite(t, s)
		site.do("POST", "/write?k=warm", "")
		site.close()
		closeStore()
	}
	before := settledGoroutines(0)

	s, closeStore := open(t)
	site := newSite(t, s)
	closed := false
	closeAll := func() {
		if !closed {
			closed = true
			site.close()
			closeStore()
		}
	}
	defer closeAll()

	t.Run("freeze", func(t *testing.T) {
		defer srv.thaw() // also when the round fails midway
		faultRound(t, site, srv.name, func() (time.Time, time.Time, time.Time) {
			srv.freeze(t)
			frozen := time.Now()
			time.Sleep(freezeFor)
			thawed := time.Now()
			srv.thaw()
			return frozen, thawed, thawed
		})
	})
	t.Run("kill-restart", func(t *testing.T) {
		faultRound(t, site, srv.name, func() (time.Time, time.Time, time.Time) {
			srv.kill(t)
			killed := time.Now()
			time.Sleep(downFor)
			restart := time.Now()
			srv.start(t)
			ready := time.Now()
			t.Logf("%s restarted in %v (until its own readiness probe answered)", srv.name, ready.Sub(restart))
			return killed, restart, ready
		})
	})

	closeAll()
	after := settledGoroutines(before)
	stacks := make([]byte, 1<<20)
	stacks = stacks[:runtime.Stack(stacks, true)]
	t.Run("goroutines", func(t *testing.T) {
		t.Logf("goroutines: %d before, %d after closing the store, the client and the HTTP server", before, after)
		if after > before {
			t.Errorf("%d goroutines left behind:\n%s", after-before, stacks)
		}
	})
}

// faultRound runs a fresh load, lets fault make the server unavailable
// from the first time it returns until the second, and checks the
// outcome. The third time is when the server is known to be back (a
// restarted one may answer a moment before its probe notices).
func faultRound(t *testing.T, site *site, name string, fault func() (from, to, back time.Time)) {
	l := startLoad(site, 4, 4)
	stopped := false
	defer func() {
		if !stopped {
			l.stop()
		}
	}()
	if !l.waitFor(10*time.Second, func(rs []result) bool { return summarise(rs, time.Time{}, time.Time{}).ok >= 32 }) {
		t.Fatalf("%s: fewer than 32 requests succeeded in 10s before the fault", name)
	}
	from, to, back := fault()
	recovered := l.waitFor(recoveryLimit+bound, func(rs []result) bool { _, ok := firstOK(rs, to, nil); return ok })
	time.Sleep(300 * time.Millisecond) // some load after recovery
	rs := l.stop()
	stopped = true

	w := summarise(rs, from, to)
	t.Logf("%s: %d requests, statuses %v, slowest %v; %d ran entirely during the fault (%v), %d of them 2xx",
		name, w.total, w.statuses, w.slowest, w.during, to.Sub(from).Round(time.Millisecond), w.duringOK)
	checkBounded(t, rs, 500)
	if w.during == 0 {
		t.Errorf("no request ran entirely during the fault: it proved nothing")
	}
	if w.duringOK > 0 {
		t.Errorf("%d requests succeeded while the server was unavailable", w.duringOK)
	}
	if first, ok := firstOK(rs, to, nil); !recovered || !ok {
		t.Errorf("no success within %v of the server coming back", recoveryLimit+bound)
	} else {
		// Negative: a success came before the probe saw the server back.
		gap := first.end.Sub(back)
		t.Logf("%s: first success %v after the server was back", name, gap)
		if gap > recoveryLimit {
			t.Errorf("first success %v after the server was back, want within %v", gap, recoveryLimit)
		}
	}
	missing, acked := l.lost(t)
	t.Logf("%s: %d writes acknowledged, %d lost", name, acked, len(missing))
	if len(missing) > 0 {
		t.Errorf("%d acknowledged writes lost: %s", len(missing), describeLost(missing, from))
	}
}
