package django_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

// Fixed instant of every test (2023-11-14T22:13:20Z, base62 "1r31eq"), the
// one the vectors use.
const (
	T0        = 1700000000
	cookieAge = 1209600
	secret    = "integration-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-!@#$%^&*(-_=+)"
	helper    = "testdata/djangohelper.py"
)

func at(sec int64) time.Time { return time.Unix(sec, 0) }

// requireEnv returns the environment variable name, skipping the test when
// it is unset, or failing it when CI is set (a missing service must not
// pass silently there).
func requireEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if inCI() {
		t.Fatalf("%s is not set (required when CI is set)", name)
	}
	hint := map[string]string{
		"SESSIONKIT_PYTHON":       "/usr/bin/python3 with Debian's python3-django 3.2",
		"SESSIONKIT_POSTGRES_DSN": "a PostgreSQL DSN whose user may CREATE DATABASE",
	}[name]
	t.Skipf("%s is not set (%s): skipping", name, hint)
	return ""
}

func inCI() bool { return os.Getenv("CI") != "" }

// settings configures one Django process (see djangohelper.py).
type settings struct {
	Secret    string    `json:"secret,omitempty"`
	UseTZ     bool      `json:"use_tz"`
	TimeZone  string    `json:"time_zone,omitempty"`
	Hashing   string    `json:"hashing,omitempty"`
	CookieAge int64     `json:"cookie_age,omitempty"`
	Engine    string    `json:"engine,omitempty"`
	Database  *dbConfig `json:"database,omitempty"`
	Auth      bool      `json:"auth,omitempty"`
}

type dbConfig struct {
	Engine   string `json:"engine"` // "sqlite" or "postgresql"
	Name     string `json:"name"`
	Host     string `json:"host,omitempty"`
	Port     uint16 `json:"port,omitempty"`
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
}

// defaults are Django's defaults with our secret, USE_TZ on.
func defaults() settings { return settings{Secret: secret, UseTZ: true} }

// op is one operation of a batch: {"op": name, ...fields}.
type op map[string]any

// result holds what any op returns; each op fills some fields.
type result struct {
	Error                string   `json:"error"`
	Traceback            string   `json:"traceback"`
	OK                   bool     `json:"ok"`
	Same                 *bool    `json:"same"`
	Value                string   `json:"value"`
	Key                  string   `json:"key"`
	SessionJSON          string   `json:"session_json"`
	Found                bool     `json:"found"`
	ExpiryAge            int64    `json:"expiry_age"`
	ExpiryDate           string   `json:"expiry_date"`
	ExpiryError          string   `json:"expiry_error"`
	ExpireAtBrowserClose bool     `json:"expire_at_browser_close"`
	Keys                 []string `json:"keys"`
	SessionData          string   `json:"session_data"`
	ExpireDate           *string  `json:"expire_date"`
	UserID               *string  `json:"user_id"`
	PasswordHash         string   `json:"password_hash"`
	Authenticated        bool     `json:"authenticated"`
	MWError              string   `json:"mw_error"`
	AgeType              string   `json:"age_type"`
	AgeValue             string   `json:"age_value"`
	MaxAge               string   `json:"max_age"`
}

// django runs ops in one Django process configured by cfg and returns one
// result per op. Any op that raised fails the test: ops report expected
// rejections in their fields, not as errors.
func django(t *testing.T, cfg settings, ops ...op) []result {
	t.Helper()
	return djangoBatch[result](t, cfg, ops...)
}

// raised reports the exception an op raised, if any.
func (r result) raised() (string, string) { return r.Error, r.Traceback }

// djangoBatch is django for ops whose results have more fields than
// result (they embed it).
func djangoBatch[R interface{ raised() (string, string) }](t *testing.T, cfg settings, ops ...op) []R {
	t.Helper()
	python := requireEnv(t, "SESSIONKIT_PYTHON")
	req, err := json.Marshal(map[string]any{"settings": cfg, "ops": ops})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), python, helper, "batch")
	cmd.Stdin = bytes.NewReader(req)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s batch: %v\nstderr:\n%s", python, helper, err, stderr.String())
	}
	var resp struct {
		Version string `json:"django_version"`
		Results []R    `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		t.Fatalf("helper output: %v\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.HasPrefix(resp.Version, "3.2") {
		t.Fatalf("Django %s: these tests pin Django 3.2's behaviour (Debian's python3-django)", resp.Version)
	}
	if len(resp.Results) != len(ops) {
		t.Fatalf("helper returned %d results for %d ops", len(resp.Results), len(ops))
	}
	for i, r := range resp.Results {
		if msg, tb := r.raised(); msg != "" {
			t.Fatalf("Django op %d (%v) raised %s\n%s", i, ops[i]["op"], msg, tb)
		}
	}
	return resp.Results
}

// encodeJSON is the session's JSON as core writes it.
func encodeJSON(t *testing.T, v map[string]any) string {
	t.Helper()
	b, err := sessions.JSONCodec{}.Append(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// clock is a settable clock for Config.Clock and store options.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(sec int64) *clock { return &clock{now: at(sec)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(sec int64) {
	c.mu.Lock()
	c.now = at(sec)
	c.mu.Unlock()
}

// cookieManager is a Manager over stores/cookie with Django's defaults;
// cfg gives the signing settings (Secret defaults to secret).
func cookieManager(t *testing.T, c *clock, cfg sessions.Config) *sessions.Manager {
	t.Helper()
	store, err := cookiestore.New(cookiestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.ClientStore, cfg.Clock = store, c.Now
	if cfg.Secret == "" {
		cfg.Secret = secret
	}
	m, err := sessions.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// serve runs handler behind m's middleware for one GET carrying the
// session cookie value ("" for none) and returns the response and the
// session cookie it set, or nil.
func serve(t *testing.T, m *sessions.Manager, cookie string, handler func(s *sessions.Session)) (*http.Response, *http.Cookie) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	name := m.Config().Cookie.Name
	if cookie != "" {
		req.Header.Set("Cookie", name+"="+cookie)
	}
	rec := httptest.NewRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler(sessions.FromContext(r.Context()))
		_, _ = io.WriteString(w, "ok")
	})).ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.Name == name {
			return res, c
		}
	}
	return res, nil
}
