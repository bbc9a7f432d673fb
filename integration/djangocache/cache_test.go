package djangocache_test

import (
	"encoding/base64"
	"reflect"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/picklecodec"
)

var djangoRedisCodec = picklecodec.Codec{Protocol: djangoRedisProtocol}

// TestCacheGoToDjango: Go writes, Django's cache engine reads the same
// session, changes it, and Go reads the change.
func TestCacheGoToDjango(t *testing.T) {
	t.Parallel()
	s := newSide(t, "cache")
	m := s.manager(t, djangoRedisCodec)
	values := map[string]any{"foo": "bar", "n": int64(1), "unicode": "Zoë 😀",
		"nested": map[string]any{"l": []any{int64(1), 2.5, nil, true}}, "big": int64(1) << 40}
	key := goSave(t, m, values, nil)
	r := s.django(t,
		op{"op": "load", "key": key},
		op{"op": "raw", "key": key},
		op{"op": "modify", "key": key, "set": map[string]any{"django": "was here"}, "delete": []string{"foo"}},
	)
	if !r[0].Found || !reflect.DeepEqual(r[0].session(t), values) {
		t.Fatalf("Django loaded %v (found %v), want %v", r[0].SessionJSON, r[0].Found, values)
	}
	if r[1].RedisKey != s.redisKey(key) {
		t.Fatalf("Django's key %q, Go's %q", r[1].RedisKey, s.redisKey(key))
	}
	// Django's view of the TTL: SESSION_COOKIE_AGE, as it would set.
	if r[1].TTL > int64(sessions.DefaultCookieAge/time.Second) || r[1].TTL < int64(sessions.DefaultCookieAge/time.Second)-60 {
		t.Fatalf("TTL %d, want SESSION_COOKIE_AGE", r[1].TTL)
	}
	got := m.Open(t.Context(), key).Values()
	want := map[string]any{"n": int64(1), "unicode": "Zoë 😀", "nested": values["nested"], "big": int64(1) << 40, "django": "was here"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Go reads %v after Django's change, want %v", got, want)
	}
}

// TestCacheDjangoToGo: Django creates, Go reads and changes, Django reads
// the change; Django's own bytes are what Go's compare-and-set compares.
func TestCacheDjangoToGo(t *testing.T) {
	t.Parallel()
	s := newSide(t, "cache")
	m := s.manager(t, djangoRedisCodec)
	r := s.django(t, op{"op": "create", "values": map[string]any{"z": "last", "a": "first", "count": 41}})
	key := r[0].Key
	sess := m.Open(t.Context(), key)
	if got := sess.Values(); got["z"] != "last" || got["a"] != "first" || got["count"] != int64(41) {
		t.Fatalf("Go reads %v", got)
	}
	sess.Set("count", sess.GetInt("count")+1)
	if err := sess.Save(); err != nil {
		t.Fatal(err)
	}
	r = s.django(t, op{"op": "load", "key": key})
	if got := r[0].session(t); got["count"] != int64(42) || got["z"] != "last" {
		t.Fatalf("Django reads %v", got)
	}
}

// TestCacheDelete: a delete on either side is seen by the other.
func TestCacheDelete(t *testing.T) {
	t.Parallel()
	s := newSide(t, "cache")
	m := s.manager(t, djangoRedisCodec)
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
		t.Fatalf("Go still reads %v under %q after Django's delete", got, sess.Key())
	}
}

// TestCacheExpiry: Django and Go agree on what each expiry form means:
// the TTL in Redis, the age and the browser-close flag.
func TestCacheExpiry(t *testing.T) {
	t.Parallel()
	s := newSide(t, "cache")
	age := int64(sessions.DefaultCookieAge / time.Second)
	t.Run("Go writes", func(t *testing.T) {
		tests := []struct {
			name         string
			codec        picklecodec.Codec
			set          func(*sessions.Session)
			ttl          int64
			browserClose bool
		}{
			{"default", djangoRedisCodec, nil, age, false},
			{"browser close", djangoRedisCodec, func(s *sessions.Session) { s.SetExpireAtBrowserClose() }, age, true},
			{"max age 300", djangoRedisCodec, func(s *sessions.Session) { s.SetMaxAge(300 * time.Second) }, 300, false},
			{"absolute, as a datetime for 3.2", picklecodec.Codec{Protocol: djangoRedisProtocol, DatetimeExpiry: true},
				func(s *sessions.Session) { s.SetExpiresAt(time.Now().Add(2 * time.Hour)) }, 7200, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				m := s.manager(t, tt.codec)
				key := goSave(t, m, map[string]any{"v": 1}, tt.set)
				r := s.django(t, op{"op": "load", "key": key}, op{"op": "raw", "key": key},
					op{"op": "modify", "key": key, "set": map[string]any{"v": 2}}, op{"op": "raw", "key": key})
				if !r[0].Found || r[0].ExpiryAge == nil {
					t.Fatalf("Django: found %v, age %s", r[0].Found, r[0].ExpiryAgeRepr)
				}
				if *r[0].ExpiryAge > tt.ttl || *r[0].ExpiryAge < tt.ttl-60 || r[0].ExpireAtBrowserClose != tt.browserClose {
					t.Fatalf("Django: age %d, browser close %v; want %d, %v", *r[0].ExpiryAge, r[0].ExpireAtBrowserClose, tt.ttl, tt.browserClose)
				}
				for _, raw := range []result{r[1], r[3]} {
					if raw.TTL > tt.ttl || raw.TTL < tt.ttl-60 {
						t.Fatalf("TTL %d (Go's save, then Django's), want %d", raw.TTL, tt.ttl)
					}
				}
			})
		}
	})
	t.Run("Django writes", func(t *testing.T) {
		tests := []struct {
			name         string
			expiry       any
			age          time.Duration
			browserClose bool
		}{
			{"set_expiry(0)", 0, sessions.DefaultCookieAge, true},
			{"set_expiry(300)", 300, 300 * time.Second, false},
			// 3.2 stores the datetime itself; Go reads it as its ISO form.
			{"set_expiry(timedelta)", map[string]any{"timedelta": 5400}, 90 * time.Minute, false},
			{"set_expiry(datetime)", map[string]any{"datetime": time.Now().Add(3 * time.Hour).UTC().Format("2006-01-02T15:04:05+00:00")}, 3 * time.Hour, false},
		}
		m := s.manager(t, picklecodec.Codec{Protocol: djangoRedisProtocol, DatetimeExpiry: true})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := s.django(t, op{"op": "create", "values": map[string]any{"v": 1}, "expiry": tt.expiry})
				key := r[0].Key
				raw := s.django(t, op{"op": "raw", "key": key})[0]
				if time.Duration(raw.TTL)*time.Second > tt.age || time.Duration(raw.TTL)*time.Second < tt.age-time.Minute {
					t.Fatalf("Django's TTL %ds, want %v", raw.TTL, tt.age)
				}
				sess := m.Open(t.Context(), key)
				if got := sess.ExpiryAge(); !near(got, tt.age, time.Minute) || sess.ExpiresAtBrowserClose() != tt.browserClose {
					t.Fatalf("Go: age %v, browser close %v; want %v, %v", got, sess.ExpiresAtBrowserClose(), tt.age, tt.browserClose)
				}
				// Go's save keeps what Django reads: a datetime stays one.
				sess.Set("v", 2)
				if err := sess.Save(); err != nil {
					t.Fatal(err)
				}
				r = s.django(t, op{"op": "modify", "key": key, "set": map[string]any{"v": 3}}, op{"op": "raw", "key": key})
				if r[0].ExpiryAge == nil || !near(time.Duration(*r[0].ExpiryAge)*time.Second, tt.age, time.Minute) {
					t.Fatalf("Django after Go's save: age %s, want %v", r[0].ExpiryAgeRepr, tt.age)
				}
				if !near(time.Duration(r[1].TTL)*time.Second, tt.age, time.Minute) {
					t.Fatalf("TTL %ds after Django's save, want %v", r[1].TTL, tt.age)
				}
			})
		}
	})
	// Without DatetimeExpiry, Go's ISO string breaks Django 3.2 the way the
	// issue says: get_expiry_age returns it unchanged, and the save fails.
	t.Run("absolute as a str breaks 3.2", func(t *testing.T) {
		m := s.manager(t, djangoRedisCodec)
		key := goSave(t, m, map[string]any{"v": 1}, func(s *sessions.Session) { s.SetExpiresAt(time.Now().Add(time.Hour)) })
		r := s.django(t, op{"op": "load", "key": key}, op{"op": "modify", "key": key, "set": map[string]any{"v": 2}, "expect_error": true})
		if r[0].ExpiryAge != nil || r[0].ExpiryAgeRepr[0] != '\'' {
			t.Fatalf("get_expiry_age() = %s, want the str unchanged", r[0].ExpiryAgeRepr)
		}
		if r[1].Raised == "" {
			t.Fatal("Django 3.2 saved a session with a str expiry; the DatetimeExpiry option would be pointless")
		}
		t.Logf("Django 3.2 with a str _session_expiry: %s", r[1].Raised)
	})
}

// TestCacheDjangoBytes: Go's pickle of a session whose keys Django
// inserted in sorted order is Django's, byte for byte.
func TestCacheDjangoBytes(t *testing.T) {
	t.Parallel()
	s := newSide(t, "cache")
	r := s.django(t, op{"op": "create", "values": map[string]any{"a": "x", "b": []any{1, 2}, "c": map[string]any{"d": nil}}})
	raw := s.django(t, op{"op": "raw", "key": r[0].Key})[0]
	got, err := djangoRedisCodec.Append(nil, map[string]any{"a": "x", "b": []any{int64(1), int64(2)}, "c": map[string]any{"d": nil}})
	if err != nil {
		t.Fatal(err)
	}
	if want := *raw.B64; base64.StdEncoding.EncodeToString(got) != want {
		t.Fatalf("Go writes %s, django-redis wrote %s", base64.StdEncoding.EncodeToString(got), want)
	}
}
