package main

import (
	"bytes"
	"context"
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
	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

const secret = "cmd-test-secret-0123456789abcdef"

// requireEnv returns a server's address from the environment; without it
// the test skips, except under CI, where it fails.
func requireEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set (required when CI is set)", name)
		}
		t.Skipf("%s is not set", name)
	}
	return v
}

// backend is one store the command runs against: its flags, and a store
// of the library's own on the same data for seeding and checking.
type backend struct {
	name  string
	flags []string
	store sessions.Store
	// expire adds a session that expired an hour ago (SQL only).
	expire func(t *testing.T)
}

func sqlBackend(t *testing.T, kind, dsn string, d gorm.Dialector) backend {
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	t.Cleanup(func() { _ = sqlDB.Close() })
	table := "sk_cmd_" + strings.ToLower(rand.Text()[:8])
	s, err := gormstore.New(db, gormstore.Options{Table: table})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, tb := range []string{table, table + "_user", table + "_user_gen"} {
			_ = db.Exec("DROP TABLE IF EXISTS " + tb).Error
		}
	})
	return backend{
		name: kind, flags: []string{"--store", kind, "--dsn", dsn, "--table", table}, store: s,
		expire: func(t *testing.T) {
			k, _ := sessions.NewKey()
			past := "2001-02-03 04:05:06"
			if err := db.Exec("INSERT INTO "+table+" (session_key, session_data, expire_date) VALUES (?, ?, ?)", k, "x", past).Error; err != nil {
				t.Fatal(err)
			}
		},
	}
}

func backends(t *testing.T) []backend {
	var out []backend
	file := filepath.Join(t.TempDir(), "app.db")
	out = append(out, sqlBackend(t, "sqlite", file, sqlite.Open(file)))
	if dsn := os.Getenv("SESSIONKIT_POSTGRES_DSN"); dsn != "" || os.Getenv("CI") != "" {
		dsn = requireEnv(t, "SESSIONKIT_POSTGRES_DSN")
		out = append(out, sqlBackend(t, "postgres", dsn, postgres.Open(dsn)))
	}
	if dsn := os.Getenv("SESSIONKIT_MYSQL_DSN"); dsn != "" || os.Getenv("CI") != "" {
		dsn = requireEnv(t, "SESSIONKIT_MYSQL_DSN")
		out = append(out, sqlBackend(t, "mysql", dsn, mysql.Open(dsn)))
	}
	if url := os.Getenv("SESSIONKIT_REDIS_URL"); url != "" || os.Getenv("CI") != "" {
		url = requireEnv(t, "SESSIONKIT_REDIS_URL")
		opt, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		opt.ContextTimeoutEnabled = true
		c := redis.NewClient(opt)
		t.Cleanup(func() { _ = c.Close() })
		prefix := "sk-cmd:" + rand.Text()[:8] + ":"
		s, err := redisstore.New(c, redisstore.Options{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, backend{name: "redis", flags: []string{"--store", "redis", "--redis-url", url, "--prefix", prefix}, store: s})
	}
	if addrs := os.Getenv("SESSIONKIT_REDIS_CLUSTER"); addrs != "" || os.Getenv("CI") != "" {
		addrs = requireEnv(t, "SESSIONKIT_REDIS_CLUSTER")
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ","), ContextTimeoutEnabled: true})
		t.Cleanup(func() { _ = c.Close() })
		prefix := "sk-cmd:" + rand.Text()[:8] + ":"
		s, err := redisstore.New(c, redisstore.Options{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, backend{name: "redis-cluster", flags: []string{"--store", "redis-cluster", "--redis-addrs", addrs, "--prefix", prefix}, store: s})
	}
	return out
}

// sk runs the command in-process with SESSIONKIT_SECRET set to sec.
func sk(t *testing.T, sec string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		if k == "SESSIONKIT_SECRET" {
			return sec
		}
		return ""
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	code = run(ctx, args, getenv, &out, &errOut)
	if strings.Contains(out.String()+errOut.String(), sec) && sec != "" {
		t.Fatalf("sessionkit %v printed the secret", args)
	}
	return code, out.String(), errOut.String()
}

func with(b backend, args ...string) []string {
	return append(append([]string{args[0]}, b.flags...), args[1:]...)
}

func TestCommands(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			m, err := sessions.New(sessions.Config{Store: b.store, Secret: secret})
			if err != nil {
				t.Fatal(err)
			}
			user := "ops-" + strings.ToLower(rand.Text()[:6])
			var keys []string
			for i := range 2 {
				s := m.Open(t.Context(), "")
				if err := s.SetUser(user, sessions.Device{UserAgent: "agent " + string(rune('A'+i)), IP: "203.0.113.9"}); err != nil {
					t.Fatal(err)
				}
				if err := s.Save(); err != nil {
					t.Fatal(err)
				}
				keys = append(keys, s.Key())
			}
			anon := m.Open(t.Context(), "")
			anon.Set("cart", 3)
			if err := anon.Save(); err != nil {
				t.Fatal(err)
			}
			if b.expire != nil {
				b.expire(t)
			}

			if code, out, errOut := sk(t, "", with(b, "count")...); code != exitOK || strings.TrimSpace(out) != "3 live sessions" {
				t.Fatalf("count: %d %q %q", code, out, errOut)
			}
			code, out, errOut := sk(t, secret, with(b, "users", "list", user, "--json")...)
			var list []sessions.UserSession
			if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 {
				t.Fatalf("users list: %d %q %q", code, out, errOut)
			}
			if code, out, _ := sk(t, secret, with(b, "users", "list", user)...); code != exitOK || !strings.Contains(out, "agent A") || !strings.Contains(out, "2 sessions") {
				t.Fatalf("users list (table): %d %q", code, out)
			}
			if code, out, _ := sk(t, secret, with(b, "show", keys[0])...); code != exitOK || !strings.Contains(out, "user:    "+user) {
				t.Fatalf("show: %d %q", code, out)
			}
			if code, out, _ := sk(t, secret, with(b, "show", "--json", anon.Key())...); code != exitOK || !strings.Contains(out, `"cart":3`) {
				t.Fatalf("show --json: %d %q", code, out)
			}
			if code, _, errOut := sk(t, "another-secret-entirely-0123456789", with(b, "show", keys[0])...); code != exitNotFound || strings.Contains(errOut, keys[0]) {
				t.Fatalf("show with the wrong secret: %d %q", code, errOut)
			}
			unknown, _ := sessions.NewKey()
			if code, _, _ := sk(t, secret, with(b, "show", unknown)...); code != exitNotFound {
				t.Fatalf("show of an unknown key: %d", code)
			}

			// Revoke one by ID, then the rest.
			id, revoked := list[0].ID, ""
			for _, k := range keys {
				if m.Open(t.Context(), k).ID() == id {
					revoked = k
				}
			}
			if revoked == "" {
				t.Fatalf("listed ID %s is no seeded session's", id)
			}
			if code, out, errOut := sk(t, secret, with(b, "users", "revoke", user, id)...); code != exitOK || !strings.Contains(out, "revoked "+id) {
				t.Fatalf("users revoke ID: %d %q %q", code, out, errOut)
			}
			if code, _, _ := sk(t, secret, with(b, "show", revoked)...); code != exitNotFound {
				t.Fatalf("show of a revoked session: %d, want %d", code, exitNotFound)
			}
			if code, _, _ := sk(t, secret, with(b, "users", "revoke", user, id)...); code != exitNotFound {
				t.Fatalf("revoking it again: %d, want %d", code, exitNotFound)
			}
			if code, out, _ := sk(t, secret, with(b, "users", "revoke", user, "--all")...); code != exitOK || !strings.Contains(out, "revoked 1 sessions") {
				t.Fatalf("users revoke --all: %d %q", code, out)
			}
			if code, out, _ := sk(t, secret, with(b, "count", "--user", user)...); code != exitOK || strings.TrimSpace(out) != "0 live sessions" {
				t.Fatalf("count --user after the revocations: %d %q", code, out)
			}

			code, out, errOut = sk(t, "", with(b, "clear")...)
			switch {
			case code != exitOK:
				t.Fatalf("clear: %d %q", code, errOut)
			case b.expire != nil && strings.TrimSpace(out) != "deleted 1 expired sessions":
				t.Fatalf("clear: %q, want the one expired row deleted", out)
			case b.expire == nil && !strings.Contains(out, "TTL"):
				t.Fatalf("clear on Redis: %q", out)
			}
			if code, out, _ := sk(t, "", with(b, "count")...); code != exitOK || strings.TrimSpace(out) != "1 live sessions" {
				t.Fatalf("count at the end: %d %q", code, out)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, exitUsage},
		{[]string{"--help"}, exitOK},
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"count"}, exitUsage},                                      // no store
		{[]string{"count", "--store", "oracle"}, exitUsage},                 // unknown store
		{[]string{"count", "--store", "postgres"}, exitUsage},               // no DSN
		{[]string{"users", "list"}, exitUsage},                              // no user
		{[]string{"users", "revoke", "u", "--all", "someid"}, exitUsage},    // both
		{[]string{"users", "revoke", "u", "--except", "someid"}, exitUsage}, // --except alone
		{[]string{"show", "--nope"}, exitUsage},
		{[]string{"show", "--help"}, exitOK},
		{[]string{"show", "--store", "sqlite", "--dsn", filepath.Join(t.TempDir(), "x.db"), "k"}, exitUsage}, // no secret
	} {
		if code, _, _ := sk(t, "", tc.args...); code != tc.code {
			t.Errorf("sessionkit %v: exit %d, want %d", tc.args, code, tc.code)
		}
	}
	_, out, _ := sk(t, "", "show", "--help")
	if !strings.Contains(out, "Example:") || !strings.Contains(out, "SESSIONKIT_SECRET") {
		t.Errorf("show --help has no example: %q", out)
	}
}

// TestBinary builds the command and runs it as a real process.
func TestBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "sessionkit")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--help").Output()
	if err != nil || !strings.Contains(string(out), "Exit codes") {
		t.Fatalf("--help: %v %q", err, out)
	}
	db := filepath.Join(t.TempDir(), "app.db")
	gdb, err := gorm.Open(sqlite.Open(db), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	s, err := gormstore.New(gdb, gormstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "count")
	cmd.Env = append(os.Environ(), "SESSIONKIT_STORE=sqlite", "SESSIONKIT_DSN="+db)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != "0 live sessions" {
		t.Fatalf("count from the environment: %v %q %q", err, out, stderr.String())
	}
	err = exec.Command(bin, "frobnicate").Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage {
		t.Fatalf("unknown command: %v, want exit %d", err, exitUsage)
	}
}
