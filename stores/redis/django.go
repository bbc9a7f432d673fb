package redisstore

import (
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/signing"
)

// DjangoEngine is the key prefix a Django session engine that keeps
// sessions in a cache puts before each session key: the KEY_PREFIX
// constant of its module.
type DjangoEngine string

// The Django session engines that use a cache.
const (
	// DjangoCacheEngine is SESSION_ENGINE
	// "django.contrib.sessions.backends.cache": sessions live in the
	// cache only.
	DjangoCacheEngine DjangoEngine = "django.contrib.sessions.cache"
	// DjangoCachedDBEngine is SESSION_ENGINE
	// "django.contrib.sessions.backends.cached_db": the cache holds copies
	// of the django_session rows.
	DjangoCachedDBEngine DjangoEngine = "django.contrib.sessions.cached_db"
)

// DjangoCachePrefix returns the Redis key prefix under which Django keeps
// the sessions of engine in a cache configured with keyPrefix (KEY_PREFIX)
// and version (VERSION), with Django's default KEY_FUNCTION, which both
// django-redis and Django 4.0+'s RedisCache use:
//
//	KEY_PREFIX + ":" + str(VERSION) + ":" + engine + session_key
//
// so DjangoCachePrefix("", 1, DjangoCacheEngine) is
// ":1:django.contrib.sessions.cache". A custom KEY_FUNCTION is not
// supported.
func DjangoCachePrefix(keyPrefix string, version int, engine DjangoEngine) string {
	return keyPrefix + ":" + strconv.Itoa(version) + ":" + string(engine)
}

// DjangoCacheOptions names the Django cache that holds the sessions: the
// settings of CACHES[SESSION_CACHE_ALIAS] ("default" unless
// SESSION_CACHE_ALIAS says otherwise). The Redis database is the client's
// (the /N of the cache's LOCATION). The zero value is Django's defaults.
type DjangoCacheOptions struct {
	// KeyPrefix is the cache's KEY_PREFIX. Default: "".
	KeyPrefix string
	// Version is the cache's VERSION. Zero means 1, Django's default; a
	// VERSION of 0 itself is not supported.
	Version int
	// Clock and OpTimeout are as in Options.
	Clock     func() time.Time
	OpTimeout time.Duration
}

func (o DjangoCacheOptions) prefix(engine DjangoEngine) string {
	v := o.Version
	if v == 0 {
		v = 1
	}
	return DjangoCachePrefix(o.KeyPrefix, v, engine)
}

// DjangoCache is a Store that shares sessions with Django's cache session
// engine over django-redis or Django 4.0+'s RedisCache: the same keys,
// the same TTLs, and the same value, the session dict pickled unsigned.
// Use it with picklecodec.Codec:
//
//	store, err := redisstore.NewDjangoCache(client, redisstore.DjangoCacheOptions{KeyPrefix: "myapp"})
//	m, err := sessions.New(sessions.Config{
//		Store:  store,
//		Codec:  picklecodec.Codec{Protocol: picklecodec.HighestProtocol}, // Django 4.0+; 4 for django-redis
//		Secret: djangoSecretKey, // required by core, signs nothing here
//	})
//
// It implements sessions.UnsignedStore, so core stores the codec's bytes
// as they are, as Django does. That is also Django's weakness: anyone who
// can write to this Redis can forge any session, logins included.
//
// A save sets the key's TTL to the record's expiry, which core computes
// as Django's get_expiry_age() does (a browser-close session lives
// SESSION_COOKIE_AGE, as in Django). Django's own save is a GET then a
// SET, not atomic; this store's saves are, so concurrent Go writers never
// lose an update, but a Django write can still overwrite a concurrent Go
// one, or bring back a session Go deleted between its GET and its SET.
type DjangoCache struct {
	*base // Store's methods, without exposing the Store to misuse unsigned
}

// base names Store for embedding in an unexported field.
type base = Store

var (
	_ sessions.UnsignedStore = (*DjangoCache)(nil)
	_ sessions.Toucher       = (*DjangoCache)(nil)
)

// NewDjangoCache returns a DjangoCache over client (see New for the
// client's requirements) with the keys of Django's cache engine.
func NewDjangoCache(client redis.UniversalClient, opts DjangoCacheOptions) (*DjangoCache, error) {
	s, err := New(client, Options{Prefix: opts.prefix(DjangoCacheEngine), Clock: opts.Clock, OpTimeout: opts.OpTimeout})
	if err != nil {
		return nil, err
	}
	return &DjangoCache{base: s}, nil
}

// BindUnsigned implements sessions.UnsignedStore: nothing here is signed.
func (c *DjangoCache) BindUnsigned(*signing.Signer) sessions.Store { return c }
