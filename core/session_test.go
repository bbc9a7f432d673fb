package sessions_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

func TestNewSessionIsUntouched(t *testing.T) {
	f := newFixture(t, nil)
	s := f.m.Open(t.Context(), "")
	if s.Accessed() || s.Modified() || !s.IsEmpty() || s.Key() != "" {
		t.Fatalf("fresh session: accessed=%v modified=%v empty=%v key=%q", s.Accessed(), s.Modified(), s.IsEmpty(), s.Key())
	}
}

// TestFlags follows Django's SessionTestsMixin: which calls load, and which
// mark the session modified.
func TestFlags(t *testing.T) {
	tests := []struct {
		name         string
		seed         map[string]any
		op           func(s *sessions.Session)
		wantModified bool
	}{
		{"get missing", nil, func(s *sessions.Session) { s.Get("x") }, false},
		{"has", map[string]any{"x": 1}, func(s *sessions.Session) { s.Has("x") }, false},
		{"keys", map[string]any{"x": 1}, func(s *sessions.Session) { s.Keys() }, false},
		{"values", map[string]any{"x": 1}, func(s *sessions.Session) { s.Values() }, false},
		{"len", map[string]any{"x": 1}, func(s *sessions.Session) { s.Len() }, false},
		{"set", nil, func(s *sessions.Session) { s.Set("x", 1) }, true},
		{"set same value", map[string]any{"x": 1}, func(s *sessions.Session) { s.Set("x", 1) }, true},
		{"delete present", map[string]any{"x": 1}, func(s *sessions.Session) { s.Delete("x") }, true},
		{"delete missing", nil, func(s *sessions.Session) { s.Delete("x") }, false},
		{"pop present", map[string]any{"x": 1}, func(s *sessions.Session) { s.Pop("x") }, true},
		{"pop missing", nil, func(s *sessions.Session) { s.Pop("x") }, false},
		{"setdefault absent", nil, func(s *sessions.Session) { s.SetDefault("x", "bar") }, true},
		{"setdefault present", map[string]any{"x": "bar"}, func(s *sessions.Session) { s.SetDefault("x", "baz") }, false},
		{"update empty", nil, func(s *sessions.Session) { s.SetAll(nil) }, true},
		{"clear", map[string]any{"x": 1}, func(s *sessions.Session) { s.Clear() }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			key := ""
			if tt.seed != nil {
				key = f.seed(t, tt.seed)
			}
			s := f.m.Open(t.Context(), key)
			tt.op(s)
			if !s.Accessed() {
				t.Error("accessed = false, want true")
			}
			if s.Modified() != tt.wantModified {
				t.Errorf("modified = %v, want %v", s.Modified(), tt.wantModified)
			}
		})
	}
}

func TestMappingAPI(t *testing.T) {
	f := newFixture(t, nil)
	s := f.m.Open(t.Context(), "")
	s.Set("a", "x")
	if v := s.SetDefault("b", "bar"); v != "bar" {
		t.Fatalf("SetDefault = %v", v)
	}
	if v := s.SetDefault("b", "baz"); v != "bar" {
		t.Fatalf("second SetDefault = %v, want bar", v)
	}
	s.SetAll(map[string]any{"c": 3})
	if got := s.Keys(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("Keys = %v", got)
	}
	if v, ok := s.Pop("a"); !ok || v != "x" {
		t.Fatalf("Pop = %v, %v", v, ok)
	}
	if _, ok := s.Pop("a"); ok {
		t.Fatal("second Pop found the key")
	}
	if s.Len() != 2 || s.Has("a") || !s.Has("b") {
		t.Fatalf("after pop: len %d", s.Len())
	}
	s.Clear()
	if s.Len() != 0 {
		t.Fatal("Clear left data")
	}
}

func TestTypedGet(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{
		"int": 42, "float": 3.0, "frac": 2.5, "str": "s", "big": json.Number("18446744073709551616"), "neg": -7,
	})
	s := f.m.Open(t.Context(), key)
	if v, err := sessions.Get[int](s, "int"); err != nil || v != 42 {
		t.Errorf("Get[int](int) = %v, %v", v, err)
	}
	if v, err := sessions.Get[int](s, "float"); err != nil || v != 3 {
		t.Errorf("Get[int](3.0) = %v, %v", v, err)
	}
	if _, err := sessions.Get[int](s, "frac"); err == nil {
		t.Error("Get[int](2.5) converted")
	}
	if v, err := sessions.Get[float64](s, "int"); err != nil || v != 42 {
		t.Errorf("Get[float64](42) = %v, %v", v, err)
	}
	if _, err := sessions.Get[int64](s, "big"); err == nil {
		t.Error("Get[int64](2**64) converted")
	}
	if _, err := sessions.Get[uint64](s, "neg"); err == nil {
		t.Error("Get[uint64](-7) converted")
	}
	if v, err := sessions.Get[string](s, "str"); err != nil || v != "s" {
		t.Errorf("Get[string] = %v, %v", v, err)
	}
	if _, err := sessions.Get[string](s, "int"); err == nil {
		t.Error("Get[string](42) converted")
	}
	if s.GetInt("missing") != 0 || s.GetString("missing") != "" {
		t.Error("missing keys are not zero")
	}
}

func TestSaveAndReload(t *testing.T) {
	f := newFixture(t, nil)
	values := map[string]any{"user": "Zoë 😀", "n": 7, "nested": map[string]any{"l": []any{1, "two", nil, true}}}
	key := f.seed(t, values)
	if !sessions.ValidKey(key) || len(key) != 32 {
		t.Fatalf("key %q", key)
	}
	s := f.m.Open(t.Context(), key)
	if got := s.GetString("user"); got != "Zoë 😀" {
		t.Fatalf("user = %q", got)
	}
	if s.GetInt("n") != 7 {
		t.Fatal("n lost")
	}
	nested, _ := sessions.Get[map[string]any](s, "nested")
	if l, _ := nested["l"].([]any); len(l) != 4 || l[1] != "two" || l[2] != nil || l[3] != true {
		t.Fatalf("nested = %#v", nested)
	}
	if s.Key() != key {
		t.Fatal("key changed on load")
	}
}

func TestInvalidKeyIsNeverAdopted(t *testing.T) {
	for _, key := range []string{"1", "", "1234567", "UPPERCASE1234567", "../../etc/passwd", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"} {
		f := newFixture(t, nil)
		s := f.m.Open(t.Context(), key)
		if s.Len() != 0 {
			t.Fatalf("%q: data", key)
		}
		s.Set("x", 1)
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		if s.Key() == key || !sessions.ValidKey(s.Key()) {
			t.Fatalf("saved under %q for client key %q", s.Key(), key)
		}
	}
}

func TestUnknownKeyIsNeverAdopted(t *testing.T) {
	f := newFixture(t, nil)
	const chosen = "attackerchosenkey0000000000000000"
	s := f.m.Open(t.Context(), chosen)
	s.Set("x", 1)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if s.Key() == chosen {
		t.Fatal("session fixation: the client's key was adopted")
	}
	if ok, _ := f.store.Exists(t.Context(), chosen); ok {
		t.Fatal("a record was created under the client's key")
	}
}

func TestLoadDoesNotCreateRecord(t *testing.T) {
	f := newFixture(t, nil)
	const unknown = "unknownkey000000000000000000000a"
	s := f.m.Open(t.Context(), unknown)
	s.Get("x")
	if s.Key() != "" {
		t.Fatalf("key after loading an unknown key = %q, want none", s.Key())
	}
	if f.store.saves.Load() != 0 {
		t.Fatal("load created a record")
	}
}

func TestTamperedRecordIsEmpty(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"user": "alice"})
	rec, _ := f.store.Load(t.Context(), key)
	rec.Data[0] ^= 1
	_ = f.store.Save(t.Context(), key, rec, sessions.Condition{Mode: sessions.UpdateOnly})
	s := f.m.Open(t.Context(), key)
	if s.Has("user") || s.Key() != "" {
		t.Fatalf("tampered record was accepted: key %q", s.Key())
	}
}

func TestOtherSecretIsRejectedFallbackAccepted(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"user": "alice"})
	rotated, err := sessions.New(sessions.Config{Store: f.store, Secret: "new-secret", SecretFallbacks: []string{testSecret}, Clock: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if got := rotated.Open(t.Context(), key).GetString("user"); got != "alice" {
		t.Fatalf("fallback secret: user = %q", got)
	}
	other, _ := sessions.New(sessions.Config{Store: f.store, Secret: "new-secret", Clock: f.clock.Now})
	if other.Open(t.Context(), key).Has("user") {
		t.Fatal("data signed with another secret was accepted")
	}
}

func TestFlush(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"user": "alice"})
	s := f.m.Open(t.Context(), key)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if s.Key() != "" || !s.IsEmpty() || !s.Modified() || !s.Accessed() {
		t.Fatalf("after flush: key %q empty %v modified %v", s.Key(), s.IsEmpty(), s.Modified())
	}
	if ok, _ := f.store.Exists(t.Context(), key); ok {
		t.Fatal("old record survived flush")
	}
}

func TestCycleKey(t *testing.T) {
	for _, loadFirst := range []bool{true, false} {
		f := newFixture(t, nil)
		old := f.seed(t, map[string]any{"user": "alice"})
		s := f.m.Open(t.Context(), old)
		if loadFirst {
			s.Get("user")
		}
		if err := s.CycleKey(); err != nil {
			t.Fatal(err)
		}
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		if s.Key() == old || s.Key() == "" {
			t.Fatalf("key not cycled: %q", s.Key())
		}
		if ok, _ := f.store.Exists(t.Context(), old); ok {
			t.Fatal("old key still exists")
		}
		if got := f.m.Open(t.Context(), s.Key()).GetString("user"); got != "alice" {
			t.Fatalf("data lost in cycle (loaded first: %v): %q", loadFirst, got)
		}
	}
}

func TestSaveDoesNotResurrect(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"user": "alice"})
	s1 := f.m.Open(t.Context(), key)
	s1.Get("user")
	s2 := f.m.Open(t.Context(), key)
	if err := s2.Flush(); err != nil {
		t.Fatal(err)
	}
	s1.Set("cart", 3)
	if err := s1.Save(); !errors.Is(err, sessions.ErrSessionDeleted) {
		t.Fatalf("save after concurrent logout: %v, want ErrSessionDeleted", err)
	}
	if ok, _ := f.store.Exists(t.Context(), key); ok {
		t.Fatal("logged-out session was brought back")
	}
}

func TestConcurrentWritersMerge(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"keep": 1, "gone": 2, "both": 0})
	s1 := f.m.Open(t.Context(), key)
	s2 := f.m.Open(t.Context(), key)
	s1.Set("a", "from s1")
	s1.Set("both", 1)
	s2.Set("b", "from s2")
	s2.Delete("gone")
	s2.Set("both", 2)
	if err := s1.Save(); err != nil {
		t.Fatal(err)
	}
	if err := s2.Save(); err != nil {
		t.Fatal(err)
	}
	got := f.m.Open(t.Context(), key).Values()
	want := map[string]any{"keep": int64(1), "both": int64(2), "a": "from s1", "b": "from s2"}
	if len(got) != len(want) {
		t.Fatalf("merged = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("merged[%s] = %#v, want %#v (all: %v)", k, got[k], v, got)
		}
	}
}

func TestClearWinsOverConcurrentWrite(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"a": 1})
	s1 := f.m.Open(t.Context(), key)
	s2 := f.m.Open(t.Context(), key)
	s1.Get("a")
	s2.Set("b", 2)
	if err := s2.Save(); err != nil {
		t.Fatal(err)
	}
	s1.Clear()
	s1.Set("c", 3)
	if err := s1.Save(); err != nil {
		t.Fatal(err)
	}
	if got := f.m.Open(t.Context(), key).Keys(); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("after clear and concurrent write: %v, want [c]", got)
	}
}

func TestStoreOutageOnLoad(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"user": "alice"})
	f.store.down.Store(true)
	s := f.m.Open(t.Context(), key)
	if s.Has("user") {
		t.Fatal("data from a store that is down")
	}
	if !errors.Is(s.Load(), errDown) {
		t.Fatalf("Err = %v, want the store's error", s.Load())
	}
	s.Set("x", 1)
	if err := s.Save(); !errors.Is(err, errDown) {
		t.Fatalf("Save over a failed load: %v", err)
	}
	if s.Key() != key {
		t.Fatal("a store outage dropped the key")
	}
}

func TestConfigValidation(t *testing.T) {
	ms := &countingStore{}
	tests := []struct {
		name string
		cfg  sessions.Config
	}{
		{"no store", sessions.Config{Secret: "s"}},
		{"no secret", sessions.Config{Store: ms}},
		{"bad cookie name", sessions.Config{Store: ms, Secret: "s", Cookie: sessions.CookieConfig{Name: "a b"}}},
		{"tiny age", sessions.Config{Store: ms, Secret: "s", Cookie: sessions.CookieConfig{MaxAge: time.Millisecond}}},
	}
	for _, tt := range tests {
		if _, err := sessions.New(tt.cfg); !errors.Is(err, sessions.ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want ErrInvalidConfig", tt.name, err)
		}
	}
}

// TestMergeManyChangedKeys covers a request changing more keys than the
// session tracks inline.
func TestMergeManyChangedKeys(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"theirs": 0})
	s1 := f.m.Open(t.Context(), key)
	s2 := f.m.Open(t.Context(), key)
	s1.Get("theirs")
	for i := range 7 {
		s1.Set(fmt.Sprintf("k%d", i), i)
		s1.Set(fmt.Sprintf("k%d", i), i) // a repeat is tracked once
	}
	s1.Delete("k6")
	s2.Set("theirs", 1)
	if err := s2.Save(); err != nil {
		t.Fatal(err)
	}
	if err := s1.Save(); err != nil {
		t.Fatal(err)
	}
	got := f.m.Open(t.Context(), key)
	if got.Len() != 7 || got.GetInt("theirs") != 1 || got.GetInt("k5") != 5 || got.Has("k6") {
		t.Fatalf("merged = %v", got.Values())
	}
}

// TestInProcessStoreIsUnsigned: memstore's records never leave the process,
// so core keeps them as plain codec output; everything else still works.
func TestInProcessStoreIsUnsigned(t *testing.T) {
	store := memstore.New(memstore.Options{})
	m, err := sessions.New(sessions.Config{Store: store, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Open(t.Context(), "")
	s.Set("user", "alice")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	rec, err := store.Load(t.Context(), s.Key())
	if err != nil || string(rec.Data) != `{"user":"alice"}` {
		t.Fatalf("stored %q, %v", rec.Data, err)
	}
	if got := m.Open(t.Context(), s.Key()).GetString("user"); got != "alice" {
		t.Fatalf("reloaded user %q", got)
	}
	// Undecodable data is still an empty session under a new key.
	if err := store.Save(t.Context(), s.Key(), sessions.Record{Data: []byte("{broken"), Expiry: rec.Expiry}, sessions.Condition{Mode: sessions.UpdateOnly}); err != nil {
		t.Fatal(err)
	}
	if again := m.Open(t.Context(), s.Key()); again.Has("user") || again.Key() != "" {
		t.Fatal("undecodable record accepted")
	}
}
