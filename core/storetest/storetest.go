package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Run runs the conformance suite. newStore is called once per subtest and
// may return the same store each time.
func Run(t *testing.T, newStore func(t *testing.T) sessions.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s sessions.Store)
	}{
		{"CreateLoad", testCreateLoad},
		{"LoadMissing", testLoadMissing},
		{"CreateCollision", testCreateCollision},
		{"UpdateOnly", testUpdateOnly},
		{"UpdateOnlyMissing", testUpdateOnlyMissing},
		{"UpdateIfUnchanged", testUpdateIfUnchanged},
		{"UpdateIfUnchangedConflict", testUpdateIfUnchangedConflict},
		{"UpdateIfUnchangedDeleted", testUpdateIfUnchangedDeleted},
		{"Delete", testDelete},
		{"DeleteMissing", testDeleteMissing},
		{"ExpiredOnSave", testExpiredOnSave},
		{"ExpiresLater", testExpiresLater},
		{"ExpiryKept", testExpiryKept},
		{"CreateOverExpired", testCreateOverExpired},
		{"Unicode", testUnicode},
		{"LargePayload", testLargePayload},
		{"ConcurrentDistinctKeys", testConcurrentDistinct},
		{"ConcurrentSharedKey", testConcurrentShared},
		{"CancelledContext", testCancelled},
		{"DeleteExpired", testDeleteExpired},
		{"Touch", testTouch},
		{"TouchShortens", testTouchShortens}, {"TouchNeverResurrects", testTouchNeverResurrects}, {"TouchKeepsVersion", testTouchKeepsVersion},
		{"WritersDistinctKeys", testWritersDistinctKeys},
		{"WritersIncrement", testWritersIncrement},
		{"UserIndexBasics", testUserIndexBasics},
		{"UserIndexUntil", testUserIndexUntil},
		{"UserIndexIDs", testUserIndexIDs},
		{"UserIndexBatch", testUserIndexBatch},
		{"UserIndexConcurrent", testUserIndexConcurrent},
		{"UserIndexMany", testUserIndexMany},
		{"UserIndexCancelled", testUserIndexCancelled},
		{"Generations", testGenerations},
		{"UsersListRevoke", testUsersListRevoke},
		{"UsersHashedKeys", testUsersHashedKeys},
		{"UsersRunningRequest", testUsersRunningRequest},
		{"UsersCycle", testUsersCycle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func newKey(t *testing.T) string {
	t.Helper()
	k, err := sessions.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func rec(data string, ttl time.Duration) sessions.Record {
	return sessions.Record{Data: []byte(data), Expiry: time.Now().Add(ttl).Truncate(time.Millisecond)}
}

var (
	create    = sessions.Condition{Mode: sessions.CreateOnly}
	update    = sessions.Condition{Mode: sessions.UpdateOnly}
	unchanged = func(b []byte) sessions.Condition {
		return sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: b}
	}
)

func mustSave(t *testing.T, s sessions.Store, key string, r sessions.Record, c sessions.Condition) {
	t.Helper()
	if err := s.Save(t.Context(), key, r, c); err != nil {
		t.Fatalf("Save(%s, %s): %v", key, c.Mode, err)
	}
}

func mustLoad(t *testing.T, s sessions.Store, key string) sessions.Record {
	t.Helper()
	r, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatalf("Load(%s): %v", key, err)
	}
	return r
}

func wantData(t *testing.T, s sessions.Store, key, want string) {
	t.Helper()
	if got := mustLoad(t, s, key); string(got.Data) != want {
		t.Fatalf("Load(%s) = %.60q, want %.60q", key, got.Data, want)
	}
}

func wantNotFound(t *testing.T, s sessions.Store, key string) {
	t.Helper()
	if _, err := s.Load(t.Context(), key); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Load(%s) error = %v, want ErrNotFound", key, err)
	}
	ok, err := s.Exists(t.Context(), key)
	if err != nil || ok {
		t.Fatalf("Exists(%s) = %v, %v; want false, nil", key, ok, err)
	}
}

func testCreateLoad(t *testing.T, s sessions.Store) {
	k := newKey(t)
	mustSave(t, s, k, rec("e30:1r31eq:sig", time.Hour), create)
	wantData(t, s, k, "e30:1r31eq:sig")
	if ok, err := s.Exists(t.Context(), k); err != nil || !ok {
		t.Fatalf("Exists = %v, %v; want true, nil", ok, err)
	}
}

func testLoadMissing(t *testing.T, s sessions.Store) {
	wantNotFound(t, s, newKey(t))
}

func testCreateCollision(t *testing.T, s sessions.Store) {
	k := newKey(t)
	mustSave(t, s, k, rec("first", time.Hour), create)
	err := s.Save(t.Context(), k, rec("second", time.Hour), create)
	if !errors.Is(err, sessions.ErrKeyExists) {
		t.Fatalf("second create: %v, want ErrKeyExists", err)
	}
	wantData(t, s, k, "first")
}

func testUpdateOnly(t *testing.T, s sessions.Store) {
	k := newKey(t)
	mustSave(t, s, k, rec("v1", time.Hour), create)
	v2 := rec("v2", time.Hour)
	mustSave(t, s, k, v2, update)
	wantData(t, s, k, "v2")
	// Writing identical bytes and expiry again is still a success (MySQL
	// reports no affected rows for it).
	mustSave(t, s, k, v2, update)
}

func testUpdateOnlyMissing(t *testing.T, s sessions.Store) {
	k := newKey(t)
	if err := s.Save(t.Context(), k, rec("v", time.Hour), update); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("update of missing record: %v, want ErrNotFound", err)
	}
	wantNotFound(t, s, k)
}

func testUpdateIfUnchanged(t *testing.T, s sessions.Store) {
	k := newKey(t)
	mustSave(t, s, k, rec("v1", time.Hour), create)
	loaded := mustLoad(t, s, k)
	v2 := rec("v2", time.Hour)
	mustSave(t, s, k, v2, unchanged(loaded.Data))
	wantData(t, s, k, "v2")
	// The same record again, against what is now stored.
	mustSave(t, s, k, v2, unchanged([]byte("v2")))
	wantData(t, s, k, "v2")
}

func testUpdateIfUnchangedConflict(t *testing.T, s sessions.Store) {
	k := newKey(t)
	mustSave(t, s, k, rec("v1", time.Hour), create)
	loaded := mustLoad(t, s, k)
	mustSave(t, s, k, rec("other", time.Hour), update)
	err := s.Save(t.Context(), k, rec("mine", time.Hour), unchanged(loaded.Data))
	if !errors.Is(err, sessions.ErrConflict) {
		t.Fatalf("stale update: %v, want ErrConflict", err)
	}
	wantData(t, s, k, "other")
}

func testUpdateIfUnchangedDeleted(t *testing.T, s sessions.Store) {
	k := newKey(t)
	mustSave(t, s, k, rec("v1", time.Hour), create)
	loaded := mustLoad(t, s, k)
	if err := s.Delete(t.Context(), k); err != nil {
		t.Fatal(err)
	}
	err := s.Save(t.Context(), k, rec("revived", time.Hour), unchanged(loaded.Data))
	if !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("update of deleted record: %v, want ErrNotFound", err)
	}
	wantNotFound(t, s, k)
}

func testDelete(t *testing.T, s sessions.Store) {
	k := newKey(t)
	mustSave(t, s, k, rec("v", time.Hour), create)
	if err := s.Delete(t.Context(), k); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, s, k)
}

func testDeleteMissing(t *testing.T, s sessions.Store) {
	if err := s.Delete(t.Context(), newKey(t)); err != nil {
		t.Fatalf("Delete of missing key: %v", err)
	}
}

func testExpiredOnSave(t *testing.T, s sessions.Store) {
	k := newKey(t)
	// A record saved already expired must never be returned. A store may
	// also refuse it; either way nothing live exists afterwards.
	_ = s.Save(t.Context(), k, rec("dead", -time.Hour), create)
	wantNotFound(t, s, k)
}

func testExpiresLater(t *testing.T, s sessions.Store) {
	k := newKey(t)
	mustSave(t, s, k, rec("short", 1500*time.Millisecond), create)
	wantData(t, s, k, "short")
	time.Sleep(2600 * time.Millisecond)
	wantNotFound(t, s, k)
	// An expired record is gone for updates too: a late writer cannot
	// bring it back.
	if err := s.Save(t.Context(), k, rec("late", time.Hour), update); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("update after expiry: %v, want ErrNotFound", err)
	}
}

func testExpiryKept(t *testing.T, s sessions.Store) {
	k := newKey(t)
	r := rec("v", 90*time.Minute)
	mustSave(t, s, k, r, create)
	got := mustLoad(t, s, k)
	if got.Expiry.IsZero() {
		t.Skip("store does not report Expiry on Load (it enforces expiry itself)")
	}
	if d := got.Expiry.Sub(r.Expiry); d < -time.Second || d > time.Second {
		t.Fatalf("Expiry = %v, saved %v (off by %v)", got.Expiry, r.Expiry, d)
	}
}

func testCreateOverExpired(t *testing.T, s sessions.Store) {
	k := newKey(t)
	_ = s.Save(t.Context(), k, rec("dead", -time.Hour), create)
	// Either outcome keeps the contract: the key is free, or the caller
	// is told to pick another one.
	err := s.Save(t.Context(), k, rec("fresh", time.Hour), create)
	switch {
	case err == nil:
		wantData(t, s, k, "fresh")
	case errors.Is(err, sessions.ErrKeyExists):
		wantNotFound(t, s, k)
	default:
		t.Fatalf("create over expired record: %v", err)
	}
}

func testUnicode(t *testing.T, s sessions.Store) {
	k := newKey(t)
	data := "Zoë 😀 日本語 \\ \" ' ; -- \t end"
	mustSave(t, s, k, rec(data, time.Hour), create)
	wantData(t, s, k, data)
}

func testLargePayload(t *testing.T, s sessions.Store) {
	k := newKey(t)
	var b strings.Builder
	for i := 0; b.Len() < 100<<10; i++ {
		fmt.Fprintf(&b, "%08x", i*2654435761)
	}
	data := b.String()
	mustSave(t, s, k, rec(data, time.Hour), create)
	got := mustLoad(t, s, k)
	if !bytes.Equal(got.Data, []byte(data)) {
		t.Fatalf("100 KB payload came back as %d bytes, different", len(got.Data))
	}
	loaded := got.Data
	mustSave(t, s, k, rec(data+"!", time.Hour), unchanged(loaded))
	wantData(t, s, k, data+"!")
}

func testConcurrentDistinct(t *testing.T, s sessions.Store) {
	const workers, rounds = 16, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			k, err := sessions.NewKey()
			if err != nil {
				errs <- err
				return
			}
			ctx := context.Background()
			if err := s.Save(ctx, k, rec("0", time.Hour), create); err != nil {
				errs <- fmt.Errorf("worker %d create: %w", w, err)
				return
			}
			prev := []byte("0")
			for i := 1; i <= rounds; i++ {
				next := fmt.Appendf(nil, "%d", i)
				if err := s.Save(ctx, k, sessions.Record{Data: next, Expiry: time.Now().Add(time.Hour)}, unchanged(prev)); err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, i, err)
					return
				}
				prev = next
			}
			r, err := s.Load(ctx, k)
			if err != nil || string(r.Data) != fmt.Sprint(rounds) {
				errs <- fmt.Errorf("worker %d final load = %q, %v", w, r.Data, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testConcurrentShared(t *testing.T, s sessions.Store) {
	// Every worker read the same version; update-if-unchanged must let
	// exactly one of them win.
	const workers = 12
	k := newKey(t)
	mustSave(t, s, k, rec("base", time.Hour), create)
	loaded := mustLoad(t, s, k).Data
	var wins, conflicts atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			<-start
			err := s.Save(context.Background(), k, rec(fmt.Sprintf("w%d", w), time.Hour), unchanged(loaded))
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, sessions.ErrConflict):
				conflicts.Add(1)
			default:
				t.Errorf("worker %d: %v", w, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins.Load() != 1 || conflicts.Load() != workers-1 {
		t.Fatalf("wins = %d, conflicts = %d; want 1 and %d", wins.Load(), conflicts.Load(), workers-1)
	}
	got := string(mustLoad(t, s, k).Data)
	if !strings.HasPrefix(got, "w") {
		t.Fatalf("after the race the record holds %q", got)
	}
}

func testCancelled(t *testing.T, s sessions.Store) {
	k := newKey(t)
	mustSave(t, s, k, rec("v", time.Hour), create)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Load(ctx, k); err == nil {
		t.Error("Load with a cancelled context succeeded")
	}
	if err := s.Save(ctx, k, rec("x", time.Hour), update); err == nil {
		t.Error("Save with a cancelled context succeeded")
	}
	if err := s.Delete(ctx, k); err == nil {
		t.Error("Delete with a cancelled context succeeded")
	}
	if _, err := s.Exists(ctx, k); err == nil {
		t.Error("Exists with a cancelled context succeeded")
	}
	wantData(t, s, k, "v")
}

func testDeleteExpired(t *testing.T, s sessions.Store) {
	d, ok := s.(sessions.ExpiredDeleter)
	if !ok {
		t.Skip("store does not implement sessions.ExpiredDeleter")
	}
	live, dead := newKey(t), newKey(t)
	mustSave(t, s, live, rec("live", time.Hour), create)
	_ = s.Save(t.Context(), dead, rec("dead", -time.Hour), create)
	if _, err := d.DeleteExpired(t.Context()); err != nil {
		t.Fatalf("DeleteExpired: %v", err)
	}
	wantData(t, s, live, "live")
	wantNotFound(t, s, dead)
	// A fresh create under the purged key works.
	mustSave(t, s, dead, rec("again", time.Hour), create)
	wantData(t, s, dead, "again")
}

func testTouch(t *testing.T, s sessions.Store) {
	tc, ok := s.(sessions.Toucher)
	if !ok {
		t.Skip("store does not implement sessions.Toucher")
	}
	k := newKey(t)
	mustSave(t, s, k, rec("v", time.Hour), create)
	later := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	if err := tc.Touch(t.Context(), k, later); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	got := mustLoad(t, s, k)
	// A store that does not report Expiry on Load is checked by its own
	// tests (Redis: PTTL); the data must survive the Touch either way.
	if got.Expiry.IsZero() {
		got.Expiry = later
	}
	if string(got.Data) != "v" || got.Expiry.Sub(later).Abs() > time.Second {
		t.Fatalf("after Touch: %q expiring %v, want %q expiring %v", got.Data, got.Expiry, "v", later)
	}
	if err := tc.Touch(t.Context(), newKey(t), later); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Touch of missing key: %v, want ErrNotFound", err)
	}
}
