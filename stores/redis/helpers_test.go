package redisstore_test

import (
	"crypto/rand"
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
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

// standalone returns a client for SESSIONKIT_REDIS_URL, closed when t ends.
func standalone(t testing.TB) *redis.Client {
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

// cluster returns a client for SESSIONKIT_REDIS_CLUSTER, closed when t ends.
func cluster(t testing.TB) *redis.ClusterClient {
	t.Helper()
	addrs := strings.Split(requireEnv(t, "SESSIONKIT_REDIS_CLUSTER"), ",")
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// testPrefix returns a prefix no other test run uses, so tests sharing a
// server never see each other's keys.
func testPrefix() string {
	return "sessionkit-test:" + rand.Text()[:10] + ":"
}

func newStore(t testing.TB, c redis.UniversalClient, prefix string) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(c, redisstore.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
