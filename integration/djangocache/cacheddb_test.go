package djangocache_test

import (
	"encoding/base64"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/picklecodec"
)

// Django 4.0+'s RedisCache writes protocol 5 and reads any; django-redis
// reads any too, so the cached_db tests also check that 3.2 reads 5.
var cachedDBCodec = picklecodec.Codec{Protocol: picklecodec.HighestProtocol}

// TestCachedDBGoToDjango: a Go save leaves the row and the cache copy
// Django's cached_db reads, from the cache and, with the copy gone, from
// the row; Django's change reaches Go.
func TestCachedDBGoToDjango(t *testing.T) {
	t.Parallel()
	s := newSide(t, "cached_db")
	m := s.manager(t, cachedDBCodec)
	values := map[string]any{"foo": "bar", "n": int64(1), "l": []any{"x", 1.5}}
	key := goSave(t, m, values, nil)
	r := s.django(t, op{"op": "raw", "key": key}, op{"op": "load", "key": key})
	if !r[0].Found || r[0].RedisKey != s.redisKey(key) {
		t.Fatalf("no cache copy under Django's key %s (Go's %s)", r[0].RedisKey, s.redisKey(key))
	}
	if !reflect.DeepEqual(r[1].session(t), values) {
		t.Fatalf("Django loaded %s from the cache, want %v", r[1].SessionJSON, values)
	}
	if err := s.client.Del(t.Context(), s.redisKey(key)).Err(); err != nil {
		t.Fatal(err)
	}
	r = s.django(t, op{"op": "load", "key": key}, op{"op": "raw", "key": key},
		op{"op": "modify", "key": key, "set": map[string]any{"django": true}})
	if !r[0].Found || !reflect.DeepEqual(r[0].session(t), values) {
		t.Fatalf("Django loaded %s from the row, want %v", r[0].SessionJSON, values)
	}
	if !r[1].Found {
		t.Fatal("Django's load did not refill the cache")
	}
	want := map[string]any{"foo": "bar", "n": int64(1), "l": []any{"x", 1.5}, "django": true}
	if got := m.Open(t.Context(), key).Values(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Go reads %v, want %v", got, want)
	}
	// And with Django's cache copy gone, from the row.
	if err := s.client.Del(t.Context(), s.redisKey(key)).Err(); err != nil {
		t.Fatal(err)
	}
	if got := m.Open(t.Context(), key).Values(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Go reads %v from the row, want %v", got, want)
	}
}

// TestCachedDBDjangoToGo: Django creates; Go reads (Django's pickle) and
// saves over it, with no conflict: the row decides, by content.
func TestCachedDBDjangoToGo(t *testing.T) {
	t.Parallel()
	s := newSide(t, "cached_db")
	m := s.manager(t, cachedDBCodec)
	r := s.django(t, op{"op": "create", "values": map[string]any{"z": 1, "a": 2}, "expiry": 600})
	key := r[0].Key
	sess := m.Open(t.Context(), key)
	if got := sess.Values(); got["z"] != int64(1) || got["a"] != int64(2) {
		t.Fatalf("Go reads %v", got)
	}
	if got := sess.ExpiryAge(); !near(got, 600*time.Second, time.Minute) {
		t.Fatalf("Go's age %v, want 600s", got)
	}
	sess.Set("go", "yes")
	if err := sess.Save(); err != nil {
		t.Fatal(err)
	}
	r = s.django(t, op{"op": "load", "key": key})
	want := map[string]any{"z": int64(1), "a": int64(2), "go": "yes", "_session_expiry": int64(600)}
	if got := r[0].session(t); !reflect.DeepEqual(got, want) || r[0].ExpiryAge == nil || *r[0].ExpiryAge != 600 {
		t.Fatalf("Django reads %v (age %s), want %v", got, r[0].ExpiryAgeRepr, want)
	}
}

// TestCachedDBDelete: a delete on either side is seen by the other, in
// the row and in the cache.
func TestCachedDBDelete(t *testing.T) {
	t.Parallel()
	s := newSide(t, "cached_db")
	m := s.manager(t, cachedDBCodec)
	key := goSave(t, m, map[string]any{"a": "b"}, nil)
	if err := m.Open(t.Context(), key).Flush(); err != nil {
		t.Fatal(err)
	}
	r := s.django(t, op{"op": "load", "key": key}, op{"op": "exists", "key": key},
		op{"op": "create", "values": map[string]any{"x": 1}})
	if r[0].Found || r[1].Found {
		t.Fatalf("Django still finds the session Go flushed: %+v", r[:2])
	}
	key = r[2].Key
	if got := m.Open(t.Context(), key).Values(); got["x"] != int64(1) {
		t.Fatalf("Go reads %v", got)
	}
	s.django(t, op{"op": "delete", "key": key})
	sess := m.Open(t.Context(), key)
	if got := sess.Values(); len(got) != 0 || sess.Key() != "" {
		t.Fatalf("Go still reads %v after Django's delete", got)
	}
	// Go's load just now may have left a lease of cachedstore's (for
	// seconds), never a copy.
	left, err := s.client.Get(t.Context(), s.redisKey(key)).Bytes()
	if err == nil {
		if _, derr := cachedDBCodec.Decode(left); derr == nil {
			t.Fatal("a copy is left in the cache")
		}
	} else if !errors.Is(err, redis.Nil) {
		t.Fatal(err)
	}
}

// TestCachedDBConcurrentWithDjango: a Go request that loaded before Django
// changed the session merges into Django's row instead of overwriting it,
// whether or not Django's cache copy is there yet; and one that loaded
// before Django deleted the session does not bring it back.
func TestCachedDBConcurrentWithDjango(t *testing.T) {
	t.Parallel()
	s := newSide(t, "cached_db")
	m := s.manager(t, cachedDBCodec)
	t.Run("change", func(t *testing.T) {
		key := goSave(t, m, map[string]any{"base": int64(0)}, nil)
		sess := m.Open(t.Context(), key)
		sess.Values()
		s.django(t, op{"op": "modify", "key": key, "set": map[string]any{"django": int64(1)}})
		sess.Set("go", int64(2))
		if err := sess.Save(); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"base": int64(0), "django": int64(1), "go": int64(2)}
		r := s.django(t, op{"op": "load", "key": key})
		if got := r[0].session(t); !reflect.DeepEqual(got, want) {
			t.Fatalf("Django reads %v, want %v: an update was lost", got, want)
		}
	})
	t.Run("delete", func(t *testing.T) {
		key := goSave(t, m, map[string]any{"base": int64(0)}, nil)
		sess := m.Open(t.Context(), key)
		sess.Values()
		s.django(t, op{"op": "delete", "key": key})
		sess.Set("late", true)
		if err := sess.Save(); !errors.Is(err, sessions.ErrSessionDeleted) {
			t.Fatalf("save after Django's delete: %v, want ErrSessionDeleted", err)
		}
		r := s.django(t, op{"op": "load", "key": key}, op{"op": "raw", "key": key})
		if r[0].Found || r[1].Found {
			t.Fatalf("the deleted session came back: %+v", r)
		}
	})
}

// TestCachedDBForeignCacheValue: whatever else is in Django's cache key (a
// lease cachedstore holds while a Go write is under way, garbage), Django
// falls back to the row (and writes its copy over it).
func TestCachedDBForeignCacheValue(t *testing.T) {
	t.Parallel()
	s := newSide(t, "cached_db")
	m := s.manager(t, cachedDBCodec)
	values := map[string]any{"a": "b"}
	key := goSave(t, m, values, nil)
	for _, v := range [][]byte{[]byte("\x00cachedstore-lease:SOMELEASETOKEN"), []byte("not a pickle")} {
		r := s.django(t, op{"op": "put_raw", "key": key, "b64": base64.StdEncoding.EncodeToString(v)},
			op{"op": "load", "key": key})
		if !r[1].Found || !reflect.DeepEqual(r[1].session(t), values) {
			t.Fatalf("with %q in the cache Django loads %s, want the row's %v", v, r[1].SessionJSON, values)
		}
	}
}
