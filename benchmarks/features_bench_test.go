package benchmarks_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// featureStores are the stores BenchmarkFeatures measures.
var featureStores = []string{benchmarks.StoreMemory, benchmarks.StoreRedis, benchmarks.StoreGorm}

// BenchmarkFeatures measures what sessionkit's optional features cost in
// scenarios A, B and C, each beside the plain configuration on the same
// store in the same round (gin). A "user" target's session is tied to a
// user; it reports user-index 1 when the store's per-user index lists
// it, 0 when the store keeps none.
func BenchmarkFeatures(b *testing.B) {
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, store := range featureStores {
				for _, f := range benchmarks.Features() {
					b.Run(store+"/"+f, func(b *testing.B) {
						in := startFeature(b, store, f, redisURL())
						serve(b, in, in.Request(b.Context(), sc.route), nil)
						if f == benchmarks.FeatureUser || f == benchmarks.FeatureAll {
							b.ReportMetric(userIndexed(b, in), "user-index")
						}
					})
				}
			}
			// WAIT needs a replica: plain and wait on that server
			// (SESSIONKIT_BENCH_WAIT_URL, which run.sh starts; unset, skipped).
			for _, f := range []string{benchmarks.FeaturePlain, benchmarks.FeatureWait} {
				b.Run("redis-replicated/"+f, func(b *testing.B) {
					u := requireEnv(b, "SESSIONKIT_BENCH_WAIT_URL")
					in := startFeature(b, benchmarks.StoreRedis, f, u)
					serve(b, in, in.Request(b.Context(), sc.route), nil)
				})
			}
		})
	}
}

// startFeature starts sessionkit with feature on store for tb.
func startFeature(tb testing.TB, store, feature, redis string) *benchmarks.Instance {
	tb.Helper()
	t := benchmarks.FeatureTarget(store, feature)
	if t.Redis {
		requireEnv(tb, "SESSIONKIT_REDIS_URL")
	}
	in, err := benchmarks.Start(tb.Context(), t, benchmarks.Options{RedisURL: redis, Dir: tb.TempDir()})
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

// userIndexed is 1 when the per-user index lists the seeded session, 0
// when the store keeps no index; anything else fails tb.
func userIndexed(tb testing.TB, in *benchmarks.Instance) float64 {
	tb.Helper()
	rec := httptest.NewRecorder()
	in.Handler.ServeHTTP(rec, httptest.NewRequestWithContext(tb.Context(), http.MethodGet, benchmarks.RouteUserSessions, nil))
	switch rec.Code {
	case http.StatusNotImplemented:
		return 0
	case http.StatusOK:
		n, err := strconv.Atoi(strings.TrimSpace(rec.Body.String()))
		if err != nil || n < 1 {
			tb.Fatalf("user sessions: %q, want at least 1", rec.Body.String())
		}
		return 1
	}
	tb.Fatalf("user sessions: status %d", rec.Code)
	return 0
}

// TestFeatureTargets checks that every feature target serves the
// scenarios as the plain one does: B reads the user, C increments, and a
// session tied to a user is listed where the store keeps an index.
func TestFeatureTargets(t *testing.T) {
	for _, store := range featureStores {
		for _, f := range benchmarks.Features() {
			t.Run(store+"/"+f, func(t *testing.T) {
				in := startFeature(t, store, f, redisURL())
				get := func(route, cookie string) *httptest.ResponseRecorder {
					rec := httptest.NewRecorder()
					r := in.Request(t.Context(), route)
					r.Header.Set("Cookie", cookie)
					in.Handler.ServeHTTP(rec, r)
					if rec.Code != http.StatusOK {
						t.Fatalf("%s: status %d: %s", route, rec.Code, rec.Body.String())
					}
					return rec
				}
				if got := get(benchmarks.RouteB, in.Cookie).Body.String(); got != benchmarks.UserValue {
					t.Errorf("B = %q, want %q", got, benchmarks.UserValue)
				}
				get(benchmarks.RouteC, in.Cookie)
				if got := get(benchmarks.RouteVisits, in.Cookie).Body.String(); got != "42" {
					t.Errorf("visits after one C = %s, want 42", got)
				}
				if f == benchmarks.FeatureUser || f == benchmarks.FeatureAll {
					// memstore keeps an index; other stores may or may not.
					if idx := userIndexed(t, in); store == benchmarks.StoreMemory && idx != 1 {
						t.Error("memstore's per-user index does not list the session")
					}
				}
			})
		}
	}
}
