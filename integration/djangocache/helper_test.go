package djangocache_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/picklecodec"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

const (
	secret = "djangocache-integration-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
	helper = "testdata/djangocache.py"
	// django-redis's PickleSerializer writes protocol 4 by default.
	djangoRedisProtocol = picklecodec.DefaultProtocol
)

// requireEnv returns the variable's value. When it is unset the test is
// skipped, except under CI, where a missing server is a failure.
func requireEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set (required when CI is set)", name)
		}
		t.Skipf("%s is not set; skipping the test that needs it", name)
	}
	return v
}

// requireDjangoRedis checks that Django's side can import django_redis
// (Debian's python3-django-redis, which scripts/services.sh installs).
func requireDjangoRedis(t *testing.T, python string) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), python, "-c", "import django_redis").CombinedOutput()
	if err == nil {
		return
	}
	msg := python + " cannot import django_redis (apt-get install -y python3-django-redis): " + err.Error() + "\n" + string(out)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// side is one Django deployment both sides share: its settings, the Redis
// client Go uses, and (cached_db) the SQLite file of django_session.
type side struct {
	python    string
	redisURL  string
	client    *redis.Client
	keyPrefix string
	version   int    // the cache's VERSION
	engine    string // "cache" or "cached_db"
	dbPath    string
	db        *gorm.DB
}

func newSide(t *testing.T, engine string) *side {
	t.Helper()
	python := requireEnv(t, "SESSIONKIT_PYTHON")
	url := requireEnv(t, "SESSIONKIT_REDIS_URL")
	requireDjangoRedis(t, python)
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("SESSIONKIT_REDIS_URL: %v", err)
	}
	opt.ContextTimeoutEnabled = true
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	s := &side{python: python, redisURL: url, client: c, engine: engine, version: 1,
		keyPrefix: "sessionkit-djangocache-" + strings.ToLower(rand.Text()[:10])}
	if engine == "cache" {
		s.version = 7 // not Django's default, to see that both sides use it
	}
	if engine == "cached_db" {
		s.dbPath = filepath.Join(t.TempDir(), "db.sqlite3")
		s.django(t, op{"op": "migrate"})
		db, err := gorm.Open(sqlite.Open(s.dbPath+"?_pragma=busy_timeout(10000)"), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if sqlDB, err := db.DB(); err == nil {
				_ = sqlDB.Close()
			}
		})
		s.db = db
	}
	return s
}

// op is one operation of a batch: {"op": name, ...fields}.
type op map[string]any

type result struct {
	Error                string   `json:"error"`
	Traceback            string   `json:"traceback"`
	Raised               string   `json:"raised"`
	OK                   bool     `json:"ok"`
	Key                  string   `json:"key"`
	Found                bool     `json:"found"`
	SessionJSON          string   `json:"session_json"`
	ExpiryAge            *int64   `json:"expiry_age"`
	ExpiryAgeRepr        string   `json:"expiry_age_repr"`
	ExpireAtBrowserClose bool     `json:"expire_at_browser_close"`
	RedisKey             string   `json:"redis_key"`
	B64                  *string  `json:"b64"`
	TTL                  int64    `json:"ttl"`
	CookieExpires        *float64 `json:"cookie_expires"`
}

// session is the session Django holds, in Go's types.
func (r result) session(t *testing.T) map[string]any {
	t.Helper()
	v, err := sessions.JSONCodec{}.Decode([]byte(r.SessionJSON))
	if err != nil {
		t.Fatalf("Django's session %s: %v", r.SessionJSON, err)
	}
	return v
}

// django runs ops in one Django process and returns their results; an op
// that raised without expect_error fails the test.
func (s *side) django(t *testing.T, ops ...op) []result {
	t.Helper()
	cfg := map[string]any{"secret": secret, "redis_url": s.redisURL, "key_prefix": s.keyPrefix,
		"version": s.version, "engine": s.engine, "database": s.dbPath}
	req, err := json.Marshal(map[string]any{"settings": cfg, "ops": ops})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), s.python, helper)
	cmd.Stdin = bytes.NewReader(req)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s", s.python, helper, err, stderr.String())
	}
	var resp struct {
		Django      string   `json:"django_version"`
		DjangoRedis string   `json:"django_redis_version"`
		Results     []result `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		t.Fatalf("helper output: %v\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.HasPrefix(resp.Django, "3.2") {
		t.Fatalf("Django %s: these tests pin Debian's Django 3.2 with django-redis", resp.Django)
	}
	if len(resp.Results) != len(ops) {
		t.Fatalf("helper returned %d results for %d ops", len(resp.Results), len(ops))
	}
	for i, r := range resp.Results {
		if r.Error != "" {
			t.Fatalf("Django op %d (%v) raised %s\n%s", i, ops[i]["op"], r.Error, r.Traceback)
		}
	}
	return resp.Results
}

// manager is the Go side: a Manager over the store of s's engine.
func (s *side) manager(t *testing.T, codec picklecodec.Codec) *sessions.Manager {
	t.Helper()
	var store sessions.Store
	switch s.engine {
	case "cache":
		dc, err := redisstore.NewDjangoCache(s.client, redisstore.DjangoCacheOptions{KeyPrefix: s.keyPrefix, Version: s.version})
		if err != nil {
			t.Fatal(err)
		}
		store = dc
	case "cached_db":
		rows, err := gormstore.New(s.db, gormstore.Options{Table: "django_session"})
		if err != nil {
			t.Fatal(err)
		}
		cdb, err := redisstore.NewDjangoCachedDB(s.client, rows, redisstore.DjangoCachedDBOptions{
			KeyPrefix: s.keyPrefix, Version: s.version, Codec: codec,
			OnCacheError: func(op string, err error) { t.Errorf("cache %s failed: %v", op, err) },
		})
		if err != nil {
			t.Fatal(err)
		}
		store = cdb
	}
	m, err := sessions.New(sessions.Config{Store: store, Codec: codec, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// redisKey is the Redis key Go uses for session key k.
func (s *side) redisKey(k string) string {
	engine := redisstore.DjangoCacheEngine
	if s.engine == "cached_db" {
		engine = redisstore.DjangoCachedDBEngine
	}
	return redisstore.DjangoCachePrefix(s.keyPrefix, s.version, engine) + k
}

// goSave creates a session from Go with values (and expiry, if set).
func goSave(t *testing.T, m *sessions.Manager, values map[string]any, expiry func(*sessions.Session)) string {
	t.Helper()
	s := m.Open(t.Context(), "")
	s.SetAll(values)
	if expiry != nil {
		expiry(s)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	return s.Key()
}

func near(got, want, slack time.Duration) bool { return got <= want && got > want-slack }
