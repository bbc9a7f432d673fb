package cachedstore

import (
	"bytes"
	"crypto/rand"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// leaseTTL is how long a lease holds a cache entry. A copy can be written
// only over the writer's own live lease, so it also bounds how late a
// delayed copy can land; it should exceed a durable call's timeout, or
// slow writes simply go uncached.
const leaseTTL = 10 * time.Second

// leasePrefix starts every lease. Records whose data starts with it are
// never cached, so a lease and a copy cannot be mistaken for each other.
var leasePrefix = []byte("\x00cachedstore-lease:")

// newLease returns a lease value no other call will ever use.
func newLease() []byte {
	return append(leasePrefix[:len(leasePrefix):len(leasePrefix)], rand.Text()...)
}

func isLease(data []byte) bool { return bytes.HasPrefix(data, leasePrefix) }

func (s *Store) leaseRecord(lease []byte) sessions.Record {
	return sessions.Record{Data: lease, Expiry: s.now().Add(leaseTTL)}
}

// overLease is the condition of a copy's write: it replaces the writer's
// own lease and nothing else.
func overLease(lease []byte) sessions.Condition {
	return sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: lease}
}

// copyOf returns the cache copy of rec, and false when rec must not be
// cached. A copy lives at most MaxCacheTTL, and ends a lease time before
// rec: a cache that counts TTLs from arrival may keep a delayed copy that
// much longer.
func (s *Store) copyOf(rec sessions.Record) (sessions.Record, bool) {
	if rec.Expiry.IsZero() || isLease(rec.Data) {
		// A durable store that reports no expiry gives nothing to bound
		// the copy with.
		return sessions.Record{}, false
	}
	now := s.now()
	exp := rec.Expiry.Add(-leaseTTL)
	if limit := now.Add(s.maxTTL); limit.Before(exp) {
		exp = limit
	}
	if !exp.After(now) {
		return sessions.Record{}, false
	}
	return sessions.Record{Data: rec.Data, Expiry: exp}, true
}
