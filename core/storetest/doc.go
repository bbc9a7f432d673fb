// Package storetest is the conformance suite every sessions.Store runs:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) sessions.Store { return newStore(t) })
//	}
//
// It checks the contract written on sessions.Store against the real store:
// conditional writes, expiry, deletion, large and unicode payloads,
// concurrent writers and cancelled contexts, plus the optional
// ExpiredDeleter and Toucher capabilities when the store has them. Keys are
// fresh random session keys, so stores backed by a shared server need no
// cleanup between runs.
package storetest
