package gormstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// BenchmarkLoadOversized loads a record far over the size limit, written
// behind the store's back, through core: with the store's check (the
// default) and with core's alone (MaxRecordSize < 0: the plain SELECT, as
// before the store had a limit). MariaDB's default max_allowed_packet
// (16 MiB) caps its record at 12 MiB; the others get 50 MiB.
func BenchmarkLoadOversized(b *testing.B) {
	for _, be := range mainBackends() {
		b.Run(be.name, func(b *testing.B) {
			db := be.open(b, nil)
			table := freshTable()
			bounded := newStore(b, db, gormstore.Options{Table: table})
			size := 50 << 20
			if be.kind == "mysql" {
				size = 12 << 20
			}
			k := newKey(b)
			if err := bounded.Save(b.Context(), k, sessions.Record{Data: []byte("small"), Expiry: time.Now().Add(time.Hour)}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				b.Fatal(err)
			}
			mustExec(b, db, "UPDATE "+quoteIdent(db, table)+" SET session_data = ? WHERE session_key = ?", strings.Repeat("x", size), k)
			if _, err := bounded.Load(b.Context(), k); !errors.Is(err, sessions.ErrRecordTooLarge) {
				b.Fatalf("Load = %v, want ErrRecordTooLarge", err)
			}
			plain, err := gormstore.New(db, gormstore.Options{Table: table, MaxRecordSize: -1})
			if err != nil {
				b.Fatal(err)
			}
			for _, v := range []struct {
				name string
				s    *gormstore.Store
			}{{"core_only", plain}, {"store", bounded}} {
				m, err := sessions.New(sessions.Config{Store: v.s, Secret: "benchmark-secret-benchmark-secret"})
				if err != nil {
					b.Fatal(err)
				}
				b.Run(v.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if m.Open(b.Context(), k).GetString("user") != "" {
							b.Fatal("an oversized record was read")
						}
					}
				})
			}
		})
	}
}

// BenchmarkLoadLimit compares a Load of a typical record with the size
// check (the default) and without it (MaxRecordSize < 0, the plain SELECT).
func BenchmarkLoadLimit(b *testing.B) {
	for _, be := range mainBackends() {
		b.Run(be.name, func(b *testing.B) {
			db := be.open(b, nil)
			table := freshTable()
			bounded := newStore(b, db, gormstore.Options{Table: table})
			plain, err := gormstore.New(db, gormstore.Options{Table: table, MaxRecordSize: -1})
			if err != nil {
				b.Fatal(err)
			}
			k := newKey(b)
			rec := sessions.Record{Data: []byte(strings.Repeat("x", 512)), Expiry: time.Now().Add(time.Hour)}
			if err := bounded.Save(b.Context(), k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				b.Fatal(err)
			}
			for _, v := range []struct {
				name string
				s    *gormstore.Store
			}{{"unbounded", plain}, {"bounded", bounded}} {
				b.Run(v.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := v.s.Load(b.Context(), k); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
