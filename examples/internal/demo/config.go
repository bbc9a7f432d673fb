package demo

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Store names accepted by -store.
const (
	StoreSQLite   = "sqlite"   // GORM on a SQLite file (the default)
	StorePostgres = "postgres" // GORM on PostgreSQL
	StoreRedis    = "redis"    // Redis
	StoreCookie   = "cookie"   // signed cookies, nothing kept server-side
	StoreCached   = "cached"   // Redis in front of the SQL store
	StoreMemory   = "memory"   // in-process map, lost on restart
)

// StoreNames lists the store names in the order -help shows them.
func StoreNames() []string {
	return []string{StoreSQLite, StorePostgres, StoreRedis, StoreCookie, StoreCached, StoreMemory}
}

// Config is what an app is started with.
type Config struct {
	// Framework names the app on its page ("Gin", "Echo", "Chi").
	Framework string
	// Addr is the listen address. Flag -addr, env ADDR.
	Addr string
	// Store is one of the Store* names. Flag -store.
	Store string
	// DBPath is the SQLite file of the sqlite and cached stores. Flag -db.
	DBPath string
	// DSN is the PostgreSQL connection string of the postgres store, and of
	// the cached store when set. Flag -dsn, env DATABASE_URL.
	DSN string
	// RedisURL locates Redis for the redis and cached stores (redis://...).
	// Flag -redis, env REDIS_URL.
	RedisURL string
	// Table names the SQL table. Default: gormstore's ("sessions"). Tests
	// that share one database use their own.
	Table string
	// Secret signs the sessions. Env SECRET_KEY only: a flag would show it
	// in the process list. Empty means a random one (Open warns).
	Secret string
}

// Defaults.
const (
	DefaultAddr     = "127.0.0.1:8080"
	DefaultDBPath   = "sessionkit.db"
	DefaultRedisURL = "redis://127.0.0.1:6379/0"
)

// ParseConfig reads the flags in args, falling back on the environment
// variables getenv returns, then on the defaults. Usage and flag errors go
// to stderr; -help returns flag.ErrHelp.
func ParseConfig(framework string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	envOr := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	cfg := Config{Framework: framework, Secret: getenv("SECRET_KEY")}
	fs := flag.NewFlagSet(strings.ToLower(framework), flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", envOr("ADDR", DefaultAddr), "listen `address` (env ADDR)")
	fs.StringVar(&cfg.Store, "store", StoreSQLite, "session store: "+strings.Join(StoreNames(), ", "))
	fs.StringVar(&cfg.DBPath, "db", DefaultDBPath, "SQLite `file` of the sqlite and cached stores, created if missing")
	fs.StringVar(&cfg.DSN, "dsn", getenv("DATABASE_URL"), "PostgreSQL `dsn` of the postgres store (env DATABASE_URL); the cached store uses it instead of SQLite when set")
	fs.StringVar(&cfg.RedisURL, "redis", envOr("REDIS_URL", DefaultRedisURL), "Redis `url` of the redis and cached stores (env REDIS_URL)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage of the sessionkit %s demo:\n", framework)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nSECRET_KEY signs the sessions; without it a random secret is used and sessions die with the process.")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return Config{}, fmt.Errorf("demo: unexpected argument %q", fs.Arg(0))
	}
	if !slices.Contains(StoreNames(), cfg.Store) {
		return Config{}, fmt.Errorf("demo: unknown store %q (want one of %s)", cfg.Store, strings.Join(StoreNames(), ", "))
	}
	if cfg.Store == StorePostgres && cfg.DSN == "" {
		return Config{}, fmt.Errorf("demo: the postgres store needs -dsn or DATABASE_URL")
	}
	return cfg, nil
}
