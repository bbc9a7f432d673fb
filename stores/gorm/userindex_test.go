package gormstore_test

import (
	"context"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// TestUserIndexCleanup: DeleteExpired removes the index entries past
// their until with the expired sessions, and leaves the live ones.
func TestUserIndexCleanup(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.open(t, nil)
			table := freshTable()
			s := newStore(t, db, gormstore.Options{Table: table})
			ctx := t.Context()
			now := time.Now()
			for i, until := range []time.Time{now.Add(-time.Hour), now.Add(-time.Minute), now.Add(time.Hour)} {
				k, _ := sessions.NewKey()
				if err := s.IndexUser(ctx, "cleanup", k, until); err != nil {
					t.Fatalf("IndexUser %d: %v", i, err)
				}
			}
			if _, err := s.DeleteExpired(ctx); err != nil {
				t.Fatalf("DeleteExpired: %v", err)
			}
			var n int64
			if err := db.Table(table + "_user").Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Fatalf("%d index rows after DeleteExpired, want the 1 live one", n)
			}
		})
	}
}

// TestCleanupWithoutIndexTables: a table shared with Django whose
// deployment never ran Migrate has no index tables; its cleanup still
// cleans, and the index reports its missing table as an error.
func TestCleanupWithoutIndexTables(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.open(t, nil)
			table := freshTable()
			s, err := gormstore.New(db, gormstore.Options{Table: table})
			if err != nil {
				t.Fatal(err)
			}
			ddl := s.SchemaSQL()
			for _, q := range ddl[:len(ddl)-len(userTables(b.kind))] {
				mustExec(t, db, q)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				_ = db.WithContext(ctx).Exec("DROP TABLE IF EXISTS " + quoteIdent(db, table)).Error
			})
			if _, err := s.DeleteExpired(t.Context()); err != nil {
				t.Fatalf("DeleteExpired without index tables: %v", err)
			}
			k, _ := sessions.NewKey()
			if err := s.IndexUser(t.Context(), "u", k, time.Now().Add(time.Hour)); err == nil {
				t.Fatal("IndexUser without its table succeeded")
			}
		})
	}
}

// userTables is how many of SchemaSQL's statements are the index's.
func userTables(kind string) []int {
	if kind == "mysql" {
		return make([]int, 2)
	}
	return make([]int, 3)
}
