// Package cached holds the integration tests of core/cachedstore over real
// servers: stores/redis as the cache in front of stores/gorm on PostgreSQL
// and on SQLite, as Django's cached_db backend. It has no API: everything
// is in its _test.go files. They need SESSIONKIT_REDIS_URL, and
// SESSIONKIT_POSTGRES_DSN for the PostgreSQL cases.
package cached
