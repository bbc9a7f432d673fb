// Package cachedstore composes two sessions.Store values into one, as
// Django's "cached_db" session backend does: a fast cache (for example
// stores/redis) in front of a durable store (for example stores/gorm).
//
// Reads go to the cache first and fall back to the durable store, filling
// the cache on the way back. Writes go to the durable store, whose answer
// is the answer, and then to the cache. The durable store is the truth:
// conditional writes are checked against it, never against a cache copy.
//
// # The state rule
//
// A cache entry is empty, a lease (a random token, held for 10s) or a
// copy of a durable record. A copy is only ever written over its writer's
// own lease, taken before the writer read or wrote the durable record;
// every write deletes or replaces the entry after changing the durable
// record. So a copy lands only if no write came between its lease and
// its arrival, however late it arrives: a copy delayed in a frozen cache
// or a slow network finds its lease gone and is refused. A flush racing
// saves cannot bring a deleted session back, and a copy is never older
// than the last write whose cache call was answered.
//
// When the cache does not answer that delete or replace, the key is
// marked pending in this process: its copy is never read here, and it is
// deleted from the cache (then unmarked) by the first later cache call on
// it that is answered: the key's next read or write, or the sweep that
// operations run on their way out, a few keys at a time (see Sweep). A
// read of a pending key goes to the durable store.
//
// # A failing cache
//
// A cache outage is not an error: operations go on with the durable
// store alone and each failure is reported through Options.OnCacheError.
// Each cache call is bounded by Options.CacheTimeout (200ms) within the
// caller's context. After a failure the cache is bypassed for
// Options.CacheBackoff (1s); then one call probes it, and an answer ends
// the bypass while another failure doubles the backoff. A frozen cache
// thus costs a request at most one CacheTimeout, and the next requests
// nothing. A durable-store outage is an error; the cache entry is dropped
// after a failed durable write too, as the write may have happened.
//
// # What is not covered
//
// The pending set lives in this process and holds Options.MaxPending keys
// (10000). Every copy lives at most Options.MaxCacheTTL (5 minutes), so:
//
//   - When the set is full, it is dropped and this process reads no copy
//     for MaxCacheTTL + 10s, by which time every copy it guarded has
//     expired. Correct, but every read goes to the durable store.
//   - If the process stops while keys are pending (a restart during a
//     cache outage), their copies can be served by any process until
//     they expire: at most MaxCacheTTL + 10s after they were written.
//   - Another process sharing the cache trusts copies this process could
//     not delete, until this process deletes them (its next operations
//     once the cache answers it, or Sweep) or they expire. Its own reads
//     and writes keep the rule whenever its own cache calls are
//     answered. A partition that cuts only some processes off the cache
//     is where this matters.
//
// # Costs, in store calls
//
//   - Load, hit: 1 cache call. The copy comes back with a zero Expiry.
//   - Load, miss: cache load, cache lease, durable load, cache copy
//     (3 cache + 1 durable; was 2 + 2: the lease replaced the second
//     durable load). Entry leased by a write under way: 1 + 1 durable.
//   - Save: cache lease (2 calls when the copy was evicted), durable
//     save, cache copy (2 or 3 cache + 1 durable; was 1 or 2 + 1, the
//     lease is new). A failed durable save: lease, durable, cache delete.
//   - Delete: durable delete, cache delete (unchanged).
//   - Exists: a cache load (was a cache exists, which cannot tell a lease
//     from a copy), then the durable exists unless it found a copy.
//   - Touch: the durable touch, then a cache delete (was a cache touch).
//   - Bypassed or pending: the durable calls alone. While keys are
//     pending and the cache answers, one operation at a time adds up to
//     8 cache deletes.
package cachedstore
