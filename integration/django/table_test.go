package django_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// djangoTZ is the TIME_ZONE of the shared-table tests: not UTC, so that
// USE_TZ=False (naive wall-clock expire_date) is told apart from UTC.
const djangoTZ = "America/New_York"

// One django_session table shared by Django's db backend and stores/gorm,
// on SQLite and PostgreSQL, with USE_TZ on and off, created by Django's
// migrate or by gormstore.Migrate: each side reads the other's rows, sees
// the same expire_date, and its expired-row cleanup removes the other
// side's expired rows and nothing else.
func TestSharedTable(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"sqlite", "postgresql"} {
		for _, useTZ := range []bool{true, false} {
			for _, creator := range []string{"django", "go"} {
				t.Run(fmt.Sprintf("%s/USE_TZ=%v/%s-migrates", backend, useTZ, creator), func(t *testing.T) {
					t.Parallel()
					testSharedTable(t, backend, useTZ, creator)
				})
			}
		}
	}
}

func testSharedTable(t *testing.T, backend string, useTZ bool, creator string) {
	ctx := t.Context()
	loc, err := time.LoadLocation(djangoTZ)
	if err != nil {
		t.Fatal(err)
	}
	db := newDB(t, backend)
	c := newClock(T0)
	// Django writes naive wall-clock time in TIME_ZONE without USE_TZ.
	dj := sessions.Django{Version: sessions.Django32, NaiveTime: !useTZ, TimeZone: loc}
	store, err := gormstore.New(db.gorm, gormstore.Options{Table: "django_session", Clock: c.Now, Django: dj})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	m, err := sessions.New(sessions.Config{Store: store, Secret: secret, Clock: c.Now, Django: dj})
	if err != nil {
		t.Fatal(err)
	}
	cfg := defaults()
	cfg.UseTZ = useTZ
	cfg.TimeZone = djangoTZ
	cfg.Database = db.dj

	djLong := map[string]any{"from": "django", "n": int64(1), "name": "Zoë"}
	djShort := map[string]any{"from": "django-short"}
	var ops []op
	if creator == "go" {
		if err := store.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	} else {
		ops = append(ops, op{"op": "migrate"})
	}
	ops = append(ops,
		op{"op": "db_save", "session_json": encodeJSON(t, djLong), "now": T0},
		op{"op": "db_save", "session_json": encodeJSON(t, djShort), "expiry": 60, "now": T0},
	)
	res := django(t, cfg, ops...)
	long, short := res[len(res)-2], res[len(res)-1]

	t.Run("Go reads Django's rows", func(t *testing.T) {
		c.Set(T0 + 30)
		s := m.Open(ctx, long.Key)
		if d := diff("session", djLong, s.Values()); d != "" || s.Key() != long.Key {
			t.Fatalf("Django's row read by Go: %s (key %q)", d, s.Key())
		}
		rec, err := store.Load(ctx, long.Key)
		if err != nil {
			t.Fatal(err)
		}
		if want := parseDjangoTime(t, *long.ExpireDate, loc); !rec.Expiry.Equal(want) || !want.Equal(at(T0+cookieAge)) {
			t.Fatalf("expire_date: Go reads %v, Django wrote %v (%s)", rec.Expiry, want, *long.ExpireDate)
		}
		// The short row lives until T0+60 exclusive, as in Django's load.
		c.Set(T0 + 59)
		djShortWant := map[string]any{"from": "django-short", sessions.ExpiryKey: int64(60)}
		if got := m.Open(ctx, short.Key).Values(); d(djShortWant, got) != "" {
			t.Fatalf("at T0+59 Django's 60 s session reads %v", got)
		}
		c.Set(T0 + 60)
		if s := m.Open(ctx, short.Key); s.Len() != 0 || s.Key() != "" {
			t.Fatalf("at T0+60 Django's 60 s session is still live: %v", s.Values())
		}
	})

	t.Run("DeleteExpired removes Django's expired row only", func(t *testing.T) {
		c.Set(T0 + 120)
		n, err := store.DeleteExpired(ctx)
		if err != nil || n != 1 {
			t.Fatalf("DeleteExpired = %d, %v; want 1", n, err)
		}
		c.Set(T0 + 30)
		if ok, _ := store.Exists(ctx, short.Key); ok {
			t.Fatal("expired row still there")
		}
		if ok, _ := store.Exists(ctx, long.Key); !ok {
			t.Fatal("live row deleted")
		}
	})

	// Go writes two rows at T0.
	c.Set(T0)
	goLong := map[string]any{"from": "go", "n": int64(2), "emoji": "😀"}
	goShort := map[string]any{"from": "go-short"}
	save := func(values map[string]any, maxAge time.Duration) string {
		s := m.Open(ctx, "")
		for k, v := range values {
			s.Set(k, v)
		}
		if maxAge > 0 {
			s.SetMaxAge(maxAge)
		}
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		return s.Key()
	}
	goLongKey := save(goLong, 0)
	goShortKey := save(goShort, 60*time.Second)
	goShortWant := map[string]any{"from": "go-short", sessions.ExpiryKey: int64(60)}

	res = django(t, cfg,
		op{"op": "db_load", "key": goLongKey, "expect_json": encodeJSON(t, goLong), "now": T0 + 30},
		op{"op": "db_load", "key": goShortKey, "expect_json": encodeJSON(t, goShortWant), "now": T0 + 59},
		op{"op": "db_load", "key": goShortKey, "now": T0 + 60},
		op{"op": "clearsessions", "now": T0 + 120},
	)
	t.Run("Django reads Go's rows", func(t *testing.T) {
		r := res[0]
		if !r.Found || r.Same == nil || !*r.Same {
			t.Fatalf("Go's row read by Django: found=%v same=%v %s", r.Found, r.Same, r.SessionJSON)
		}
		if r.ExpireDate == nil || !parseDjangoTime(t, *r.ExpireDate, loc).Equal(at(T0+cookieAge)) {
			t.Fatalf("Go's expire_date as Django reads it: %v, want %v", r.ExpireDate, at(T0+cookieAge).In(loc))
		}
		if r := res[1]; !r.Found || r.Same == nil || !*r.Same || r.ExpiryAge != 60 {
			t.Fatalf("Go's 60 s row at T0+59: found=%v same=%v age=%d", r.Found, r.Same, r.ExpiryAge)
		}
		if r := res[2]; r.Found {
			t.Fatalf("Go's 60 s row is live for Django at T0+60: %s", r.SessionJSON)
		}
	})
	t.Run("clearsessions removes Go's expired row only", func(t *testing.T) {
		want := []string{goLongKey, long.Key}
		slices.Sort(want)
		if got := res[3].Keys; !slices.Equal(got, want) {
			t.Fatalf("rows after clearsessions: %v, want %v", got, want)
		}
	})
}

// d is diff for a whole session.
func d(want, got map[string]any) string { return diff("session", want, got) }
