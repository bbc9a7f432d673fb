// Package memstore is an in-memory sessions.Store: for tests, single-process
// applications and as the cache half of a cached store. Expired records are
// never returned; an optional janitor goroutine frees them and stops on
// Close.
package memstore
