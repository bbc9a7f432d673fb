package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/cachedstore"
	"github.com/sessionkit/sessionkit/core/picklecodec"
	"github.com/sessionkit/sessionkit/core/signing"
)

// DjangoCachedDBOptions names the Django cache and says how to handle it.
type DjangoCachedDBOptions struct {
	// KeyPrefix and Version are the cache's KEY_PREFIX and VERSION, as in
	// DjangoCacheOptions.
	KeyPrefix string
	Version   int
	// Codec is the codec Config.Codec holds. The cache gets core's bytes;
	// the rows read from the database reach core re-encoded with it.
	// DatetimeExpiry must be off: a database row cannot hold a datetime.
	Codec picklecodec.Codec
	// OnCacheError is as in cachedstore.Options.
	OnCacheError func(op string, err error)
	// Clock and OpTimeout are as in Options; Clock also dates the
	// signatures of the rows.
	Clock     func() time.Time
	OpTimeout time.Duration
}

// DjangoCachedDB is a Store that shares sessions with Django's cached_db
// session engine: each session is a django_session row in the durable
// store (stores/gorm with Table "django_session"), holding the signed JSON
// Django's db engine writes, and a copy in Redis under Django's cached_db
// key, holding the pickled dict Django's cache writes. Use it with the
// picklecodec.Codec of DjangoCachedDBOptions.Codec, and Config.Secret set
// to Django's SECRET_KEY (the rows are signed with it, and with
// Config.SecretFallbacks and Config.Salt, which the Manager hands over).
//
// It keeps the two consistent the way Django does: a save writes the row,
// then the cache; a load reads the cache and, on a miss, the row, which
// it copies into the cache; a delete removes the row, then the cache. It
// is a cachedstore over the Redis copy and the rows (see cachedstore for
// costs and cache-outage behaviour; its copies live at most its
// MaxCacheTTL, 5 minutes, where Django gives its own the session's age,
// and while a Go write is under way the key holds a lease, which Django's
// cached_db reads as a cache error and answers from the row).
//
// The rows decide conditional writes. An update is a compare-and-set on
// the row the request loaded (compared by content, since Django's copy in
// the cache and the row are two encodings, then by bytes), so Go writers
// never lose an update and never bring back a deleted session. Django's
// side gives neither guarantee (see the package README). Rows in Django's
// pre-3.1 format are not read.
//
// It implements sessions.UnsignedStore: the Redis copy is unsigned, as
// Django's is, so anyone who can write to that Redis can forge sessions.
type DjangoCachedDB struct {
	cache   *Store
	durable sessions.Store
	opts    DjangoCachedDBOptions
	bound   *cachedstore.Store // nil until BindUnsigned
}

var (
	_ sessions.UnsignedStore  = (*DjangoCachedDB)(nil)
	_ sessions.Toucher        = (*DjangoCachedDB)(nil)
	_ sessions.ExpiredDeleter = (*DjangoCachedDB)(nil)
)

// NewDjangoCachedDB returns a DjangoCachedDB over client (see New for the
// client's requirements) and durable, the store of Django's django_session
// table. Neither is closed by it.
func NewDjangoCachedDB(client redis.UniversalClient, durable sessions.Store, opts DjangoCachedDBOptions) (*DjangoCachedDB, error) {
	if durable == nil {
		return nil, fmt.Errorf("%w: redisstore: DjangoCachedDB needs the durable store of django_session", sessions.ErrInvalidConfig)
	}
	if opts.Codec.DatetimeExpiry {
		return nil, fmt.Errorf("%w: redisstore: DjangoCachedDB: Codec.DatetimeExpiry would put a datetime in the cache that the database row cannot hold", sessions.ErrInvalidConfig)
	}
	if _, err := opts.Codec.Append(nil, nil); err != nil {
		return nil, fmt.Errorf("%w: redisstore: DjangoCachedDB: %w", sessions.ErrInvalidConfig, err)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	dc := DjangoCacheOptions{KeyPrefix: opts.KeyPrefix, Version: opts.Version}
	cache, err := New(client, Options{Prefix: dc.prefix(DjangoCachedDBEngine), Clock: opts.Clock, OpTimeout: opts.OpTimeout})
	if err != nil {
		return nil, err
	}
	return &DjangoCachedDB{cache: cache, durable: durable, opts: opts}, nil
}

// BindUnsigned implements sessions.UnsignedStore: the store it returns
// signs and verifies the rows with sg.
func (d *DjangoCachedDB) BindUnsigned(sg *signing.Signer) sessions.Store {
	if sg == nil {
		return d // no Secret: every call says so
	}
	rows := &djangoRows{inner: d.durable, signer: sg, codec: d.opts.Codec, now: d.opts.Clock}
	cs, err := cachedstore.New(d.cache, rows, cachedstore.Options{OnCacheError: d.opts.OnCacheError, Clock: d.opts.Clock})
	if err != nil {
		return d // both stores are set: cannot happen
	}
	return &DjangoCachedDB{cache: d.cache, durable: d.durable, opts: d.opts, bound: cs}
}

// Prefix returns the Redis key prefix of the cached copies.
func (d *DjangoCachedDB) Prefix() string { return d.cache.Prefix() }

func (d *DjangoCachedDB) store() (*cachedstore.Store, error) {
	if d.bound == nil {
		return nil, fmt.Errorf("%w: redisstore: DjangoCachedDB signs its rows with the Manager's Secret: "+
			"use it as sessions.Config.Store, with Config.Secret set", sessions.ErrInvalidConfig)
	}
	return d.bound, nil
}

// Load implements sessions.Store.
func (d *DjangoCachedDB) Load(ctx context.Context, key string) (sessions.Record, error) {
	s, err := d.store()
	if err != nil {
		return sessions.Record{}, err
	}
	return s.Load(ctx, key)
}

// Save implements sessions.Store.
func (d *DjangoCachedDB) Save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	s, err := d.store()
	if err != nil {
		return err
	}
	return s.Save(ctx, key, rec, cond)
}

// Delete implements sessions.Store.
func (d *DjangoCachedDB) Delete(ctx context.Context, key string) error {
	s, err := d.store()
	if err != nil {
		return err
	}
	return s.Delete(ctx, key)
}

// Exists implements sessions.Store.
func (d *DjangoCachedDB) Exists(ctx context.Context, key string) (bool, error) {
	s, err := d.store()
	if err != nil {
		return false, err
	}
	return s.Exists(ctx, key)
}

// Touch implements sessions.Toucher.
func (d *DjangoCachedDB) Touch(ctx context.Context, key string, expiry time.Time) error {
	s, err := d.store()
	if err != nil {
		return err
	}
	return s.Touch(ctx, key, expiry)
}

// DeleteExpired implements sessions.ExpiredDeleter: it purges expired
// rows (Django's clearsessions); Redis expires its copies itself.
func (d *DjangoCachedDB) DeleteExpired(ctx context.Context) (int64, error) {
	s, err := d.store()
	if err != nil {
		return 0, err
	}
	return s.DeleteExpired(ctx)
}
