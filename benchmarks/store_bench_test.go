package benchmarks_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessionkit/benchmarks"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
	"gorm.io/gorm"
)

// BenchmarkStore measures sessionkit's stores alone, beside the floors:
// the load of a B and the conditional save of a C.
func BenchmarkStore(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) sessions.Store
	}{
		{"memory", func(b *testing.B) sessions.Store {
			s := memstore.New(memstore.Options{})
			b.Cleanup(func() { s.Close() })
			return s
		}},
		{"redis", func(b *testing.B) sessions.Store {
			o, err := redis.ParseURL(requireEnv(b, "SESSIONKIT_REDIS_URL"))
			if err != nil {
				b.Fatal(err)
			}
			o.ContextTimeoutEnabled = true
			c := redis.NewClient(o)
			prefix := "sessionkit-bench:store:"
			b.Cleanup(func() {
				_ = benchmarks.DeletePrefix(b.Context(), c, prefix)
				c.Close()
			})
			s, err := redisstore.New(c, redisstore.Options{Prefix: prefix})
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"gorm", func(b *testing.B) sessions.Store { return openGormStore(b, &gorm.Config{}) }},
	}
	for _, st := range stores {
		// save is the update-if-unchanged save sessionkit makes; update is
		// the update-only save (Django's: no merge of concurrent writes).
		for _, op := range []string{"load", "save", "update"} {
			b.Run(st.name+"-"+op, func(b *testing.B) {
				s := st.open(b)
				ctx := b.Context()
				key, err := sessions.NewKey()
				if err != nil {
					b.Fatal(err)
				}
				payload := serverPayload(b)
				rec := sessions.Record{Data: payload, Expiry: time.Now().Add(benchmarks.CookieMaxAge)}
				if err := s.Save(ctx, key, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
					b.Fatal(err)
				}
				cond := sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: payload}
				if op == "update" {
					cond = sessions.Condition{Mode: sessions.UpdateOnly}
				}
				b.ReportAllocs()
				defer trackCPU(b)()
				for b.Loop() {
					if op == "load" {
						_, err = s.Load(ctx, key)
					} else {
						err = s.Save(ctx, key, rec, cond)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// openGormStore opens a migrated GORM store on a fresh SQLite database.
func openGormStore(b *testing.B, cfg *gorm.Config) sessions.Store {
	db, err := benchmarks.OpenSQLiteConfig(b.TempDir(), "store", cfg)
	if err != nil {
		b.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sqlDB.Close() })
	s, err := gormstore.New(db, gormstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	return s
}
