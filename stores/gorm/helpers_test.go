package gormstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// requireEnv returns the variable or skips the test; under CI a missing
// server is a failure, not a skip.
func requireEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set (required when CI is set)", name)
		}
		t.Skipf("%s is not set: skipping", name)
	}
	return v
}

// backend opens one database configuration. wrap, when not nil, sits
// between GORM and the *sql.DB (to count statements).
type backend struct {
	name string
	kind string // sqlite, postgres, mysql
	open func(t testing.TB, wrap func(gorm.ConnPool) gorm.ConnPool) *gorm.DB
}

// backends lists every configuration the store is tested on: SQLite in a
// file and in memory (plus GORM's prepared-statement mode), PostgreSQL
// through pgx's default and simple protocols, and MariaDB/MySQL as given,
// with clientFoundRows and without parseTime, and with another driver loc
// and client-side interpolation.
func backends() []backend {
	return []backend{
		{name: "sqlite-file", kind: "sqlite", open: func(t testing.TB, w func(gorm.ConnPool) gorm.ConnPool) *gorm.DB {
			return openSQLite(t, sqliteFileDSN(t), w, &gorm.Config{})
		}},
		{name: "sqlite-memory", kind: "sqlite", open: openSQLiteMemory},
		{name: "sqlite-prepared", kind: "sqlite", open: func(t testing.TB, w func(gorm.ConnPool) gorm.ConnPool) *gorm.DB {
			return openSQLite(t, sqliteFileDSN(t), w, &gorm.Config{PrepareStmt: true})
		}},
		{name: "postgres", kind: "postgres", open: func(t testing.TB, w func(gorm.ConnPool) gorm.ConnPool) *gorm.DB {
			return openPostgres(t, requireEnv(t, "SESSIONKIT_POSTGRES_DSN"), w)
		}},
		{name: "postgres-simple-protocol", kind: "postgres", open: func(t testing.TB, w func(gorm.ConnPool) gorm.ConnPool) *gorm.DB {
			return openPostgres(t, withPGParam(requireEnv(t, "SESSIONKIT_POSTGRES_DSN"), "default_query_exec_mode", "simple_protocol"), w)
		}},
		{name: "mysql", kind: "mysql", open: func(t testing.TB, w func(gorm.ConnPool) gorm.ConnPool) *gorm.DB {
			return openMySQL(t, requireEnv(t, "SESSIONKIT_MYSQL_DSN"), w, nil)
		}},
		{name: "mysql-foundrows-noparsetime", kind: "mysql", open: func(t testing.TB, w func(gorm.ConnPool) gorm.ConnPool) *gorm.DB {
			return openMySQL(t, requireEnv(t, "SESSIONKIT_MYSQL_DSN"), w, func(c *mysqldriver.Config) {
				c.ClientFoundRows = true
				c.ParseTime = false
			})
		}},
		{name: "mysql-loc-interpolate", kind: "mysql", open: func(t testing.TB, w func(gorm.ConnPool) gorm.ConnPool) *gorm.DB {
			return openMySQL(t, requireEnv(t, "SESSIONKIT_MYSQL_DSN"), w, func(c *mysqldriver.Config) {
				c.ParseTime = true
				c.Loc = time.FixedZone("JST", 9*3600)
				c.InterpolateParams = true
			})
		}},
	}
}

// mainBackends is one configuration per database, for the tests that are
// about the store's logic rather than driver settings.
func mainBackends() []backend {
	var out []backend
	for _, b := range backends() {
		switch b.name {
		case "sqlite-file", "sqlite-memory", "postgres", "mysql":
			out = append(out, b)
		}
	}
	return out
}

// quiet is a GORM config without logging; gorm.Open keeps and fills the
// config it is given, so each open gets its own.
func quiet() *gorm.Config { return &gorm.Config{Logger: logger.Discard} }

func sqliteFileDSN(t testing.TB) string {
	// WAL and a busy timeout let concurrent writers wait for each other
	// instead of failing with SQLITE_BUSY.
	return filepath.Join(t.TempDir(), "sessions.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
}

func openSQLite(t testing.TB, dsn string, wrap func(gorm.ConnPool) gorm.ConnPool, cfg *gorm.Config) *gorm.DB {
	t.Helper()
	sqlDB, err := sql.Open(sqlite.DriverName, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	cfg.Logger = logger.Discard
	return openGorm(t, sqlDB, wrap, func(p gorm.ConnPool) gorm.Dialector { return &sqlite.Dialector{Conn: p} }, cfg)
}

// openSQLiteMemory keeps a private in-memory database on one connection:
// every connection to ":memory:" would see a database of its own, and a
// shared cache makes concurrent writers fail with SQLITE_LOCKED.
func openSQLiteMemory(t testing.TB, wrap func(gorm.ConnPool) gorm.ConnPool) *gorm.DB {
	t.Helper()
	sqlDB, err := sql.Open(sqlite.DriverName, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1)
	sqlDB.SetMaxIdleConns(1)
	sqlDB.SetConnMaxLifetime(0)
	sqlDB.SetConnMaxIdleTime(0)
	t.Cleanup(func() { sqlDB.Close() })
	return openGorm(t, sqlDB, wrap, func(p gorm.ConnPool) gorm.Dialector { return &sqlite.Dialector{Conn: p} }, quiet())
}

func openPostgres(t testing.TB, dsn string, wrap func(gorm.ConnPool) gorm.ConnPool) *gorm.DB {
	t.Helper()
	sqlDB, err := sql.Open("pgx", dsn) // registered by gorm.io/driver/postgres
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(20)
	t.Cleanup(func() { sqlDB.Close() })
	return openGorm(t, sqlDB, wrap, func(p gorm.ConnPool) gorm.Dialector { return postgres.New(postgres.Config{Conn: p}) }, quiet())
}

func openMySQL(t testing.TB, dsn string, wrap func(gorm.ConnPool) gorm.ConnPool, edit func(*mysqldriver.Config)) *gorm.DB {
	t.Helper()
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(cfg)
	}
	// A connector, not FormatDSN: a fixed zone has no name to put there.
	conn, err := mysqldriver.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB := sql.OpenDB(conn)
	sqlDB.SetMaxOpenConns(20)
	t.Cleanup(func() { sqlDB.Close() })
	return openGorm(t, sqlDB, wrap, func(p gorm.ConnPool) gorm.Dialector { return mysql.New(mysql.Config{Conn: p}) }, quiet())
}

func openGorm(t testing.TB, sqlDB *sql.DB, wrap func(gorm.ConnPool) gorm.ConnPool, dial func(gorm.ConnPool) gorm.Dialector, cfg *gorm.Config) *gorm.DB {
	t.Helper()
	var pool gorm.ConnPool = sqlDB
	if wrap != nil {
		pool = wrap(pool)
	}
	db, err := gorm.Open(dial(pool), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// withPGParam adds a connection parameter to a key=value or URL DSN.
func withPGParam(dsn, key, value string) string {
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + key + "=" + value
	}
	return dsn + " " + key + "=" + value
}

// freshTable is a table name no other test run uses.
func freshTable() string {
	return "sk_sessions_" + strings.ToLower(rand.Text()[:10])
}

// newStore makes a store on a fresh table (migrated), dropped when the
// test ends.
func newStore(t testing.TB, db *gorm.DB, opts gormstore.Options) *gormstore.Store {
	t.Helper()
	if opts.Table == "" {
		opts.Table = freshTable()
	}
	s, err := gormstore.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		// t.Context() is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, table := range []string{opts.Table, opts.Table + "_user", opts.Table + "_user_gen"} {
			if err := db.WithContext(ctx).Exec("DROP TABLE IF EXISTS " + quoteIdent(db, table)).Error; err != nil {
				t.Errorf("drop %s: %v", table, err)
			}
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func quoteIdent(db *gorm.DB, name string) string {
	var b strings.Builder
	db.Dialector.QuoteTo(&b, name)
	return b.String()
}

// countingPool counts the statements that reach the database.
type countingPool struct {
	gorm.ConnPool
	mu    sync.Mutex
	execs map[string]int // by first word: DELETE, UPDATE...
	// afterExec, if set, runs after each ExecContext with its verb.
	afterExec func(verb string)
}

func newCountingPool(p gorm.ConnPool) *countingPool {
	return &countingPool{ConnPool: p, execs: map[string]int{}}
}

func (c *countingPool) note(query string) string {
	verb, _, _ := strings.Cut(strings.TrimSpace(query), " ")
	verb = strings.ToUpper(verb)
	c.mu.Lock()
	c.execs[verb]++
	c.mu.Unlock()
	return verb
}

func (c *countingPool) count(verb string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.execs[verb]
}

func (c *countingPool) reset() {
	c.mu.Lock()
	clear(c.execs)
	c.mu.Unlock()
}

func (c *countingPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	verb := c.note(query)
	res, err := c.ConnPool.ExecContext(ctx, query, args...)
	if c.afterExec != nil {
		c.afterExec(verb)
	}
	return res, err
}

func (c *countingPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.note(query)
	return c.ConnPool.QueryContext(ctx, query, args...)
}

func (c *countingPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.note(query)
	return c.ConnPool.QueryRowContext(ctx, query, args...)
}

// BeginTx keeps GORM's transactions (Migrate) working through the wrapper.
func (c *countingPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	return c.ConnPool.(*sql.DB).BeginTx(ctx, opts)
}

func mustExec(t testing.TB, db *gorm.DB, query string, args ...any) {
	t.Helper()
	if err := db.WithContext(t.Context()).Exec(query, args...).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func countRows(t testing.TB, db *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.WithContext(t.Context()).Raw("SELECT COUNT(*) FROM " + quoteIdent(db, table)).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func newKey(t testing.TB) string {
	t.Helper()
	k, err := sessions.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
