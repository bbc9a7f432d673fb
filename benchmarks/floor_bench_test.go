package benchmarks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessionkit/benchmarks"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/signing"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// sessionValues is the session of the C scenario after one increment.
func sessionValues() map[string]any {
	return map[string]any{benchmarks.UserKey: benchmarks.UserValue, benchmarks.VisitsKey: benchmarks.VisitsStart + 1}
}

// serverPayload is the session_data a server-side store holds for
// sessionValues: Django-signed JSON.
func serverPayload(tb testing.TB) []byte {
	tb.Helper()
	ms := memstore.New(memstore.Options{})
	defer ms.Close()
	m, err := sessions.New(sessions.Config{Store: ms, Secret: benchmarks.Secret})
	if err != nil {
		tb.Fatal(err)
	}
	data, err := m.Encode(sessionValues())
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// BenchmarkFloor measures what a session library cannot avoid: the store
// round trips and the cryptography and encoding of the same session.
func BenchmarkFloor(b *testing.B) {
	b.Run("redis-GET", func(b *testing.B) { redisFloor(b, true, false) })
	b.Run("redis-SET", func(b *testing.B) { redisFloor(b, false, true) })
	b.Run("redis-GET+SET", func(b *testing.B) { redisFloor(b, true, true) })
	b.Run("hmac-sha256", func(b *testing.B) {
		cs, err := cookiestore.New(cookiestore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		sg, err := signing.New(signing.Options{Secret: benchmarks.Secret, Salt: signing.CookieSalt})
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := json.Marshal(sessionValues())
		v, err := cs.Encode(sg, raw, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		msg := []byte(v[:strings.LastIndexByte(v, ':')])
		mac := hmac.New(sha256.New, []byte(benchmarks.Secret[:32]))
		var sum [sha256.Size]byte
		b.ReportAllocs()
		defer trackCPU(b)()
		for b.Loop() {
			mac.Reset()
			mac.Write(msg)
			mac.Sum(sum[:0])
		}
	})
	b.Run("json-encode+decode", func(b *testing.B) {
		vals := sessionValues()
		b.ReportAllocs()
		defer trackCPU(b)()
		for b.Loop() {
			raw, err := json.Marshal(vals)
			if err != nil {
				b.Fatal(err)
			}
			var out map[string]any
			if err := json.Unmarshal(raw, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sqlite-SELECT", func(b *testing.B) { sqlFloor(b, false, false) })
	b.Run("sqlite-SELECT+UPDATE", func(b *testing.B) { sqlFloor(b, true, false) })
	// The same statements prepared once (*sql.Stmt), as a store could.
	b.Run("sqlite-SELECT+UPDATE-prepared", func(b *testing.B) { sqlFloor(b, true, true) })
}

func redisFloor(b *testing.B, get, set bool) {
	op := redisFloorOp(b, get, set)
	b.ReportAllocs()
	defer trackCPU(b)()
	for b.Loop() {
		op()
	}
}

// redisFloorOp returns one bare go-redis GET and/or SET of the session
// payload.
func redisFloorOp(b *testing.B, get, set bool) func() {
	o, err := redis.ParseURL(requireEnv(b, "SESSIONKIT_REDIS_URL"))
	if err != nil {
		b.Fatal(err)
	}
	o.ContextTimeoutEnabled = true
	c := redis.NewClient(o)
	key := "sessionkit-bench:floor:" + b.Name()
	b.Cleanup(func() {
		c.Del(context.Background(), key)
		c.Close()
	})
	ctx := b.Context()
	payload := serverPayload(b)
	if err := c.Set(ctx, key, payload, benchmarks.CookieMaxAge).Err(); err != nil {
		b.Fatal(err)
	}
	return func() {
		if get {
			if _, err := c.Get(ctx, key).Bytes(); err != nil {
				b.Fatal(err)
			}
		}
		if set {
			if err := c.Set(ctx, key, payload, benchmarks.CookieMaxAge).Err(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func sqlFloor(b *testing.B, update, prepared bool) {
	op := sqlFloorOp(b, update, prepared)
	b.ReportAllocs()
	defer trackCPU(b)()
	for b.Loop() {
		op()
	}
}

// sqlFloorOp returns the statements a SQLite session load (and save)
// cannot do without, through database/sql on a database set up as the gorm
// targets'.
func sqlFloorOp(b *testing.B, update, prepared bool) func() {
	db, err := benchmarks.OpenSQLite(b.TempDir(), "floor")
	if err != nil {
		b.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sqlDB.Close() })
	gs, err := gormstore.New(db, gormstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	if err := gs.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	key, err := sessions.NewKey()
	if err != nil {
		b.Fatal(err)
	}
	payload := serverPayload(b)
	exp := time.Now().Add(benchmarks.CookieMaxAge)
	if err := gs.Save(ctx, key, sessions.Record{Data: payload, Expiry: exp}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		b.Fatal(err)
	}
	return sqlStatementsOp(b, sqlDB, gs.Table(), key, payload, exp, prepared, update)
}

// sqlStatementsOp returns a raw SELECT (and UPDATE) by key of the row key
// of table through sqlDB. Like a real save, every UPDATE writes new data
// (two payloads in turn) and a new expiry (now + the session age, to the
// microsecond, as the store writes it), so the expire_date index changes
// too.
func sqlStatementsOp(b *testing.B, sqlDB *sql.DB, table, key string, payload []byte, exp time.Time, prepared, update bool) func() {
	ctx := b.Context()
	sel := `SELECT session_data, expire_date FROM "` + table + `" WHERE session_key = ?`
	upd := `UPDATE "` + table + `" SET session_data = ?, expire_date = ? WHERE session_key = ?`
	age := time.Until(exp)
	payloads := [2]string{string(payload), strings.Replace(string(payload), "a", "b", 1)}
	turn := 0
	query := func(ctx context.Context, args ...any) *sql.Row { return sqlDB.QueryRowContext(ctx, sel, args...) }
	exec := func(ctx context.Context, args ...any) (sql.Result, error) {
		return sqlDB.ExecContext(ctx, upd, args...)
	}
	if prepared {
		qs, err := sqlDB.PrepareContext(ctx, sel)
		if err != nil {
			b.Fatal(err)
		}
		us, err := sqlDB.PrepareContext(ctx, upd)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			qs.Close()
			us.Close()
		})
		query, exec = qs.QueryRowContext, us.ExecContext
	}
	return func() {
		var data []byte
		var e any
		if err := query(ctx, key).Scan(&data, &e); err != nil {
			b.Fatal(err)
		}
		if update {
			turn ^= 1
			expText := time.Now().Add(age).UTC().Format("2006-01-02 15:04:05.000000")
			if _, err := exec(ctx, payloads[turn], expText, key); err != nil {
				b.Fatal(err)
			}
		}
	}
}
