package sessions_test

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/signing"
	"github.com/sessionkit/sessionkit/core/storetest"
)

// The store contract holds through the store a Manager with HashKeys
// calls, so every store that passes the suite keeps passing with it.
func TestHashKeysConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sessions.Store {
		inner := memstore.New(memstore.Options{})
		t.Cleanup(func() { _ = inner.Close() })
		m, err := sessions.New(sessions.Config{Store: inner, Secret: testSecret, HashKeys: true})
		if err != nil {
			t.Fatal(err)
		}
		return sessions.StoreOf(m)
	})
}

// keyRecorder records every key core hands the store.
type keyRecorder struct {
	sessions.Store
	mu   sync.Mutex
	keys map[string]bool
}

func (r *keyRecorder) saw(key string) {
	r.mu.Lock()
	r.keys[key] = true
	r.mu.Unlock()
}

func (r *keyRecorder) Load(ctx context.Context, key string) (sessions.Record, error) {
	r.saw(key)
	return r.Store.Load(ctx, key)
}

func (r *keyRecorder) Save(ctx context.Context, key string, rec sessions.Record, c sessions.Condition) error {
	r.saw(key)
	return r.Store.Save(ctx, key, rec, c)
}

func (r *keyRecorder) Delete(ctx context.Context, key string) error {
	r.saw(key)
	return r.Store.Delete(ctx, key)
}

// With HashKeys the store never sees a key a client carries, only 40
// lowercase hex characters (a valid key for every store, Django's column
// width); the session still loads, cycles and flushes by its raw key.
func TestHashKeysAtRest(t *testing.T) {
	inner := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = inner.Close() })
	rec := &keyRecorder{Store: inner, keys: map[string]bool{}}
	m, err := sessions.New(sessions.Config{Store: rec, Secret: testSecret, HashKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	s := m.Open(ctx, "")
	s.Set("user", "alice")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	k1 := s.Key()
	if got := m.Open(ctx, k1).GetString("user"); got != "alice" {
		t.Fatalf("reload: user %q, want alice", got)
	}
	s = m.Open(ctx, k1)
	if err := s.CycleKey(); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	k2 := s.Key()
	if k2 == k1 || m.Open(ctx, k1).GetString("user") != "" || m.Open(ctx, k2).GetString("user") != "alice" {
		t.Fatalf("after CycleKey: old key %q still loads or new key %q does not", k1, k2)
	}
	if err := m.Open(ctx, k2).Flush(); err != nil {
		t.Fatal(err)
	}
	if m.Open(ctx, k2).GetString("user") != "" {
		t.Fatal("flushed session still loads")
	}
	hashed := regexp.MustCompile(`^[0-9a-f]{40}$`)
	for key := range rec.keys {
		if key == k1 || key == k2 {
			t.Errorf("the store saw raw key %q", key)
		}
		if !hashed.MatchString(key) || !sessions.ValidKey(key) {
			t.Errorf("stored key %q is not 40 lowercase hex characters", key)
		}
	}
	if len(rec.keys) < 2 {
		t.Errorf("store saw %d keys, want both sessions' hashes", len(rec.keys))
	}
	if ok, _ := inner.Exists(ctx, k1); ok {
		t.Error("a record lives under the raw key")
	}
	if inner.Len() != 0 {
		t.Errorf("%d records left after cycle and flush, want 0", inner.Len())
	}

	// The hash is keyed by Secret: another secret finds nothing, which is
	// why rotating Secret with HashKeys on logs users out.
	s = m.Open(ctx, "")
	s.Set("user", "bob")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	other, err := sessions.New(sessions.Config{Store: inner, Secret: testSecret + "-rotated", SecretFallbacks: []string{testSecret}, HashKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := other.Open(ctx, s.Key()).GetString("user"); got != "" {
		t.Errorf("another secret loaded %q", got)
	}
}

// Toucher is kept exactly when the store has it: core type-asserts it
// for the idle timeout.
func TestHashKeysKeepsToucher(t *testing.T) {
	inner := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = inner.Close() })
	cases := []struct {
		name  string
		store sessions.Store
		want  bool
	}{
		{"memstore", inner, true},
		{"plain", struct{ sessions.Store }{inner}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := sessions.New(sessions.Config{Store: c.store, Secret: testSecret, HashKeys: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := sessions.StoreOf(m).(sessions.Toucher); ok != c.want {
				t.Errorf("Toucher = %v, want %v", ok, c.want)
			}
		})
	}
}

type rawKeysStore struct{ sessions.Store }

func (rawKeysStore) RawKeys() bool { return true }

type unsignedStore struct{ sessions.Store }

func (u unsignedStore) BindUnsigned(*signing.Signer) sessions.Store { return u.Store }

type fakeClientStore struct{}

func (fakeClientStore) Encode(*signing.Signer, []byte, time.Time) (string, error) { return "", nil }
func (fakeClientStore) Decode(*signing.Signer, string, time.Duration, time.Time) ([]byte, error) {
	return nil, errors.New("no")
}

// New refuses HashKeys where it cannot work or would break sharing with
// Django.
func TestHashKeysRefused(t *testing.T) {
	inner := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = inner.Close() })
	cases := []struct {
		name string
		cfg  sessions.Config
	}{
		{"no secret", sessions.Config{Store: inner}},
		{"client store", sessions.Config{ClientStore: fakeClientStore{}, Secret: testSecret}},
		{"django table", sessions.Config{Store: rawKeysStore{inner}, Secret: testSecret}},
		{"django cache format", sessions.Config{Store: unsignedStore{inner}, Secret: testSecret}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := sessions.New(c.cfg); err != nil {
				t.Fatalf("without HashKeys: %v", err)
			}
			c.cfg.HashKeys = true
			if _, err := sessions.New(c.cfg); !errors.Is(err, sessions.ErrInvalidConfig) {
				t.Fatalf("with HashKeys: err %v, want ErrInvalidConfig", err)
			}
		})
	}
}
