package django_test

import (
	"crypto/rand"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// testDB is one fresh database both sides use: Go through GORM, Django
// through the settings in dj.
type testDB struct {
	gorm *gorm.DB
	dj   *dbConfig
}

func openGorm(t *testing.T, d gorm.Dialector) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}

// newDB returns an empty database: an SQLite file in t.TempDir(), or a new
// PostgreSQL database on SESSIONKIT_POSTGRES_DSN's server, dropped at the
// end, so tests never meet each other's django_session tables.
func newDB(t *testing.T, backend string) testDB {
	t.Helper()
	switch backend {
	case "sqlite":
		path := filepath.Join(t.TempDir(), "db.sqlite3")
		return testDB{gorm: openGorm(t, sqlite.Open(path)), dj: &dbConfig{Engine: "sqlite", Name: path}}
	case "postgresql":
		return newPostgresDB(t)
	}
	t.Fatalf("unknown backend %q", backend)
	return testDB{}
}

func newPostgresDB(t *testing.T) testDB {
	t.Helper()
	dsn := requireEnv(t, "SESSIONKIT_POSTGRES_DSN")
	requirePsycopg2(t)
	pc, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("SESSIONKIT_POSTGRES_DSN: %v", err)
	}
	name := "sessionkit_django_" + strings.ToLower(rand.Text()[:12])
	admin := openGorm(t, postgres.Open(dsn))
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatalf("create database: %v", err)
	}
	// Registered after admin's Close, so it runs before it.
	t.Cleanup(func() {
		if err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	sslmode := "disable"
	if pc.TLSConfig != nil {
		sslmode = "require"
	}
	goDSN := fmt.Sprintf("host=%s port=%d user=%s password=%s dbname=%s sslmode=%s",
		quoteDSN(pc.Host), pc.Port, quoteDSN(pc.User), quoteDSN(pc.Password), name, sslmode)
	return testDB{
		gorm: openGorm(t, postgres.Open(goDSN)),
		dj: &dbConfig{Engine: "postgresql", Name: name, Host: pc.Host, Port: pc.Port,
			User: pc.User, Password: pc.Password},
	}
}

// quoteDSN quotes a keyword/value DSN value.
func quoteDSN(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// requirePsycopg2 checks that Django's postgresql backend can load. Debian
// ships it as python3-psycopg2, which the test command installs.
func requirePsycopg2(t *testing.T) {
	t.Helper()
	python := requireEnv(t, "SESSIONKIT_PYTHON")
	out, err := exec.CommandContext(t.Context(), python, "-c", "import psycopg2").CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s cannot import psycopg2 (apt-get install -y python3-psycopg2): %v\n%s", python, err, out)
	if inCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// parseDjangoTime reads datetime.isoformat() output: aware, or naive in loc
// (Django with USE_TZ=False returns wall-clock time in TIME_ZONE).
func parseDjangoTime(t *testing.T, s string, loc *time.Location) time.Time {
	t.Helper()
	if ts, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return ts
	}
	ts, err := time.ParseInLocation("2006-01-02T15:04:05.999999", s, loc)
	if err != nil {
		t.Fatalf("Django time %q: %v", s, err)
	}
	return ts
}
