package adaptertest

import (
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Secret is the signing secret of the managers NewManager makes.
const Secret = "adaptertest-secret-0123456789"

// NewManager returns a Manager over st with Secret; edit, when not nil,
// changes the Config first.
func NewManager(t testing.TB, st sessions.Store, edit func(*sessions.Config)) *sessions.Manager {
	t.Helper()
	cfg := sessions.Config{Store: st, Secret: Secret}
	if edit != nil {
		edit(&cfg)
	}
	m, err := sessions.New(cfg)
	if err != nil {
		t.Fatalf("sessions.New: %v", err)
	}
	return m
}
