package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// The UserIndex and GenerationStore sections: what core's per-user
// listing and revocation rely on from the store itself. The sections
// through a Manager are in users.go.

func userIndex(t *testing.T, s sessions.Store) sessions.UserIndex {
	t.Helper()
	ix, ok := s.(sessions.UserIndex)
	if !ok {
		t.Skip("store does not implement sessions.UserIndex")
	}
	if h, wraps := s.(interface{ HasUserIndex() bool }); wraps && !h.HasUserIndex() {
		t.Skip("store wraps one without sessions.UserIndex (HasUserIndex is false)")
	}
	return ix
}

// newUser returns a user id no other run uses, with the characters user
// ids have in practice (e-mail addresses, UUIDs, numbers) and some they
// might.
func newUser(t *testing.T, shape string) string {
	return fmt.Sprintf("%s-%s", shape, newKey(t)[:12])
}

func wantKeys(t *testing.T, ix sessions.UserIndex, user string, want ...string) {
	t.Helper()
	got, err := ix.UserKeys(t.Context(), user)
	if err != nil {
		t.Fatalf("UserKeys(%q): %v", user, err)
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("UserKeys(%q) = %d keys %v, want %d %v", user, len(got), got, len(want), want)
	}
}

func mustIndex(t *testing.T, ix sessions.UserIndex, user, key string, until time.Time) {
	t.Helper()
	if err := ix.IndexUser(t.Context(), user, key, until); err != nil {
		t.Fatalf("IndexUser(%q, %s): %v", user, key, err)
	}
}

// testUserIndexBasics: entries are per user, idempotent, and removable.
func testUserIndexBasics(t *testing.T, s sessions.Store) {
	ix := userIndex(t, s)
	later := time.Now().Add(time.Hour)
	a, b := newUser(t, "alice@example.com"), newUser(t, "42")
	ka, kb, kc, kd := newKey(t), newKey(t), newKey(t), newKey(t)
	wantKeys(t, ix, a)
	for _, k := range []string{ka, kb, kc} {
		mustIndex(t, ix, a, k, later)
	}
	mustIndex(t, ix, a, ka, later.Add(time.Hour)) // again: one entry, later until
	mustIndex(t, ix, b, kd, later)
	wantKeys(t, ix, a, ka, kb, kc)
	wantKeys(t, ix, b, kd)
	if err := ix.UnindexUser(t.Context(), a, kb, newKey(t)); err != nil {
		t.Fatalf("UnindexUser: %v", err)
	}
	wantKeys(t, ix, a, ka, kc)
	if err := ix.UnindexUser(t.Context(), a); err != nil {
		t.Fatalf("UnindexUser with no keys: %v", err)
	}
	if err := ix.UnindexUser(t.Context(), b, kd); err != nil {
		t.Fatalf("UnindexUser: %v", err)
	}
	wantKeys(t, ix, b)
	wantKeys(t, ix, a, ka, kc)
}

// testUserIndexUntil: an entry past its until is never returned, and
// moving until forward brings it back (the entry is the record's bound,
// not the record).
func testUserIndexUntil(t *testing.T, s sessions.Store) {
	ix := userIndex(t, s)
	u := newUser(t, "until")
	past, live := newKey(t), newKey(t)
	mustIndex(t, ix, u, past, time.Now().Add(-time.Second))
	mustIndex(t, ix, u, live, time.Now().Add(time.Hour))
	wantKeys(t, ix, u, live)
	mustIndex(t, ix, u, past, time.Now().Add(time.Hour))
	wantKeys(t, ix, u, live, past)
}

// testUserIndexIDs: user ids are opaque strings: separators, spaces,
// unicode and long ones do not leak into other users' entries.
func testUserIndexIDs(t *testing.T, s sessions.Store) {
	ix := userIndex(t, s)
	suffix := newKey(t)[:8]
	ids := []string{
		"u:" + suffix, "u:" + suffix + ":x", "u " + suffix, "ü—" + suffix, "{" + suffix + "}",
		"%" + suffix + "_*", string(slices.Repeat([]byte("long"), 60)) + suffix,
	}
	keys := make(map[string]string, len(ids))
	for _, id := range ids {
		keys[id] = newKey(t)
		mustIndex(t, ix, id, keys[id], time.Now().Add(time.Hour))
	}
	for _, id := range ids {
		wantKeys(t, ix, id, keys[id])
	}
}

// testUserIndexBatch: LoadKeys and DeleteKeys answer per key, in order,
// missing and expired keys included.
func testUserIndexBatch(t *testing.T, s sessions.Store) {
	ix := userIndex(t, s)
	live1, live2, missing, expired := newKey(t), newKey(t), newKey(t), newKey(t)
	mustSave(t, s, live1, rec("one", time.Hour), create)
	mustSave(t, s, live2, rec("two", time.Hour), create)
	_ = s.Save(t.Context(), expired, rec("old", -time.Hour), create) // may be refused
	keys := []string{live1, missing, expired, live2}
	recs, err := ix.LoadKeys(t.Context(), keys)
	if err != nil {
		t.Fatalf("LoadKeys: %v", err)
	}
	if len(recs) != len(keys) {
		t.Fatalf("LoadKeys returned %d records for %d keys", len(recs), len(keys))
	}
	for i, want := range []string{"one", "", "", "two"} {
		if string(recs[i].Data) != want || (want == "") != (recs[i].Data == nil) {
			t.Fatalf("LoadKeys[%d] = %q (nil %v), want %q", i, recs[i].Data, recs[i].Data == nil, want)
		}
	}
	if recs, err := ix.LoadKeys(t.Context(), nil); err != nil || len(recs) != 0 {
		t.Fatalf("LoadKeys(nil) = %v, %v", recs, err)
	}
	if err := ix.DeleteKeys(t.Context(), []string{live1, missing}); err != nil {
		t.Fatalf("DeleteKeys: %v", err)
	}
	wantNotFound(t, s, live1)
	wantData(t, s, live2, "two")
	if err := ix.DeleteKeys(t.Context(), nil); err != nil {
		t.Fatalf("DeleteKeys(nil): %v", err)
	}
}

// testUserIndexConcurrent: logins of one user on many instances at once
// all land in the index.
func testUserIndexConcurrent(t *testing.T, s sessions.Store) {
	ix := userIndex(t, s)
	u := newUser(t, "busy")
	const n = 32
	keys := make([]string, n)
	for i := range keys {
		keys[i] = newKey(t)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, k := range keys {
		wg.Go(func() {
			if err := ix.IndexUser(context.Background(), u, k, time.Now().Add(time.Hour)); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent IndexUser: %v", err)
	}
	wantKeys(t, ix, u, keys...)
}

// testUserIndexMany: a user with 1,000 sessions gets them all back.
func testUserIndexMany(t *testing.T, s sessions.Store) {
	ix := userIndex(t, s)
	u := newUser(t, "many")
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = newKey(t)
		mustIndex(t, ix, u, keys[i], time.Now().Add(time.Hour))
	}
	wantKeys(t, ix, u, keys...)
	if err := ix.UnindexUser(t.Context(), u, keys[:500]...); err != nil {
		t.Fatalf("UnindexUser of 500: %v", err)
	}
	wantKeys(t, ix, u, keys[500:]...)
}

// testUserIndexCancelled: every call honours a cancelled context.
func testUserIndexCancelled(t *testing.T, s sessions.Store) {
	ix := userIndex(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	u, k := newUser(t, "cancelled"), newKey(t)
	calls := map[string]error{
		"IndexUser":   ix.IndexUser(ctx, u, k, time.Now().Add(time.Hour)),
		"UnindexUser": ix.UnindexUser(ctx, u, k),
		"DeleteKeys":  ix.DeleteKeys(ctx, []string{k}),
	}
	_, calls["UserKeys"] = ix.UserKeys(ctx, u)
	_, calls["LoadKeys"] = ix.LoadKeys(ctx, []string{k})
	for name, err := range calls {
		if err == nil {
			t.Errorf("%s with a cancelled context succeeded", name)
		}
	}
}

func generations(t *testing.T, s sessions.Store) sessions.GenerationStore {
	t.Helper()
	g, ok := s.(sessions.GenerationStore)
	if !ok {
		t.Skip("store does not implement sessions.GenerationStore")
	}
	return g
}

// testGenerations: a counter per user, 0 until advanced, advanced once per
// call even when the calls race.
func testGenerations(t *testing.T, s sessions.Store) {
	gs := generations(t, s)
	a, b := newUser(t, "gen"), newUser(t, "gen")
	if g, err := gs.Generation(t.Context(), a); err != nil || g != 0 {
		t.Fatalf("Generation of a new user = %d, %v; want 0", g, err)
	}
	const n = 20
	got := make(chan uint64, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			g, err := gs.NextGeneration(context.Background(), a)
			if err != nil {
				t.Errorf("NextGeneration: %v", err)
			}
			got <- g
		})
	}
	wg.Wait()
	close(got)
	var seen []uint64
	for g := range got {
		seen = append(seen, g)
	}
	slices.Sort(seen)
	for i, g := range seen {
		if g != uint64(i+1) {
			t.Fatalf("concurrent NextGeneration returned %v, want 1..%d once each", seen, n)
		}
	}
	if g, err := gs.Generation(t.Context(), a); err != nil || g != n {
		t.Fatalf("Generation after %d advances = %d, %v", n, g, err)
	}
	if g, err := gs.Generation(t.Context(), b); err != nil || g != 0 {
		t.Fatalf("another user's Generation = %d, %v; want 0", g, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := gs.NextGeneration(ctx, b); err == nil {
		t.Errorf("NextGeneration with a cancelled context succeeded")
	}
}
