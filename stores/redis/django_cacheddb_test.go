package redisstore_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/picklecodec"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// cachedDB is a DjangoCachedDB over the shared Redis and an in-memory
// "django_session" table, and rows, a Manager with the same Secret that
// reads and writes rows the way Django's db engine does.
type cachedDB struct {
	m       *sessions.Manager
	store   *redisstore.DjangoCachedDB
	durable *memstore.Store
	rows    *sessions.Manager
	redis   *redis.Client
	codec   picklecodec.Codec
	now     func() time.Time
}

func newCachedDB(t *testing.T) *cachedDB {
	t.Helper()
	c := standalone(t)
	clock := fixedClock()
	durable := memstore.New(memstore.Options{Clock: clock})
	t.Cleanup(func() { _ = durable.Close() })
	codec := picklecodec.Codec{Protocol: 5}
	store, err := redisstore.NewDjangoCachedDB(c, durable, redisstore.DjangoCachedDBOptions{
		KeyPrefix: djangoKeyPrefix(), Codec: codec, Clock: clock,
		OnCacheError: func(op string, err error) { t.Errorf("cache %s failed: %v", op, err) },
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := sessions.New(sessions.Config{Store: store, Codec: codec, Secret: djangoSecret, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sessions.New(sessions.Config{Store: memstore.New(memstore.Options{}), Secret: djangoSecret, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return &cachedDB{m: m, store: store, durable: durable, rows: rows, redis: c, codec: codec, now: clock}
}

// row returns the session a django_session row holds.
func (d *cachedDB) row(t *testing.T, key string) (map[string]any, bool) {
	t.Helper()
	rec, err := d.durable.Load(t.Context(), key)
	if errors.Is(err, sessions.ErrNotFound) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.rows.Decode(rec.Data)
	if err != nil {
		t.Fatalf("the row is not Django's signed session_data: %v", err)
	}
	return v, true
}

// djangoSave writes key as Django's cached_db does: the row, then the
// cache copy (cacheValue, or nothing when empty).
func (d *cachedDB) djangoSave(t *testing.T, key string, values map[string]any, cacheValue []byte) {
	t.Helper()
	data, err := d.rows.Encode(values)
	if err != nil {
		t.Fatal(err)
	}
	rec := sessions.Record{Data: data, Expiry: d.now().Add(time.Hour)}
	err = d.durable.Save(t.Context(), key, rec, sessions.Condition{Mode: sessions.UpdateOnly})
	if errors.Is(err, sessions.ErrNotFound) {
		err = d.durable.Save(t.Context(), key, rec, sessions.Condition{Mode: sessions.CreateOnly})
	}
	if err != nil {
		t.Fatal(err)
	}
	if cacheValue != nil {
		if err := d.redis.Set(t.Context(), d.store.Prefix()+key, cacheValue, time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

func (d *cachedDB) cached(t *testing.T, key string) ([]byte, bool) {
	t.Helper()
	b, err := d.redis.Get(t.Context(), d.store.Prefix()+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return b, true
}

func (d *cachedDB) create(t *testing.T, values map[string]any) string {
	t.Helper()
	s := d.m.Open(t.Context(), "")
	s.SetAll(values)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	return s.Key()
}

func TestDjangoCachedDBConfig(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer c.Close()
	durable := memstore.New(memstore.Options{})
	defer durable.Close()
	for name, opts := range map[string]redisstore.DjangoCachedDBOptions{
		"DatetimeExpiry": {Codec: picklecodec.Codec{DatetimeExpiry: true}},
		"protocol 3":     {Codec: picklecodec.Codec{Protocol: 3}},
	} {
		if _, err := redisstore.NewDjangoCachedDB(c, durable, opts); !errors.Is(err, sessions.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
	if _, err := redisstore.NewDjangoCachedDB(c, nil, redisstore.DjangoCachedDBOptions{}); !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Errorf("nil durable: %v", err)
	}
	s, err := redisstore.NewDjangoCachedDB(c, durable, redisstore.DjangoCachedDBOptions{KeyPrefix: "p", Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	if s.Prefix() != "p:4:django.contrib.sessions.cached_db" {
		t.Errorf("Prefix() = %q", s.Prefix())
	}
	// Unbound, it cannot sign rows: every call says how to fix it.
	if _, err := s.Load(t.Context(), "k"); !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Errorf("unbound Load: %v", err)
	}
	if err := s.Save(t.Context(), "k", sessions.Record{}, sessions.Condition{Mode: sessions.CreateOnly}); !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Errorf("unbound Save: %v", err)
	}
}

// TestDjangoCachedDBRecords: a Go save leaves Django's signed row and
// Django's pickled cache copy, with the same expiry.
func TestDjangoCachedDBRecords(t *testing.T) {
	d := newCachedDB(t)
	values := map[string]any{"foo": "bar", "n": int64(1), "nested": map[string]any{"l": []any{1.5, nil}}}
	key := d.create(t, values)
	got, ok := d.row(t, key)
	if !ok || !reflect.DeepEqual(got, values) {
		t.Fatalf("row = %v, %v; want %v", got, ok, values)
	}
	rec, _ := d.durable.Load(t.Context(), key)
	if want := d.now().Add(sessions.DefaultCookieAge); !rec.Expiry.Equal(want) {
		t.Fatalf("row expires %v, want %v", rec.Expiry, want)
	}
	copy, ok := d.cached(t, key)
	want, _ := d.codec.Append(nil, values)
	if !ok || string(copy) != string(want) {
		t.Fatalf("cache copy = %q, want %q", copy, want)
	}
	// Django's copy lives get_expiry_age(); cachedstore caps its copies
	// shorter (Options.MaxCacheTTL). Either way it ends before the row.
	pttl, _ := d.redis.PTTL(t.Context(), d.store.Prefix()+key).Result()
	if pttl <= 0 || pttl > sessions.DefaultCookieAge {
		t.Fatalf("cache PTTL %v, want within the row's lifetime", pttl)
	}
}

// TestDjangoCachedDBFill: with the cache copy gone, a load reads the row
// and copies it into the cache, as Django's load does.
func TestDjangoCachedDBFill(t *testing.T) {
	d := newCachedDB(t)
	values := map[string]any{"a": "b"}
	key := d.create(t, values)
	if err := d.redis.Del(t.Context(), d.store.Prefix()+key).Err(); err != nil {
		t.Fatal(err)
	}
	if got := d.m.Open(t.Context(), key).Values(); !reflect.DeepEqual(got, values) {
		t.Fatalf("loaded %v, want %v", got, values)
	}
	copy, ok := d.cached(t, key)
	want, _ := d.codec.Append(nil, values)
	if !ok || string(copy) != string(want) {
		t.Fatalf("cache copy after the miss = %q, %v; want %q", copy, ok, want)
	}
}

// TestDjangoCachedDBDjangoCopy: Django's cache copy (its key order) loads,
// and saving over it is no conflict: the row decides, by content.
func TestDjangoCachedDBDjangoCopy(t *testing.T) {
	d := newCachedDB(t)
	key, err := sessions.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	// CPython's pickle.dumps({'n': 1, 'foo': 'bar'}, 5).
	djangoCopy := []byte("\x80\x05\x95\x17\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01n\x94K\x01\x8c\x03foo\x94\x8c\x03bar\x94u.")
	d.djangoSave(t, key, map[string]any{"n": int64(1), "foo": "bar"}, djangoCopy)
	s := d.m.Open(t.Context(), key)
	if got := s.Values(); got["n"] != int64(1) || got["foo"] != "bar" {
		t.Fatalf("loaded %v", got)
	}
	s.Set("go", true)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": int64(1), "foo": "bar", "go": true}
	if got, _ := d.row(t, key); !reflect.DeepEqual(got, want) {
		t.Fatalf("row = %v, want %v", got, want)
	}
	copy, _ := d.cached(t, key)
	if got, err := d.codec.Decode(copy); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("cache = %v, %v; want %v", got, err, want)
	}
}

// TestDjangoCachedDBInterleavings: conditional writes hold across the two
// halves, whichever side wrote last.
func TestDjangoCachedDBInterleavings(t *testing.T) {
	t.Run("two Go writers", func(t *testing.T) {
		d := newCachedDB(t)
		key := d.create(t, map[string]any{"base": int64(0)})
		a, b := d.m.Open(t.Context(), key), d.m.Open(t.Context(), key)
		a.Values()
		b.Values()
		a.Set("a", int64(1))
		b.Set("b", int64(2))
		if err := a.Save(); err != nil {
			t.Fatal(err)
		}
		if err := b.Save(); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"base": int64(0), "a": int64(1), "b": int64(2)}
		if got, _ := d.row(t, key); !reflect.DeepEqual(got, want) {
			t.Fatalf("row = %v, want %v (an update was lost)", got, want)
		}
		if got := d.m.Open(t.Context(), key).Values(); !reflect.DeepEqual(got, want) {
			t.Fatalf("load = %v, want %v", got, want)
		}
	})
	t.Run("Django wrote the row, its cache set not yet done", func(t *testing.T) {
		d := newCachedDB(t)
		key := d.create(t, map[string]any{"base": int64(0)})
		s := d.m.Open(t.Context(), key)
		s.Values() // from the cache copy, soon stale
		d.djangoSave(t, key, map[string]any{"base": int64(0), "django": "yes"}, nil)
		s.Set("go", "yes")
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"base": int64(0), "django": "yes", "go": "yes"}
		if got, _ := d.row(t, key); !reflect.DeepEqual(got, want) {
			t.Fatalf("row = %v, want %v", got, want)
		}
		copy, _ := d.cached(t, key)
		if got, _ := d.codec.Decode(copy); !reflect.DeepEqual(got, want) {
			t.Fatalf("cache = %v, want %v", got, want)
		}
	})
	t.Run("deleted meanwhile", func(t *testing.T) {
		d := newCachedDB(t)
		key := d.create(t, map[string]any{"base": int64(0)})
		s := d.m.Open(t.Context(), key)
		s.Values()
		if err := d.m.Open(t.Context(), key).Flush(); err != nil {
			t.Fatal(err)
		}
		s.Set("late", true)
		if err := s.Save(); !errors.Is(err, sessions.ErrSessionDeleted) {
			t.Fatalf("save after delete: %v, want ErrSessionDeleted", err)
		}
		if _, ok := d.row(t, key); ok {
			t.Fatal("the row came back")
		}
		if _, ok := d.cached(t, key); ok {
			t.Fatal("the cache copy came back")
		}
	})
}

// TestDjangoCachedDBTampered: a row that fails verification is no session,
// and is never copied into the cache.
func TestDjangoCachedDBTampered(t *testing.T) {
	d := newCachedDB(t)
	key, err := sessions.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	forged := sessions.Record{Data: []byte(`eyJfYXV0aF91c2VyX2lkIjoiMSJ9:1r31eq:forgedsignature`), Expiry: d.now().Add(time.Hour)}
	if err := d.durable.Save(t.Context(), key, forged, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatal(err)
	}
	s := d.m.Open(t.Context(), key)
	if got := s.Values(); len(got) != 0 || s.Key() != "" {
		t.Fatalf("loaded %v under %q from a forged row", got, s.Key())
	}
	// The cache may hold a lease of cachedstore's for a few seconds, never
	// a session.
	if b, ok := d.cached(t, key); ok {
		if _, err := d.codec.Decode(b); err == nil {
			t.Fatal("the forged row was copied into the cache")
		}
	}
}

func TestDjangoCachedDBTouch(t *testing.T) {
	d := newCachedDB(t)
	key := d.create(t, map[string]any{"a": "b"})
	later := d.now().Add(3 * time.Hour)
	if err := d.store.Touch(t.Context(), key, later); err != nil {
		// The Manager binds its own copy; the one built by New is unbound.
		if !errors.Is(err, sessions.ErrInvalidConfig) {
			t.Fatal(err)
		}
	}
	bound := d.store.BindUnsigned(nil)
	if _, err := bound.Load(t.Context(), key); !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Fatalf("bound without a signer: %v", err)
	}
}
