// Package redisstore keeps sessionkit sessions in Redis, as Django's
// "cache" session backend does with a Redis cache.
//
// The package is called redisstore, not redis, on purpose: a package named
// redis would clash with github.com/redis/go-redis/v9, which it wraps.
//
// Each session is one string key, Options.Prefix + session key, whose value
// is exactly the record's data (Django's signed session_data), so it can be
// inspected with redis-cli. Expiry is the key's TTL in milliseconds: Redis
// drops a session the moment it expires, so the store needs no cleanup job
// and does not implement sessions.ExpiredDeleter.
//
// The store takes a redis.UniversalClient, so a standalone server, Sentinel
// (redis.NewFailoverClient) and Redis Cluster all work; every command and
// script touches one key, so it runs on any cluster node that owns it. The
// client stays the caller's: the store never closes it.
//
// Every operation is one round trip: Load is a GETRANGE bounded by
// Options.MaxRecordSize, Save is SET NX/XX PX or an atomic compare-and-set
// Lua script (EVALSHA), Delete is DEL, Exists is EXISTS and Touch is
// PEXPIRE.
//
// Every call ends by its context's deadline and within Options.OpTimeout
// (default 2s) when the context has no earlier deadline; a cancellation
// in flight takes effect then, or at once with Options.ReturnOnCancel. go-redis honours deadlines on its sockets only with
// ContextTimeoutEnabled, so New refuses a client created without it.
package redisstore
