// Command contention runs the contention scenario of the benchmarks
// module: -writers concurrent clients send -requests increments each of
// one session, per library and store, in -rounds rounds, and prints one
// Go benchmark result line per run (requests/s, p50 and p99 latency,
// non-2xx answers, lost updates) for cmd/report. Redis targets need
// SESSIONKIT_REDIS_URL, the PostgreSQL one SESSIONKIT_POSTGRES_DSN; each
// is skipped without its variable.
package main
