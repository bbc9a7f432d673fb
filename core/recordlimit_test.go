package sessions_test

import (
	"errors"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// limitedStore is a store that checks record sizes itself.
type limitedStore struct {
	sessions.Store
	limit int
}

func (s limitedStore) MaxRecordSize() int { return s.limit }

// New refuses a Config.MaxRecordSize above the store's own limit, which
// would make saves between the two fail in the store.
func TestMaxRecordSizeAgainstStore(t *testing.T) {
	cases := []struct {
		name        string
		store, core int // the store's limit, Config.MaxRecordSize
		ok          bool
	}{
		{"defaults agree", 0, sessions.DefaultMaxRecordSize, true},
		{"store's default, core's default", sessions.DefaultMaxRecordSize, 0, true},
		{"core below the store", 4 << 20, 1 << 20, true},
		{"core above the store", 1 << 20, 4 << 20, false},
		{"core unlimited, store limited", 1 << 20, -1, false},
		{"store unlimited", -1, 64 << 20, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ms := memstore.New(memstore.Options{})
			defer ms.Close()
			limit := tc.store
			if limit == 0 {
				limit = sessions.DefaultMaxRecordSize
			}
			_, err := sessions.New(sessions.Config{Store: limitedStore{ms, limit}, Secret: "s", MaxRecordSize: tc.core})
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, sessions.ErrInvalidConfig)) {
				t.Fatalf("New error %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
