package benchmarks_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/sessionkit/sessionkit/benchmarks"
	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// BenchmarkPaired measures the tight targets side by side: each iteration
// runs a chunk of sessionkit requests, then a chunk of the reference (the
// bare framework, the peer, or the floor), timing each, so both sides see
// the same load on this shared machine. It reports sk-ns/op and ref-ns/op;
// cmd/report takes their ratio (or difference) per round.
func BenchmarkPaired(b *testing.B) {
	fws := []string{benchmarks.FwGin, benchmarks.FwEcho, benchmarks.FwChi, benchmarks.FwNetHTTP}
	for _, fw := range fws {
		b.Run("A-vs-bare/"+fw, func(b *testing.B) {
			sk := requestOp(b, fw+"/sessionkit-cookie", benchmarks.RouteA)
			ref := requestOp(b, fw+"/bare", benchmarks.RouteA)
			pair(b, 64, sk, ref)
		})
	}
	for _, sc := range []string{"B", "C"} {
		// scs is net/http middleware: compare on net/http.
		b.Run(sc+"-memory-vs-scs/"+benchmarks.FwNetHTTP, func(b *testing.B) {
			sk := requestOp(b, "nethttp/sessionkit-memory", routeOf(sc))
			ref := requestOp(b, "nethttp/scs-memory", routeOf(sc))
			pair(b, 8, sk, ref)
		})
	}
	for _, fw := range fws {
		b.Run("B-redis-vs-GET/"+fw, func(b *testing.B) {
			sk := requestOp(b, fw+"/sessionkit-redis", benchmarks.RouteB)
			pair(b, 2, sk, redisFloorOp(b, true, false))
		})
		b.Run("C-redis-vs-GET+SET/"+fw, func(b *testing.B) {
			sk := requestOp(b, fw+"/sessionkit-redis", benchmarks.RouteC)
			pair(b, 2, sk, redisFloorOp(b, true, true))
		})
		b.Run("C-gorm-vs-SELECT+UPDATE/"+fw, func(b *testing.B) {
			in, sk := requestOpInstance(b, fw+"/sessionkit-gorm", benchmarks.RouteC)
			// The floor's statements run on the same database (and WAL) as
			// the target's, on a row of their own.
			pair(b, 2, sk, sqlSameDBOp(b, in))
		})
		b.Run("C-gorm-pg-vs-SELECT+UPDATE/"+fw, func(b *testing.B) { pairedPostgres(b, fw) })
	}
}

func routeOf(sc string) string {
	if sc == "B" {
		return benchmarks.RouteB
	}
	return benchmarks.RouteC
}

// requestOp starts the named target and returns one request to route, on
// the writer and request copy every benchmark uses.
func requestOp(b *testing.B, name, route string) func() {
	_, op := requestOpInstance(b, name, route)
	return op
}

// requestOpInstance is requestOp that also returns the instance.
func requestOpInstance(b *testing.B, name, route string) (*benchmarks.Instance, func()) {
	tg, ok := benchmarks.Lookup(name)
	if !ok {
		b.Fatalf("no target %s", name)
	}
	in := start(b, tg)
	tmpl := in.Request(b.Context(), route)
	w := benchmarks.NewDiscardWriter()
	req := new(http.Request)
	op := func() {
		w.Reset()
		*req = *tmpl
		in.Handler.ServeHTTP(w, req)
		if w.Status != http.StatusOK {
			b.Fatalf("%s %s: status %d", name, route, w.Status)
		}
	}
	op() // warm up: pools, connections, script caches
	return in, op
}

// sqlSameDBOp inserts a session row of its own into the gorm target's
// table and returns the raw SELECT + UPDATE of it.
func sqlSameDBOp(b *testing.B, in *benchmarks.Instance) func() {
	db := in.SQLDB()
	if db == nil {
		b.Fatal("not a SQL target")
	}
	key, err := sessions.NewKey()
	if err != nil {
		b.Fatal(err)
	}
	payload := serverPayload(b)
	exp := time.Now().Add(benchmarks.CookieMaxAge)
	const table = gormstore.DefaultTable
	if _, err := db.ExecContext(b.Context(), `INSERT INTO "`+table+`" (session_key, session_data, expire_date) VALUES (?, ?, ?)`,
		key, string(payload), exp.UTC().Format("2006-01-02 15:04:05.000000")); err != nil {
		b.Fatal(err)
	}
	return sqlStatementsOp(b, db, table, key, payload, exp, false, true)
}

// pair alternates chunk runs of sk and ref per iteration.
func pair(b *testing.B, chunk int, sk, ref func()) {
	var tSK, tRef time.Duration
	for b.Loop() {
		t0 := time.Now()
		for range chunk {
			sk()
		}
		t1 := time.Now()
		for range chunk {
			ref()
		}
		tSK += t1.Sub(t0)
		tRef += time.Since(t1)
	}
	n := float64(b.N * chunk)
	b.ReportMetric(float64(tSK)/n, "sk-ns/op")
	b.ReportMetric(float64(tRef)/n, "ref-ns/op")
}
