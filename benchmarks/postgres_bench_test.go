package benchmarks_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessionkit/benchmarks"
	sessions "github.com/sessionkit/sessionkit/core"
)

// pairedPostgres is BenchmarkPaired's GORM pairing on PostgreSQL
// (SESSIONKIT_POSTGRES_DSN; skipped without it): a request of scenario C
// on fw against the floor, a raw SELECT + UPDATE through database/sql on
// the same pool and table, alternating chunks as pair does.
func pairedPostgres(b *testing.B, fw string) {
	dsn := requireEnv(b, "SESSIONKIT_POSTGRES_DSN")
	in, err := benchmarks.StartPostgres(b.Context(), fw, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := in.Close(); err != nil {
			b.Error(err)
		}
	})
	sk := instanceOp(b, in.Instance, benchmarks.RouteC)
	pair(b, 2, sk, postgresFloorOp(b, in))
}

// instanceOp is requestOpInstance for an instance started by hand.
func instanceOp(b *testing.B, in *benchmarks.Instance, route string) func() {
	tmpl := in.Request(b.Context(), route)
	w := benchmarks.NewDiscardWriter()
	req := new(http.Request)
	op := func() {
		w.Reset()
		*req = *tmpl
		in.Handler.ServeHTTP(w, req)
		if w.Status != http.StatusOK {
			b.Fatalf("%s: status %d", route, w.Status)
		}
	}
	op() // warm up: pools, connections, statement caches
	return op
}

// postgresFloorOp returns the floor's SELECT + UPDATE on a row of its own,
// writing the session payload and a variant of it in turn with a new
// expiry each time, as a save does.
func postgresFloorOp(b *testing.B, in *benchmarks.PostgresInstance) func() {
	key, err := sessions.NewKey()
	if err != nil {
		b.Fatal(err)
	}
	payload := serverPayload(b)
	payloads := [2][]byte{payload, []byte(strings.Replace(string(payload), "a", "b", 1))}
	age := func() any { return time.Now().Add(benchmarks.CookieMaxAge) }
	op, err := in.PostgresFloor(b.Context(), key, payloads, age)
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	op2 := func() {
		if err := op(ctx); err != nil {
			b.Fatal(err)
		}
	}
	op2() // warm up
	return op2
}
