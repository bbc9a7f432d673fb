// Package memstore is an in-memory sessions.Store: for tests, single-process
// applications and as the cache half of a cached store. Expired records are
// never returned; an optional janitor goroutine frees them and stops on
// Close.
//
// Records are spread over a fixed number of shards, each a map under its own
// lock, so requests for different sessions rarely wait for each other.
// Cleanup (DeleteExpired, and the janitor) holds a shard's lock for at most
// a bounded batch of records at a time, so it never stalls requests for
// long however many sessions expire at once; and since Go maps never
// shrink, a shard that lost most of its records is moved into a fresh map,
// also batch by batch, so the memory goes back to the runtime.
package memstore
