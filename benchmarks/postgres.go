package benchmarks

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// PostgresInstance is sessionkit on a framework with its GORM store on
// PostgreSQL, in a table of its own that Close drops, seeded as every
// target is. It is not one of Targets: it needs a server, which
// SESSIONKIT_POSTGRES_DSN names.
type PostgresInstance struct {
	*Instance
	// Table is the session table, unquoted.
	Table string
}

// StorePostgres names the GORM store on PostgreSQL in target names.
const StorePostgres = "postgres"

// PostgresTarget is sessionkit on framework fw over a gormstore on the
// PostgreSQL database Options.PostgresDSN names (see postgresStore).
func PostgresTarget(fw string) Target {
	return Target{Framework: fw, Library: LibSessionkit, Store: StorePostgres, Postgres: true,
		build: func(ctx context.Context, in *Instance) (http.Handler, error) {
			m, err := in.sessionkitManager(ctx, StorePostgres)
			if err != nil {
				return nil, err
			}
			return sessionkitHandler(fw, m), nil
		}}
}

// postgresStore opens a gormstore on the PostgreSQL database
// Options.PostgresDSN names (a pgx DSN or URL), through
// gorm.io/driver/postgres (pgx's database/sql driver underneath), in a
// table of its own that Close drops.
func (in *Instance) postgresStore(ctx context.Context) (*gormstore.Store, error) {
	if in.opts.PostgresDSN == "" {
		return nil, errors.New("benchmarks: no PostgreSQL DSN")
	}
	db, err := gorm.Open(postgres.Open(in.opts.PostgresDSN), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// Table names are lower case letters, digits and underscores, so they
	// need no quoting.
	table := "sk_bench_" + strings.ToLower(rand.Text()[:10])
	in.table, in.sqlDB = table, sqlDB
	in.onClose(sqlDB.Close)
	in.onClose(func() error { return dropTables(sqlDB, table) })
	gs, err := gormstore.New(db, gormstore.Options{Table: table})
	if err != nil {
		return nil, err
	}
	in.onClose(gs.Close)
	if err := gs.Migrate(ctx); err != nil {
		return nil, err
	}
	return gs, nil
}

// StartPostgres starts PostgresTarget(fw) on the database at dsn.
func StartPostgres(ctx context.Context, fw, dsn string) (*PostgresInstance, error) {
	in, err := Start(ctx, PostgresTarget(fw), Options{PostgresDSN: dsn})
	if err != nil {
		return nil, err
	}
	return &PostgresInstance{Instance: in, Table: in.table}, nil
}

// dropTables drops the session table and whatever else Migrate created
// beside it under names that start with it (the per-user index tables).
func dropTables(db *sql.DB, table string) error {
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND starts_with(tablename, $1)", table)
	if err != nil {
		return fmt.Errorf("benchmarks: postgres: list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("benchmarks: postgres: list tables: %w", err)
		}
		names = append(names, n)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("benchmarks: postgres: list tables: %w", err)
	}
	var errs []error
	for _, n := range names {
		// Names come from pg_tables and start with our own
		// lower-case table name; quote them anyway.
		if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS "`+strings.ReplaceAll(n, `"`, `""`)+`" CASCADE`); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PostgresFloor is the two statements a PostgreSQL session store cannot
// do without, run by hand through database/sql on the same pool: a SELECT
// of a row by key and an UPDATE of its data and expiry, on a row of its
// own in the instance's table.
func (p *PostgresInstance) PostgresFloor(ctx context.Context, key string, payloads [2][]byte, age func() any) (func(context.Context) error, error) {
	db := p.SQLDB()
	if _, err := db.ExecContext(ctx, "INSERT INTO "+p.Table+" (session_key, session_data, expire_date) VALUES ($1, $2, $3)",
		key, string(payloads[0]), age()); err != nil {
		return nil, fmt.Errorf("benchmarks: postgres floor: %w", err)
	}
	sel := "SELECT session_data, expire_date FROM " + p.Table + " WHERE session_key = $1"
	upd := "UPDATE " + p.Table + " SET session_data = $1, expire_date = $2 WHERE session_key = $3"
	turn := 0
	return func(ctx context.Context) error {
		var data []byte
		var exp any
		if err := db.QueryRowContext(ctx, sel, key).Scan(&data, &exp); err != nil {
			return err
		}
		turn ^= 1
		_, err := db.ExecContext(ctx, upd, string(payloads[turn]), age(), key)
		return err
	}, nil
}
