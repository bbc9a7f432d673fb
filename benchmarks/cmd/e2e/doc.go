// Command e2e serves benchmark targets on 127.0.0.1, one at a time, and
// loads each with wrk: scenario C (the handler increments a counter and
// the session is saved) over many seeded sessions, so concurrent requests
// rarely share one. It prints one line per target and round in Go
// benchmark format (requests per second, p99 latency, errors), which
// cmd/report reads beside the go test output.
//
// Usage:
//
//	e2e [-duration 3s] [-connections 32] [-threads 2] [-rounds 5] [-sessions 1024] [targets...]
//
// Without targets it runs gin bare and gin's session targets, each pair
// that the report compares back to back, in every round. Redis
// targets need SESSIONKIT_REDIS_URL and are skipped without it.
package main
