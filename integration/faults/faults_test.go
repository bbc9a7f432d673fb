package faults_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/integration/faultproxy"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// The bounds asserted are generous so that a loaded machine (the race
// detector, two cores) does not make them flaky; the times measured are
// logged.
const (
	opTimeout   = 300 * time.Millisecond
	reqDeadline = 200 * time.Millisecond
	// slack is added to every expected bound.
	slack = 2800 * time.Millisecond
)

func requireEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set (required when CI is set)", name)
		}
		t.Skipf("%s is not set; skipping the test that needs this server", name)
	}
	return v
}

// backend opens a store over the server at addr (the proxy's) and
// returns it with a function that closes everything it opened.
type backend struct {
	name   string
	target string // host:port of the real server
	open   func(t *testing.T, addr string) (sessions.Store, func())
}

func redisBackend(t *testing.T) backend {
	opt, err := redis.ParseURL(requireEnv(t, "SESSIONKIT_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	return backend{name: "redis", target: opt.Addr, open: func(t *testing.T, addr string) (sessions.Store, func()) {
		o := *opt
		o.Addr = addr
		o.ContextTimeoutEnabled = true
		c := redis.NewClient(&o)
		// ReturnOnCancel: c/cancel expects the return at the
		// cancellation, before OpTimeout.
		s, err := redisstore.New(c, redisstore.Options{Prefix: "sessionkit-faults:" + randHex() + ":", OpTimeout: opTimeout, ReturnOnCancel: true})
		if err != nil {
			t.Fatal(err)
		}
		return s, func() { _ = c.Close() }
	}}
}

var pgPort = regexp.MustCompile(`\bport=(\d+)`)

func postgresBackend(t *testing.T) backend {
	dsn := requireEnv(t, "SESSIONKIT_POSTGRES_DSN")
	m := pgPort.FindStringSubmatch(dsn)
	if m == nil {
		t.Fatalf("SESSIONKIT_POSTGRES_DSN %q has no port=", dsn)
	}
	host := "127.0.0.1"
	if h := regexp.MustCompile(`\bhost=(\S+)`).FindStringSubmatch(dsn); h != nil {
		host = h[1]
	}
	return backend{name: "postgres", target: net.JoinHostPort(host, m[1]), open: func(t *testing.T, addr string) (sessions.Store, func()) {
		h, p, _ := net.SplitHostPort(addr)
		d := regexp.MustCompile(`\bhost=\S+`).ReplaceAllString(dsn, "host="+h)
		d = pgPort.ReplaceAllString(d, "port="+p)
		return openGorm(t, postgres.Open(d))
	}}
}

var myAddr = regexp.MustCompile(`tcp\(([^)]+)\)`)

func mysqlBackend(t *testing.T) backend {
	dsn := requireEnv(t, "SESSIONKIT_MYSQL_DSN")
	m := myAddr.FindStringSubmatch(dsn)
	if m == nil {
		t.Fatalf("SESSIONKIT_MYSQL_DSN %q has no tcp(host:port)", dsn)
	}
	return backend{name: "mariadb", target: m[1], open: func(t *testing.T, addr string) (sessions.Store, func()) {
		return openGorm(t, mysql.Open(myAddr.ReplaceAllString(dsn, "tcp("+addr+")")))
	}}
}

// openGorm opens a gormstore on a fresh table, migrated through the
// proxy; the returned function drops the table and closes the pool.
func openGorm(t *testing.T, d gorm.Dialector) (sessions.Store, func()) {
	t.Helper()
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	table := "sk_faults_" + randHex()
	s, err := gormstore.New(db, gormstore.Options{Table: table, OpTimeout: opTimeout})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = db.WithContext(ctx).Exec("DROP TABLE IF EXISTS " + table).Error
		_ = s.Close()
		_ = sqlDB.Close()
	}
}

func randHex() string {
	k, _ := sessions.NewKey()
	return strings.ToLower(k[:10])
}

func TestRedis(t *testing.T)    { runFaults(t, redisBackend(t)) }
func TestPostgres(t *testing.T) { runFaults(t, postgresBackend(t)) }
func TestMariaDB(t *testing.T)  { runFaults(t, mysqlBackend(t)) }

func live(data string) sessions.Record {
	return sessions.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour)}
}

// timed runs f and returns how long it took.
func timed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

func runFaults(t *testing.T, b backend) {
	// Warm up: process-wide goroutines a client starts once (drivers,
	// timers) are not leaks of this test.
	{
		p := faultproxy.New(t, b.target)
		s, closeAll := b.open(t, p.Addr())
		_, _ = s.Exists(t.Context(), "warm-up")
		closeAll()
		p.Close()
	}
	before := settledGoroutines(0)

	p, err := faultproxy.Start(b.target)
	if err != nil {
		t.Fatal(err)
	}
	s, closeAll := b.open(t, p.Addr())
	closed := false
	defer func() {
		if !closed {
			closeAll()
			p.Close()
		}
	}()
	bg := context.Background()

	// (g) records acknowledged before the faults.
	saved := map[string]string{}
	for i := range 5 {
		k, _ := sessions.NewKey()
		v := fmt.Sprintf("before-fault-%d", i)
		if err := s.Save(bg, k, live(v), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
			t.Fatal(err)
		}
		saved[k] = v
	}
	var someKey string
	for k := range saved {
		someKey = k
		break
	}

	p.Blackhole()
	t.Run("a/deadline", func(t *testing.T) {
		for name, call := range map[string]func(context.Context) error{
			"Load": func(ctx context.Context) error { _, err := s.Load(ctx, someKey); return err },
			"Save": func(ctx context.Context) error {
				k, _ := sessions.NewKey()
				return s.Save(ctx, k, live("during"), sessions.Condition{Mode: sessions.CreateOnly})
			},
		} {
			ctx, cancel := context.WithTimeout(bg, reqDeadline)
			var err error
			took := timed(func() { err = call(ctx) })
			cancel()
			t.Logf("%s %s with a %v deadline, black-holed: %v: %v", b.name, name, reqDeadline, took, err)
			if err == nil {
				t.Errorf("%s succeeded through a black hole", name)
			}
			if took > reqDeadline+slack {
				t.Errorf("%s took %v, want about %v", name, took, reqDeadline)
			}
		}
	})
	t.Run("b/optimeout", func(t *testing.T) {
		var err error
		took := timed(func() { _, err = s.Load(bg, someKey) })
		t.Logf("%s Load without a deadline, black-holed: %v: %v", b.name, took, err)
		if err == nil {
			t.Error("Load succeeded through a black hole")
		}
		if took > opTimeout+slack {
			t.Errorf("Load took %v, want about OpTimeout %v", took, opTimeout)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Logf("(the error does not match context.DeadlineExceeded)")
		}
	})
	t.Run("c/cancel", func(t *testing.T) {
		// A long OpTimeout would not matter: cancel before it.
		ctx, cancel := context.WithCancel(bg)
		stop := time.AfterFunc(100*time.Millisecond, cancel)
		defer stop.Stop()
		var err error
		took := timed(func() { _, err = s.Exists(ctx, someKey) })
		t.Logf("%s Exists cancelled after 100ms, black-holed: %v: %v", b.name, took, err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Exists = %v, want context.Canceled", err)
		}
		if took > 100*time.Millisecond+slack {
			t.Errorf("Exists took %v after a cancel at 100ms", took)
		}
	})

	p.Pass()
	t.Run("d/recovers", func(t *testing.T) { recovers(t, b.name, s, someKey, saved[someKey]) })

	p.Reset()
	t.Run("e/reset", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(bg, 2*time.Second)
		defer cancel()
		var err error
		took := timed(func() { _, err = s.Load(ctx, someKey) })
		t.Logf("%s Load, connections reset: %v: %v", b.name, took, err)
		if err == nil {
			t.Error("Load succeeded while every connection is reset")
		}
		if took > 2*time.Second+slack {
			t.Errorf("Load took %v", took)
		}
	})
	p.Pass()
	t.Run("e/recovers", func(t *testing.T) { recovers(t, b.name, s, someKey, saved[someKey]) })

	t.Run("g/nothing-lost", func(t *testing.T) {
		for k, v := range saved {
			r, err := s.Load(bg, k)
			if err != nil || string(r.Data) != v {
				t.Errorf("record saved before the faults: Load = %q, %v; want %q", r.Data, err, v)
			}
		}
	})

	closeAll()
	p.Close()
	closed = true
	// Counted here, not in the subtest, whose own goroutine would count.
	after := settledGoroutines(before)
	stacks := make([]byte, 1<<20)
	stacks = stacks[:runtime.Stack(stacks, true)]
	t.Run("f/goroutines", func(t *testing.T) {
		t.Logf("goroutines: %d before, %d after closing store, client and proxy", before, after)
		if after > before {
			t.Errorf("%d goroutines left behind:\n%s", after-before, stacks)
		}
	})
}

// recovers retries a Load of k until it returns v, with short sleeps, and
// fails if that takes much longer than a second.
func recovers(t *testing.T, name string, s sessions.Store, k, v string) {
	start := time.Now()
	var (
		err   error
		tries int
	)
	for time.Since(start) < 1*time.Second+slack {
		tries++
		var r sessions.Record
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		r, err = s.Load(ctx, k)
		cancel()
		if err == nil && string(r.Data) == v {
			t.Logf("%s back after %v (%d tries)", name, time.Since(start), tries)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s not back after %v (%d tries): %v", name, time.Since(start), tries, err)
}

// settledGoroutines waits up to 3s for the goroutine count to fall to n
// (or, with n 0, to stop changing) and returns it.
func settledGoroutines(n int) int {
	last := runtime.NumGoroutine()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		got := runtime.NumGoroutine()
		if (n > 0 && got <= n) || (n == 0 && got == last) {
			return got
		}
		last = got
	}
	return last
}

// TestMiddlewareBlackholedRedis drives a request through the core
// middleware over a black-holed Redis: it answers 500 within the bound,
// with and without a request deadline.
func TestMiddlewareBlackholedRedis(t *testing.T) {
	b := redisBackend(t)
	p := faultproxy.New(t, b.target)
	s, closeAll := b.open(t, p.Addr())
	defer closeAll()
	m, err := sessions.New(sessions.Config{
		Store: s, Secret: "faults-test-secret",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	app := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ss := sessions.FromContext(r.Context())
		ss.Set("visits", ss.GetInt("visits")+1)
		_, _ = io.WriteString(w, "ok")
	}))
	serve := func(ctx context.Context, cookie string) (*httptest.ResponseRecorder, time.Duration) {
		req := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		return rec, timed(func() { app.ServeHTTP(rec, req) })
	}
	rec, _ := serve(context.Background(), "")
	if rec.Code != http.StatusOK {
		t.Fatalf("healthy request: %d", rec.Code)
	}
	cookie := strings.SplitN(rec.Header().Get("Set-Cookie"), ";", 2)[0]

	p.Blackhole()
	for _, tc := range []struct {
		name   string
		cookie string
		limit  time.Duration
	}{
		{"new session, no deadline", "", opTimeout},
		{"existing session, no deadline", cookie, opTimeout},
		{"existing session, 200ms deadline", cookie, reqDeadline},
	} {
		ctx, cancel := context.Background(), func() {}
		if tc.limit == reqDeadline {
			ctx, cancel = context.WithTimeout(ctx, reqDeadline)
		}
		rec, took := serve(ctx, tc.cookie)
		cancel()
		t.Logf("%s, black-holed Redis: %d after %v", tc.name, rec.Code, took)
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("%s: status %d, want 500", tc.name, rec.Code)
		}
		if took > tc.limit*3+slack {
			t.Errorf("%s: took %v", tc.name, took)
		}
	}
	p.Pass()
}
