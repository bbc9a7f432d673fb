package sessions

// StoreOf returns the Store a Manager calls, after the wrapping New does
// (HashKeys), for the conformance suite in keyhash_test.go.
func StoreOf(m *Manager) Store { return m.store }

// SealForward is sealForward, for tests that write forwarding records by
// hand.
func SealForward(oldKey, newKey string) string { return sealForward(oldKey, newKey) }
