package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// options are the flags every command shares: which store, and the
// settings the application's sessions.Config has.
type options struct {
	store, dsn, redisURL, redisAddrs string
	table, prefix                    string
	secret, salt                     string
	hashKeys                         bool
	timeout                          time.Duration
	json                             bool
	batch                            int
}

// register defines the shared flags, with defaults from the environment.
func (o *options) register(fs *flag.FlagSet, getenv env) {
	fs.StringVar(&o.store, "store", getenv("SESSIONKIT_STORE"), "the store: sqlite, postgres, mysql, redis or redis-cluster (env SESSIONKIT_STORE)")
	fs.StringVar(&o.dsn, "dsn", getenv("SESSIONKIT_DSN"), "the database: a SQLite file, a PostgreSQL or MySQL DSN (env SESSIONKIT_DSN)")
	fs.StringVar(&o.redisURL, "redis-url", getenv("SESSIONKIT_REDIS_URL"), "Redis URL, redis://host:port/db (env SESSIONKIT_REDIS_URL)")
	fs.StringVar(&o.redisAddrs, "redis-addrs", getenv("SESSIONKIT_REDIS_ADDRS"), "Redis Cluster nodes, host:port,host:port (env SESSIONKIT_REDIS_ADDRS)")
	fs.StringVar(&o.table, "table", "", "the session table (default gormstore's \"sessions\"; \"django_session\" for Django's)")
	fs.StringVar(&o.prefix, "prefix", "", "the Redis key prefix (default redisstore's)")
	fs.StringVar(&o.secret, "secret", "", "the secret that signs sessions; prefer env SESSIONKIT_SECRET, which stays out of ps and shell history")
	fs.StringVar(&o.salt, "salt", "", "the signing salt, if the application sets Config.Salt")
	fs.BoolVar(&o.hashKeys, "hash-keys", false, "the application sets Config.HashKeys")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "bound on the whole run")
	fs.BoolVar(&o.json, "json", false, "JSON output")
}

// opened is a store and what closes it.
type opened struct {
	store sessions.Store
	db    *gorm.DB              // SQL stores
	redis redis.UniversalClient // Redis stores
	rs    *redisstore.Store
	close func()
}

// open connects to the store the options name.
func (o *options) open(ctx context.Context) (*opened, error) {
	switch o.store {
	case "sqlite", "postgres", "mysql":
		return o.openSQL(ctx)
	case "redis", "redis-cluster":
		return o.openRedis(ctx)
	case "":
		return nil, fmt.Errorf("%w: no --store (or SESSIONKIT_STORE)", errUsage)
	}
	return nil, fmt.Errorf("%w: unknown store %q: want sqlite, postgres, mysql, redis or redis-cluster", errUsage, o.store)
}

func (o *options) openSQL(ctx context.Context) (*opened, error) {
	if o.dsn == "" {
		return nil, fmt.Errorf("%w: --store %s needs --dsn (or SESSIONKIT_DSN)", errUsage, o.store)
	}
	var d gorm.Dialector
	switch o.store {
	case "sqlite":
		d = sqlite.Open(o.dsn)
	case "postgres":
		d = postgres.Open(o.dsn)
	default:
		d = mysql.Open(o.dsn)
	}
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", redact(err, o.dsn))
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", redact(err, o.dsn))
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connecting to the database: %w", redact(err, o.dsn))
	}
	s, err := gormstore.New(db, gormstore.Options{Table: o.table, BatchSize: o.batch})
	if err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return &opened{store: s, db: db, close: func() { _ = sqlDB.Close() }}, nil
}

func (o *options) openRedis(ctx context.Context) (*opened, error) {
	var c redis.UniversalClient
	if o.store == "redis" {
		if o.redisURL == "" {
			return nil, fmt.Errorf("%w: --store redis needs --redis-url (or SESSIONKIT_REDIS_URL)", errUsage)
		}
		opt, err := redis.ParseURL(o.redisURL)
		if err != nil {
			return nil, fmt.Errorf("%w: --redis-url: %w", errUsage, redact(err, o.redisURL))
		}
		opt.ContextTimeoutEnabled = true
		c = redis.NewClient(opt)
	} else {
		if o.redisAddrs == "" {
			return nil, fmt.Errorf("%w: --store redis-cluster needs --redis-addrs (or SESSIONKIT_REDIS_ADDRS)", errUsage)
		}
		c = redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(o.redisAddrs, ","), ContextTimeoutEnabled: true})
	}
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("connecting to Redis: %w", err)
	}
	s, err := redisstore.New(c, redisstore.Options{Prefix: o.prefix})
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	return &opened{store: s, redis: c, rs: s, close: func() { _ = c.Close() }}, nil
}

// manager is the application's Manager over the store, for the commands
// that decode sessions: it needs the secret.
func (o *options) manager(st sessions.Store) (*sessions.Manager, error) {
	if o.secret == "" {
		return nil, fmt.Errorf("%w: this command decodes sessions: set SESSIONKIT_SECRET to the application's secret", errUsage)
	}
	m, err := sessions.New(sessions.Config{Store: st, Secret: o.secret, Salt: o.salt, HashKeys: o.hashKeys})
	if err != nil {
		// The Config error names no secret.
		return nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	return m, nil
}

// redact keeps a DSN or URL, which may hold a password, out of an error a
// driver built from it.
func redact(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "<dsn>"))
}
