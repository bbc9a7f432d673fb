package sessions

import (
	"context"
	"time"
)

// UserIndex is implemented by stores that keep a per-user index of
// session keys, so that a user's sessions are listed and revoked at a cost
// that grows with that user's sessions, never with the store's. Core
// maintains it (Session.SetUser, Manager.UserSessions, RevokeUser); an
// application does not call it. Keys are store keys: hashed with
// Config.HashKeys.
//
// Contract (checked by core/storetest's UserIndex sections):
//   - IndexUser adds key to user's entries, or moves the entry's until.
//     until is an upper bound of the record's expiry: the store may drop
//     the entry once until has passed, never before.
//   - UnindexUser removes the entries of keys from user's; a key that is
//     not there is not an error.
//   - UserKeys returns the keys of user's entries whose until has not
//     passed, in no particular order. They may name records that are gone
//     or expired: core loads each and skips or unindexes the dead ones. A
//     store may drop entries past their until as it meets them.
//   - LoadKeys loads records in one round trip where the store can:
//     recs[i] is keys[i]'s record, with nil Data when it is missing or
//     expired. DeleteKeys deletes records the same way.
//   - Deleting a record (Delete, DeleteKeys) need not touch the index.
//
// A store that wraps another (core/cachedstore, a tracing wrapper) may
// have these methods whatever it wraps; it then also has a method
// HasUserIndex() bool saying whether they work, and core uses the index
// only when it says true.
type UserIndex interface {
	IndexUser(ctx context.Context, user, key string, until time.Time) error
	UnindexUser(ctx context.Context, user string, keys ...string) error
	UserKeys(ctx context.Context, user string) ([]string, error)
	LoadKeys(ctx context.Context, keys []string) ([]Record, error)
	DeleteKeys(ctx context.Context, keys []string) error
}

// GenerationStore keeps a counter per user, so that "log out everywhere"
// also ends sessions no server can delete: those of a ClientStore, whose
// data lives in the cookie. Session.SetUser records the user's current
// generation in the session; a load that finds the counter moved on
// treats the session as revoked; RevokeUser advances it. Each load of a
// cookie session with a user costs one Generation call. Any server-side
// store can keep it (memstore, redisstore and gormstore implement it).
type GenerationStore interface {
	// Generation returns user's current generation, 0 for a user never
	// revoked.
	Generation(ctx context.Context, user string) (uint64, error)
	// NextGeneration advances user's generation and returns the new one.
	NextGeneration(ctx context.Context, user string) (uint64, error)
}

// userIndexOf returns store's UserIndex, nil when it has none or a
// wrapper says what it wraps has none.
func userIndexOf(store Store) UserIndex {
	ix, ok := store.(UserIndex)
	if !ok {
		return nil
	}
	if h, ok := store.(interface{ HasUserIndex() bool }); ok && !h.HasUserIndex() {
		return nil
	}
	return ix
}
