// Package cachedstore composes two sessions.Store values into one, as
// Django's "cached_db" session backend does: a fast cache (for example
// stores/redis) in front of a durable store (for example stores/gorm).
//
// Reads go to the cache first and fall back to the durable store, filling
// the cache on the way back (read-through). Writes go to the durable store
// first, whose answer is the answer, then to the cache (write-through).
// The durable store is the truth: conditional writes are checked against
// it, never against a cache copy that may be stale.
//
// Costs, in store calls: a cache hit is one cache Load; a miss is a cache
// Load, a durable Load, a cache create and a second durable Load (which
// catches a save or delete that raced the fill); a save is the durable Save
// plus one cache write (two when the cache's copy was evicted); a delete is
// one of each.
//
// A cache outage is not an error: every operation goes on with the durable
// store alone and the cache failure is reported through
// Options.OnCacheError. A durable-store outage is an error.
package cachedstore
