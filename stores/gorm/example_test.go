package gormstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// Example keeps sessions in an SQLite file, in a table Django could share,
// and reads one back through a second request's cookie value.
func Example() {
	dir, err := os.MkdirTemp("", "gormstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := gorm.Open(sqlite.Open(filepath.Join(dir, "app.db")), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		log.Fatal(err)
	}
	store, err := gormstore.New(db, gormstore.Options{
		Table:           "django_session", // Django's table name, to share it
		CleanupInterval: time.Hour,        // purge expired rows in the background
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	ctx := context.Background()
	if err := store.Migrate(ctx); err != nil { // CREATE TABLE IF NOT EXISTS, Django's DDL
		log.Fatal(err)
	}

	m, err := sessions.New(sessions.Config{Store: store, Secret: "django-insecure-example-secret-key"})
	if err != nil {
		log.Fatal(err)
	}

	// First request: no cookie yet.
	s := m.Open(ctx, "")
	s.Set("user_id", 42)
	if err := s.Save(); err != nil {
		log.Fatal(err)
	}

	// Next request carries the key in its cookie.
	again := m.Open(ctx, s.Key())
	fmt.Println("user_id:", again.GetInt("user_id"))

	n, err := store.DeleteExpired(ctx)
	fmt.Println("expired rows deleted:", n, err)
	// Output:
	// user_id: 42
	// expired rows deleted: 0 <nil>
}
