package memstore

import "time"

// SetHoldHook makes cleanup call f after each lock hold with the records
// it visited and how long it held the lock, and bounds a hold to batch
// records (0: the default). Call it before the Store is used; f runs on
// the cleaner's goroutine, outside the lock.
func SetHoldHook(s *Store, batch int, f func(records int, held time.Duration)) {
	if batch > 0 {
		s.batch = batch
	}
	s.onHold = f
}

// CleanupBatch is the default bound on records visited per lock hold.
const CleanupBatch = cleanupBatch
