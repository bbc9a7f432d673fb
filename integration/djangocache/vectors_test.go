package djangocache_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// The cache_backend sections of the vectors of real Django 3.2.25 (with
// django-redis 5.2.0), 4.2.30, 5.2.14 and 6.0.5 (RedisCache), copied from
// shared/django/.
var versions = []string{"3.2.25", "4.2.30", "5.2.14", "6.0.5"}

type keyVectors struct {
	DjangoVersion string `json:"django_version"`
	CacheBackend  struct {
		Backends []string `json:"backends_available"`
		Keys     []struct {
			Engine      string            `json:"engine"`
			EnginePrefx string            `json:"engine_key_prefix"`
			SessionKey  string            `json:"session_key"`
			Params      map[string]any    `json:"params"`
			StoreKey    string            `json:"session_cache_key"`
			MakeKey     map[string]string `json:"make_key"`
		} `json:"keys"`
		LocMem []struct {
			Engine   string             `json:"engine"`
			Params   map[string]any     `json:"params"`
			Key      string             `json:"session_key"`
			Timeouts map[string]float64 `json:"timeouts"`
		} `json:"locmem_observed"`
		LiveRedis struct {
			Runs []struct {
				Backend string  `json:"backend"`
				Engine  *string `json:"engine"`
				Key     string  `json:"session_key"`
				Redis   []struct {
					Key string `json:"key"`
					TTL int64  `json:"ttl"`
				} `json:"redis"`
			} `json:"runs"`
		} `json:"live_redis"`
	} `json:"cache_backend"`
}

func loadKeyVectors(t *testing.T, version string) keyVectors {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "cache_backend-"+version+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var v keyVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if v.DjangoVersion != version {
		t.Fatalf("file says Django %s, want %s", v.DjangoVersion, version)
	}
	return v
}

func engineOf(t *testing.T, name string) redisstore.DjangoEngine {
	t.Helper()
	switch name {
	case "django.contrib.sessions.backends.cache":
		return redisstore.DjangoCacheEngine
	case "django.contrib.sessions.backends.cached_db":
		return redisstore.DjangoCachedDBEngine
	}
	t.Fatalf("unknown engine %s", name)
	return ""
}

func params(p map[string]any) (string, int) {
	prefix, _ := p["KEY_PREFIX"].(string)
	version := 1
	if v, ok := p["VERSION"].(float64); ok {
		version = int(v)
	}
	return prefix, version
}

// TestVectorKeys: the Redis key Go uses is make_key's, for both engines,
// with default settings and with KEY_PREFIX and VERSION, in every version
// and every Redis backend (and LocMemCache, which shares the layout).
func TestVectorKeys(t *testing.T) {
	for _, version := range versions {
		v := loadKeyVectors(t, version)
		wantBackend := "django.core.cache.backends.redis.RedisCache"
		if strings.HasPrefix(version, "3.") {
			wantBackend = "django_redis.cache.RedisCache"
		}
		if !strings.Contains(strings.Join(v.CacheBackend.Backends, " "), wantBackend) {
			t.Fatalf("%s: vectors lack %s", version, wantBackend)
		}
		if len(v.CacheBackend.Keys) != 4 {
			t.Fatalf("%s: %d key vectors, want 4", version, len(v.CacheBackend.Keys))
		}
		for _, k := range v.CacheBackend.Keys {
			engine := engineOf(t, k.Engine)
			if string(engine) != k.EnginePrefx || k.StoreKey != k.EnginePrefx+k.SessionKey {
				t.Fatalf("%s: engine prefix %q, cache_key %q", version, k.EnginePrefx, k.StoreKey)
			}
			prefix, ver := params(k.Params)
			got := redisstore.DjangoCachePrefix(prefix, ver, engine) + k.SessionKey
			for backend, want := range k.MakeKey {
				if got != want {
					t.Errorf("%s %s %v: Go's key %q, make_key %q", version, backend, k.Params, got, want)
				}
			}
			if _, ok := k.MakeKey[wantBackend]; !ok {
				t.Errorf("%s: no make_key for %s", version, wantBackend)
			}
		}
		// LocMemCache saves: the key and the timeout Django gave a
		// default session, which is the TTL Go gives it.
		for _, lm := range v.CacheBackend.LocMem {
			prefix, ver := params(lm.Params)
			key := redisstore.DjangoCachePrefix(prefix, ver, engineOf(t, lm.Engine)) + lm.Key
			timeout, ok := lm.Timeouts[key]
			if !ok || len(lm.Timeouts) != 1 {
				t.Errorf("%s: Django saved %v, Go expects only %s", version, lm.Timeouts, key)
			}
			if time.Duration(timeout)*time.Second != sessions.DefaultCookieAge {
				t.Errorf("%s: Django's timeout %v, Go's default age %v", version, timeout, sessions.DefaultCookieAge)
			}
		}
		for _, run := range v.CacheBackend.LiveRedis.Runs {
			if run.Engine == nil {
				continue
			}
			want := redisstore.DjangoCachePrefix("", 1, engineOf(t, *run.Engine)) + run.Key
			if len(run.Redis) != 1 || run.Redis[0].Key != want || time.Duration(run.Redis[0].TTL)*time.Second != sessions.DefaultCookieAge {
				t.Errorf("%s %s: Redis held %+v, Go writes %s with TTL %v", version, run.Backend, run.Redis, want, sessions.DefaultCookieAge)
			}
		}
	}
}
