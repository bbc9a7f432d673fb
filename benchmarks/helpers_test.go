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

// envOptions are the servers the environment names, in a fresh Dir; when
// missing names one a target needs, requireEnv skips tb (or fails it
// under CI).
func envOptions(tb testing.TB, missing func(benchmarks.Options) string) benchmarks.Options {
	tb.Helper()
	opts := benchmarks.Options{RedisURL: redisURL(), PostgresDSN: os.Getenv("SESSIONKIT_POSTGRES_DSN"), Dir: tb.TempDir()}
	if env := missing(opts); env != "" {
		requireEnv(tb, env)
	}
	return opts
}

// start starts t for tb, skipping Redis targets without Redis.
func start(tb testing.TB, t benchmarks.Target) *benchmarks.Instance {
	tb.Helper()
	opts := envOptions(tb, t.MissingEnv)
	in, err := benchmarks.Start(tb.Context(), t, opts)
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
