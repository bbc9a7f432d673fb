package benchmarks_test

import (
	"errors"
	"os"
	"testing"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// redisURL returns SESSIONKIT_REDIS_URL, or "" when it is unset (tests and
// benchmarks then skip the Redis targets, or fail when CI is set).
func redisURL() string { return os.Getenv("SESSIONKIT_REDIS_URL") }

// requireEnv returns the variable or skips tb, failing instead when the
// CI variable is set.
func requireEnv(tb testing.TB, name string) string {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is not set (required when CI is set)", name)
		}
		tb.Skipf("%s is not set", name)
	}
	return v
}

// start starts t for tb, skipping Redis targets without Redis.
func start(tb testing.TB, t benchmarks.Target) *benchmarks.Instance {
	tb.Helper()
	if t.Redis {
		requireEnv(tb, "SESSIONKIT_REDIS_URL")
	}
	var dsn string
	if t.Postgres {
		dsn = requireEnv(tb, "SESSIONKIT_POSTGRES_DSN")
	}
	in, err := benchmarks.Start(tb.Context(), t, benchmarks.Options{RedisURL: redisURL(), PostgresDSN: dsn, Dir: tb.TempDir()})
	if errors.Is(err, benchmarks.ErrNoRedis) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := in.Close(); err != nil {
			tb.Error(err)
		}
	})
	return in
}
