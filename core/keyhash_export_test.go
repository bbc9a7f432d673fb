package sessions

// StoreOf returns the Store a Manager calls, after the wrapping New does
// (HashKeys), for the conformance suite in keyhash_test.go.
func StoreOf(m *Manager) Store { return m.store }
