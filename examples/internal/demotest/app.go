package demotest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionkit/sessionkit/examples/internal/demo"
)

// testSecret signs the test sessions; tests need no random secret warning.
const testSecret = "demotest-secret-not-for-production"

// OpenApp opens the demo app on store and closes it when the test ends.
// SQLite lives in t.TempDir; the servers of the postgres, redis and cached
// stores come from SESSIONKIT_POSTGRES_DSN and SESSIONKIT_REDIS_URL (see
// RequireEnv; the cached store runs on SQLite unless the DSN is set).
func OpenApp(t testing.TB, framework, store string) *demo.App {
	t.Helper()
	cfg := demo.Config{
		Framework: framework,
		Addr:      "127.0.0.1:0",
		Store:     store,
		DBPath:    filepath.Join(t.TempDir(), "sessionkit.db"),
		// Apps of other frameworks may test against the same database at
		// the same time.
		Table:  "examples_" + strings.ToLower(framework) + "_sessions",
		Secret: testSecret,
	}
	switch store {
	case demo.StorePostgres:
		cfg.DSN = RequireEnv(t, "SESSIONKIT_POSTGRES_DSN")
	case demo.StoreRedis:
		cfg.RedisURL = RequireEnv(t, "SESSIONKIT_REDIS_URL")
	case demo.StoreCached:
		cfg.RedisURL = RequireEnv(t, "SESSIONKIT_REDIS_URL")
		cfg.DSN = os.Getenv("SESSIONKIT_POSTGRES_DSN")
	}
	app, err := demo.Open(t.Context(), cfg, t.Output())
	if err != nil {
		t.Fatalf("opening the %s app on %s: %v", framework, store, err)
	}
	t.Cleanup(func() {
		if err := app.Close(); err != nil {
			t.Errorf("closing the app: %v", err)
		}
	})
	return app
}

// LocalStores are the stores that need no server.
func LocalStores() []string { return []string{demo.StoreMemory, demo.StoreSQLite, demo.StoreCookie} }
