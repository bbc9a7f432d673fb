package gormstore_test

import (
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// BenchmarkStore measures Load and an update-only Save beside the same
// statements run by hand on the *sql.DB under GORM: the store's overhead
// is the difference (the target is under 1.2x).
func BenchmarkStore(b *testing.B) {
	for _, be := range mainBackends() {
		b.Run(be.name, func(b *testing.B) {
			db := be.open(b, nil)
			s := newStore(b, db, gormstore.Options{})
			sqlDB, err := db.DB()
			if err != nil {
				b.Fatal(err)
			}
			ctx, k := b.Context(), newKey(b)
			rec := sessions.Record{Data: []byte(strings.Repeat("x", 512)), Expiry: time.Now().Add(time.Hour)}
			if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				b.Fatal(err)
			}
			table := quoteIdent(db, s.Table())
			load := "SELECT session_data, expire_date FROM " + table + " WHERE session_key = ? AND expire_date > ?"
			update := "UPDATE " + table + " SET session_data = ?, expire_date = ? WHERE session_key = ? AND expire_date > ?"
			timeArg := func(t time.Time) any { return t.UTC().Format("2006-01-02 15:04:05.000000") }
			if be.kind == "postgres" {
				load = "SELECT session_data, expire_date FROM " + table + " WHERE session_key = $1 AND expire_date > $2"
				update = "UPDATE " + table + " SET session_data = $1, expire_date = $2 WHERE session_key = $3 AND expire_date > $4"
				timeArg = func(t time.Time) any { return t }
			}
			b.Run("Load", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.Load(ctx, k); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Load/raw", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var data []byte
					var exp any
					if err := sqlDB.QueryRowContext(ctx, load, k, timeArg(time.Now())).Scan(&data, &exp); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Save", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rec.Expiry = time.Now().Add(time.Hour)
					if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.UpdateOnly}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Save/raw", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					now := time.Now()
					if _, err := sqlDB.ExecContext(ctx, update, string(rec.Data), timeArg(now.Add(time.Hour)), k, timeArg(now)); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
