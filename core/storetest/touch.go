package storetest

import (
	"errors"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// The Toucher sections: core's idle timeout relies on a Touch that moves
// only the expiry, never brings a record back, and leaves the data, so
// the next conditional write of the request that loaded it still holds.

func toucher(t *testing.T, s sessions.Store) sessions.Toucher {
	t.Helper()
	tc, ok := s.(sessions.Toucher)
	if !ok {
		t.Skip("store does not implement sessions.Toucher")
	}
	return tc
}

// testTouchShortens: a Touch may move the expiry closer as well.
func testTouchShortens(t *testing.T, s sessions.Store) {
	tc := toucher(t, s)
	k := newKey(t)
	mustSave(t, s, k, rec("v", 48*time.Hour), create)
	sooner := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := tc.Touch(t.Context(), k, sooner); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	got := mustLoad(t, s, k)
	if string(got.Data) != "v" {
		t.Fatalf("after Touch: data %q, want %q", got.Data, "v")
	}
	if !got.Expiry.IsZero() && got.Expiry.Sub(sooner).Abs() > time.Second {
		t.Fatalf("after Touch: expiry %v, want %v", got.Expiry, sooner)
	}
}

// testTouchNeverResurrects: neither a deleted nor an expired record comes
// back with a Touch.
func testTouchNeverResurrects(t *testing.T, s sessions.Store) {
	tc := toucher(t, s)
	later := time.Now().Add(time.Hour)
	deleted, expired := newKey(t), newKey(t)
	mustSave(t, s, deleted, rec("v", time.Hour), create)
	if err := s.Delete(t.Context(), deleted); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	// A store may refuse a record born expired; either way it is not live.
	_ = s.Save(t.Context(), expired, rec("v", -time.Hour), create)
	for _, k := range []string{deleted, expired} {
		if err := tc.Touch(t.Context(), k, later); !errors.Is(err, sessions.ErrNotFound) {
			t.Fatalf("Touch of a dead record: %v, want ErrNotFound", err)
		}
		wantNotFound(t, s, k)
	}
}

// testTouchKeepsVersion: a Touch is not a change of the data, so an
// update-if-unchanged against the bytes loaded before it still succeeds.
func testTouchKeepsVersion(t *testing.T, s sessions.Store) {
	tc := toucher(t, s)
	k := newKey(t)
	mustSave(t, s, k, rec("v1", time.Hour), create)
	loaded := mustLoad(t, s, k).Data
	if err := tc.Touch(t.Context(), k, time.Now().Add(2*time.Hour)); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	mustSave(t, s, k, rec("v2", time.Hour), unchanged(loaded))
	wantData(t, s, k, "v2")
}
