package otelsessions_test

import (
	"errors"
	"fmt"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/storetest"
)

// plain hides every optional interface of the store it wraps.
type plain struct{ sessions.Store }

// TestWrapStoreUserIndex: a wrapped store with a per-user index keeps it,
// traced, and passes the store suite's per-user sections; one without it
// leaves core without an index.
func TestWrapStoreUserIndex(t *testing.T) {
	h := newHarness(t)
	t.Run("conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) sessions.Store {
			ms := memstore.New(memstore.Options{})
			t.Cleanup(func() { _ = ms.Close() })
			return h.tel.WrapStore(ms)
		})
	})
	ms := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = ms.Close() })
	for _, tc := range []struct {
		name  string
		store sessions.Store
		index bool
	}{
		{"memstore", h.tel.WrapStore(ms), true},
		{"without index", h.tel.WrapStore(plain{ms}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := sessions.New(sessions.Config{Store: tc.store, Secret: "otel-test-secret-0123456789"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.UserSessions(t.Context(), "u")
			if got := !errors.Is(err, sessions.ErrNoUserIndex); got != tc.index || (tc.index && err != nil) {
				t.Fatalf("UserSessions: %v (index %v)", err, tc.index)
			}
		})
	}
	h.spans.Reset()
	store := h.tel.WrapStore(ms)
	ix := store.(sessions.UserIndex)
	if _, err := ix.UserKeys(t.Context(), "u"); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range h.spans.GetSpans() {
		names = append(names, s.Name)
		for _, a := range s.Attributes {
			if a.Value.AsString() == "u" {
				t.Errorf("span %s carries the user id as %s", s.Name, a.Key)
			}
		}
	}
	if want := "[sessionkit.store.user_keys]"; fmt.Sprint(names) != want {
		t.Fatalf("spans %v, want %s", names, want)
	}
}
