package redisstore_test

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/picklecodec"
	"github.com/sessionkit/sessionkit/core/storetest"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

const djangoSecret = "django-insecure-redisstore-test-secret-0123456789"

// TestDjangoCachePrefix checks the key layout against make_key as Django
// 3.2 (django-redis 5.2.0), 4.2, 5.2 and 6.0 (RedisCache) computed it;
// they agree, and integration/djangocache reads the vector files.
func TestDjangoCachePrefix(t *testing.T) {
	tests := []struct {
		keyPrefix string
		version   int
		engine    redisstore.DjangoEngine
		key, want string
	}{
		{"", 1, redisstore.DjangoCacheEngine, "cachevectorkey000000000000000001",
			":1:django.contrib.sessions.cachecachevectorkey000000000000000001"},
		{"myapp", 3, redisstore.DjangoCacheEngine, "cachevectorkey000000000000000002",
			"myapp:3:django.contrib.sessions.cachecachevectorkey000000000000000002"},
		{"", 1, redisstore.DjangoCachedDBEngine, "cachevectorkey000000000000000003",
			":1:django.contrib.sessions.cached_dbcachevectorkey000000000000000003"},
		{"myapp", 3, redisstore.DjangoCachedDBEngine, "cachevectorkey000000000000000004",
			"myapp:3:django.contrib.sessions.cached_dbcachevectorkey000000000000000004"},
		{"", 0, redisstore.DjangoCacheEngine, "k", ":0:django.contrib.sessions.cachek"},
		{"a:b", -2, redisstore.DjangoCacheEngine, "k", "a:b:-2:django.contrib.sessions.cachek"},
	}
	for _, tt := range tests {
		if got := redisstore.DjangoCachePrefix(tt.keyPrefix, tt.version, tt.engine) + tt.key; got != tt.want {
			t.Errorf("DjangoCachePrefix(%q, %d, %s) + key = %q, want %q", tt.keyPrefix, tt.version, tt.engine, got, tt.want)
		}
	}
	// The options: VERSION 0 means Django's default 1.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer c.Close()
	s, err := redisstore.NewDjangoCache(c, redisstore.DjangoCacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Prefix() != ":1:django.contrib.sessions.cache" {
		t.Fatalf("default Prefix() = %q", s.Prefix())
	}
	s, err = redisstore.NewDjangoCache(c, redisstore.DjangoCacheOptions{KeyPrefix: "myapp", Version: 3})
	if err != nil {
		t.Fatal(err)
	}
	if s.Prefix() != "myapp:3:django.contrib.sessions.cache" {
		t.Fatalf("Prefix() = %q", s.Prefix())
	}
	if _, err := redisstore.NewDjangoCache(nil, redisstore.DjangoCacheOptions{}); !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Fatalf("nil client: %v", err)
	}
}

// djangoKeyPrefix is a KEY_PREFIX no other test run uses.
func djangoKeyPrefix() string { return "sessionkit-django-test-" + rand.Text()[:10] }

func TestDjangoCacheConformance(t *testing.T) {
	c := standalone(t)
	s, err := redisstore.NewDjangoCache(c, redisstore.DjangoCacheOptions{KeyPrefix: djangoKeyPrefix()})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Run(t, func(t *testing.T) sessions.Store { return s })
}

// fixedClock is one instant for the Manager and the store, so a TTL is
// exactly the age core computed.
func fixedClock() func() time.Time {
	t0 := time.Now().Truncate(time.Second)
	return func() time.Time { return t0 }
}

func djangoCacheManager(t *testing.T, c redis.UniversalClient, codec picklecodec.Codec) (*sessions.Manager, *redisstore.DjangoCache) {
	t.Helper()
	clock := fixedClock()
	store, err := redisstore.NewDjangoCache(c, redisstore.DjangoCacheOptions{KeyPrefix: djangoKeyPrefix(), Version: 2, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	m, err := sessions.New(sessions.Config{Store: store, Codec: codec, Secret: djangoSecret, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return m, store
}

// TestDjangoCacheRecords: what lands in Redis is the unsigned pickle under
// Django's key, with the TTL Django's get_expiry_age() gives.
func TestDjangoCacheRecords(t *testing.T) {
	c := standalone(t)
	age := sessions.DefaultCookieAge
	tests := []struct {
		name   string
		codec  picklecodec.Codec
		expiry func(s *sessions.Session)
		ttl    time.Duration
	}{
		{"default age, protocol 5", picklecodec.Codec{Protocol: 5}, func(*sessions.Session) {}, age},
		{"default age, protocol 4", picklecodec.Codec{}, func(*sessions.Session) {}, age},
		// Django stores browser-close sessions for SESSION_COOKIE_AGE.
		{"browser close", picklecodec.Codec{}, func(s *sessions.Session) { s.SetExpireAtBrowserClose() }, age},
		{"set_expiry(300)", picklecodec.Codec{}, func(s *sessions.Session) { s.SetMaxAge(300 * time.Second) }, 300 * time.Second},
		{"absolute", picklecodec.Codec{}, func(s *sessions.Session) { s.SetExpiresAt(time.Now().Truncate(time.Second).Add(90 * time.Minute)) }, 90 * time.Minute},
		{"absolute as datetime", picklecodec.Codec{DatetimeExpiry: true}, func(s *sessions.Session) {
			s.SetExpiresAt(time.Now().Truncate(time.Second).Add(2 * time.Hour))
		}, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, store := djangoCacheManager(t, c, tt.codec)
			s := m.Open(t.Context(), "")
			s.Set("foo", "bar")
			s.Set("n", 1)
			tt.expiry(s)
			if err := s.Save(); err != nil {
				t.Fatal(err)
			}
			rkey := store.Prefix() + s.Key()
			got, err := c.Get(t.Context(), rkey).Bytes()
			if err != nil {
				t.Fatalf("GET %s: %v", rkey, err)
			}
			want, err := tt.codec.Append(nil, s.Values())
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("Redis holds %q, want the unsigned pickle %q", got, want)
			}
			// The store set PX from a fixed clock, so the TTL starts at
			// exactly the age; Redis has counted down only since then.
			pttl, err := c.PTTL(t.Context(), rkey).Result()
			if err != nil {
				t.Fatal(err)
			}
			if pttl > tt.ttl || pttl < tt.ttl-time.Minute {
				t.Fatalf("PTTL %v, want %v (less the moments since the save)", pttl, tt.ttl)
			}
		})
	}
}

// TestDjangoCacheForeignValues: a session Django wrote (its key order, its
// protocol) loads; a raw int or a JSON blob under a session key is no
// session, and the key is dropped, never adopted.
func TestDjangoCacheForeignValues(t *testing.T) {
	c := standalone(t)
	m, store := djangoCacheManager(t, c, picklecodec.Codec{Protocol: 5})
	// Django 3.2 + django-redis's bytes for {'x': 1, '_session_expiry':
	// datetime(2023, 11, 14, 23, 13, 20, tzinfo=pytz.utc)}, insertion
	// order, with the year made 2099 (0x0833) so the session is live.
	django32 := "\x80\x04\x95Y\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01x\x94K\x01\x8c\x0f_session_expiry\x94\x8c\bdatetime\x94\x8c\bdatetime\x94\x93\x94C\n\b3\v\x0e\x17\r\x14\x00\x00\x00\x94\x8c\x04pytz\x94\x8c\x04_UTC\x94\x93\x94)R\x94\x86\x94R\x94u."
	// Django 4.2's bytes for {'foo': 'bar', 'n': 1}.
	django42 := "\x80\x05\x95\x17\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x03foo\x94\x8c\x03bar\x94\x8c\x01n\x94K\x01u."
	tests := []struct {
		name, value string
		want        map[string]any
	}{
		{"Django 4.2 session", django42, map[string]any{"foo": "bar", "n": int64(1)}},
		{"Django 3.2 datetime expiry", django32, map[string]any{"x": int64(1), "_session_expiry": "2099-11-14T23:13:20+00:00"}},
		{"raw int", "42", nil},
		{"JSON", `{"foo":"bar"}`, nil},
		{"os.system", "cos\nsystem\n(\x8c\x04echotR.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := sessions.NewKey()
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Set(t.Context(), store.Prefix()+key, tt.value, time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
			s := m.Open(t.Context(), key)
			got := s.Values()
			if tt.want == nil {
				if len(got) != 0 || s.Key() != "" {
					t.Fatalf("loaded %v under %q; want an empty session without the key", got, s.Key())
				}
				return
			}
			if s.Key() != key || len(got) != len(tt.want) {
				t.Fatalf("loaded %v under %q, want %v under %q", got, s.Key(), tt.want, key)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("%s = %#v, want %#v", k, got[k], v)
				}
			}
			// A change is a compare-and-set on Django's own bytes.
			s.Set("changed", true)
			if err := s.Save(); err != nil {
				t.Fatal(err)
			}
			if again := m.Open(t.Context(), key).Values(); again["changed"] != true || again["x"] != tt.want["x"] {
				t.Fatalf("after the save: %v", again)
			}
		})
	}
}

// TestDjangoCacheNeedsSecret: core still requires a Secret for a shared
// store, even though nothing is signed in Redis.
func TestDjangoCacheNeedsSecret(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer c.Close()
	store, err := redisstore.NewDjangoCache(c, redisstore.DjangoCacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.New(sessions.Config{Store: store, Codec: picklecodec.Codec{}}); !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Fatalf("New without Secret: %v, want ErrInvalidConfig", err)
	}
}
