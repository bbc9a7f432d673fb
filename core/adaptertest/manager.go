package adaptertest

import (
	"log/slog"
	"strings"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Secret is the signing secret of the managers NewManager makes.
const Secret = "adaptertest-secret-0123456789"

// NewManager returns a Manager over st with Secret; edit, when not nil,
// changes the Config first.
func NewManager(t testing.TB, st sessions.Store, edit func(*sessions.Config)) *sessions.Manager {
	t.Helper()
	// Logs go to the test's log, shown when it fails.
	cfg := sessions.Config{Store: st, Secret: Secret, Logger: slog.New(slog.NewTextHandler(testLog{t}, nil))}
	if edit != nil {
		edit(&cfg)
	}
	m, err := sessions.New(cfg)
	if err != nil {
		t.Fatalf("sessions.New: %v", err)
	}
	return m
}

// testLog writes a logger's lines to t.Log.
type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	if w.t.Context().Err() != nil {
		return len(p), nil // the test is over: t.Log would panic
	}
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
