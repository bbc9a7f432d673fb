package gormstore_test

import (
	"errors"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// A store on Django's table refuses hashed keys at New; any other table
// takes them, and the conformance suite holds through the hashing Manager.
func TestHashKeysAndDjangoTable(t *testing.T) {
	cases := []struct {
		table   string
		refused bool
	}{
		{"django_session", true},
		{"app.DJANGO_SESSION", true},
		{"sessions", false},
		{"django_session_go", false},
	}
	for _, c := range cases {
		t.Run(c.table, func(t *testing.T) {
			st, err := gormstore.New(openSQLiteMemory(t, nil), gormstore.Options{Table: c.table})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			_, err = sessions.New(sessions.Config{Store: st, Secret: "s3cret-for-tests-only", HashKeys: true})
			if got := errors.Is(err, sessions.ErrInvalidConfig); got != c.refused {
				t.Fatalf("New with HashKeys on table %q: err %v, want refused=%v", c.table, err, c.refused)
			}
		})
	}
	// Through a Manager: the row holds the hash, never the key the
	// client carries, and the session still loads.
	t.Run("RowKeyIsHashed", func(t *testing.T) {
		st, err := gormstore.New(openSQLiteMemory(t, nil), gormstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		if err := st.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		m, err := sessions.New(sessions.Config{Store: st, Secret: "s3cret-for-tests-only", HashKeys: true})
		if err != nil {
			t.Fatal(err)
		}
		s := m.Open(t.Context(), "")
		s.Set("user", "alice")
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.Exists(t.Context(), s.Key()); err != nil || ok {
			t.Fatalf("row under the raw key: %v, %v", ok, err)
		}
		if got := m.Open(t.Context(), s.Key()).GetString("user"); got != "alice" {
			t.Fatalf("reloaded user = %q, want alice", got)
		}
	})
}
