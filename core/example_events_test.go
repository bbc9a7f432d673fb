package sessions_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// An audit log of a session's life: login (a new session), a login that
// cycles the key, and logout. Each event names the session by its ID, a
// keyed hash of its key.
func ExampleConfig_onEvent() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	// The ID and the time change from run to run; the example drops them.
	audit := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == "time" || a.Key == "id" || a.Key == "previous_id" {
				return slog.Attr{}
			}
			return a
		},
	}))
	m, err := sessions.New(sessions.Config{
		Store:  store,
		Secret: "change me",
		OnEvent: func(ctx context.Context, e sessions.Event) {
			audit.InfoContext(ctx, "session", "event", e)
		},
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	s := m.Open(ctx, "")
	s.Set("cart", 1)
	_ = s.Save()

	s = m.Open(ctx, s.Key())
	_ = s.CycleKey()
	s.Set("user", "alice")
	_ = s.Save()

	_ = s.Flush()
	// Output:
	// level=INFO msg=session event.kind=created
	// level=INFO msg=session event.kind=loaded
	// level=INFO msg=session event.kind=cycled
	// level=INFO msg=session event.kind=flushed
}

// Session.ID is the ID events carry, for the application's own log lines.
func ExampleSession_ID() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	var created string
	m, _ := sessions.New(sessions.Config{
		Store:  store,
		Secret: "change me",
		OnEvent: func(_ context.Context, e sessions.Event) {
			if e.Kind == sessions.EventCreated {
				created = e.ID
			}
		},
	})
	s := m.Open(context.Background(), "")
	s.Set("user", "alice")
	_ = s.Save()
	fmt.Println(len(s.ID()), s.ID() == created, s.ID() != s.Key())
	// Output: 32 true true
}
