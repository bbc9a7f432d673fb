package demo

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/glebarez/sqlite"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// sqliteParams make SQLite wait for a lock instead of failing at once, and
// let readers run beside the writer (WAL).
const sqliteParams = "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"

// openSQL opens the GORM store: PostgreSQL when the store is postgres (or
// cached with a DSN), else the SQLite file, created with its table on first
// start.
func (o *openedStore) openSQL(ctx context.Context, cfg Config, log *slog.Logger) (*gormstore.Store, error) {
	var dialector gorm.Dialector
	if cfg.Store == StorePostgres || (cfg.Store == StoreCached && cfg.DSN != "") {
		dialector = postgres.Open(cfg.DSN)
	} else {
		dialector = sqlite.Open(cfg.DBPath + sqliteParams)
	}
	db, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	o.closers = append(o.closers, sqlDB.Close)
	if err := sqlDB.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	store, err := gormstore.New(db, gormstore.Options{
		Table:           cfg.Table,
		CleanupInterval: cleanupInterval,
		OnCleanup: func(n int64, err error) {
			if err != nil {
				log.Error("deleting expired sessions", "err", err)
			} else if n > 0 {
				log.Info("deleted expired sessions", "count", n)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	// Closed before the database, as closers run last-opened first.
	o.closers = append(o.closers, store.Close)
	// Migrate is opt-in: CREATE TABLE IF NOT EXISTS, never an ALTER.
	if err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	return store, nil
}
