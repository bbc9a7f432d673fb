package cached_test

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/redis/go-redis/v9"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/cachedstore"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// requireEnv returns the variable's value. When it is unset the test is
// skipped, except under CI, where a missing server is a failure.
func requireEnv(t testing.TB, name string) string {
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

// database is one durable backend the composition is tested over.
type database struct {
	name string
	open func(t *testing.T) *gorm.DB
}

func databases() []database {
	return []database{
		{"postgres", func(t *testing.T) *gorm.DB {
			return openGorm(t, postgres.Open(requireEnv(t, "SESSIONKIT_POSTGRES_DSN")))
		}},
		{"sqlite", func(t *testing.T) *gorm.DB {
			// WAL and a busy timeout let concurrent writers wait for each
			// other instead of failing with SQLITE_BUSY.
			path := filepath.Join(t.TempDir(), "sessions.db")
			return openGorm(t, sqlite.Open(path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"))
		}},
	}
}

func openGorm(t *testing.T, d gorm.Dialector) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sqlDB.Close() })
	return db
}

// durableStore returns a gorm store on a fresh, migrated table, dropped
// when t ends.
func durableStore(t *testing.T, db *gorm.DB) *gormstore.Store {
	t.Helper()
	table := "sk_cached_" + strings.ToLower(rand.Text()[:10])
	s, err := gormstore.New(db, gormstore.Options{Table: table})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		_ = db.Exec("DROP TABLE " + table).Error
	})
	return s
}

// redisClient returns a client for SESSIONKIT_REDIS_URL, closed when t
// ends.
func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(requireEnv(t, "SESSIONKIT_REDIS_URL"))
	if err != nil {
		t.Fatalf("SESSIONKIT_REDIS_URL: %v", err)
	}
	opt.ContextTimeoutEnabled = true
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// deadRedis returns a client pointed at a port where nothing listens: a
// Redis that cannot be reached.
func deadRedis(t *testing.T) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:               "127.0.0.1:1",
		MaxRetries:         -1,
		DialerRetries:      1,
		DialerRetryTimeout: time.Millisecond,
		DialTimeout:        time.Second,

		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func cacheStore(t *testing.T, c redis.UniversalClient) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(c, redisstore.Options{Prefix: "sessionkit-cached-test:" + rand.Text()[:10] + ":"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reports records what OnCacheError was told.
type reports struct {
	mu   sync.Mutex
	ops  []string
	errs []error
}

func (r *reports) add(op string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op)
	r.errs = append(r.errs, err)
}

func (r *reports) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ops)
}

func (r *reports) take() ([]string, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops, errs := r.ops, r.errs
	r.ops, r.errs = nil, nil
	return ops, errs
}

func compose(t *testing.T, cache, durable sessions.Store, rep *reports) *cachedstore.Store {
	t.Helper()
	var opts cachedstore.Options
	if rep != nil {
		opts.OnCacheError = rep.add
	} else {
		opts.OnCacheError = func(op string, err error) { t.Errorf("cache error during %s: %v", op, err) }
	}
	s, err := cachedstore.New(cache, durable, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
