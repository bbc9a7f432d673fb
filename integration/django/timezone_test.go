package django_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// USE_TZ = False against a live Django 3.2, east (Europe/Paris) and west
// (America/New_York) of UTC, at the vectors' fixed instant and 30 minutes
// before each zone's 2026 fall-back, on one SQLite django_session table:
//
//   - Go's SetMaxAge(1h) row carries the very expire_date text Django's
//     set_expiry(3600) row carries (also when the clock falls back in
//     between), and Django's naive rows read in Go at the instant Django's
//     wall-clock comparison lets them expire;
//   - Go's SetExpiresAt writes naive wall-clock time in TIME_ZONE, the
//     isoformat() of the datetime Django's own set_expiry(timedelta) keeps,
//     and its expire_date is right for Django;
//   - Django 3.2 cannot use any absolute expiry from JSON: get_expiry_age
//     returns Go's string unchanged, and only a request that saves the
//     session fails, in the middleware, with TypeError (str + float), not
//     with the naive/aware TypeError a "+00:00" string gives 4.0+.
func TestNaiveTimeZones(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zone    string
		instant int64
	}{
		{"Europe/Paris", T0},
		{"Europe/Paris", 1792888200}, // 2026-10-25T00:30Z, 02:30 CEST; 03:00 CEST becomes 02:00 CET at 01:00Z
		{"America/New_York", T0},
		{"America/New_York", 1793511000}, // 2026-11-01T05:30Z, 01:30 EDT; 02:00 EDT becomes 01:00 EST at 06:00Z
	} {
		t.Run(fmt.Sprintf("%s/%s", tc.zone, at(tc.instant).UTC().Format(time.RFC3339)), func(t *testing.T) {
			t.Parallel()
			testNaiveTimeZone(t, tc.zone, tc.instant)
		})
	}
}

func testNaiveTimeZone(t *testing.T, zone string, now int64) {
	ctx := t.Context()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	dj := sessions.Django{Version: sessions.Django32, NaiveTime: true, TimeZone: loc}
	db := newDB(t, "sqlite")
	c := newClock(now)
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
	cfg.UseTZ, cfg.TimeZone, cfg.Database = false, zone, db.dj
	rawExpiry := func(key string) string {
		t.Helper()
		var raw string
		if err := db.gorm.WithContext(ctx).Raw("SELECT CAST(expire_date AS TEXT) FROM django_session WHERE session_key = ?", key).Scan(&raw).Error; err != nil || raw == "" {
			t.Fatalf("expire_date of %s: %q, %v", key, raw, err)
		}
		return raw
	}
	naive := func(t time.Time) string { return t.In(loc).Format("2006-01-02T15:04:05") }

	res := django(t, cfg,
		op{"op": "migrate"},
		op{"op": "db_save", "session_json": `{"from":"django"}`, "expiry": 3600, "now": now},
		op{"op": "set_expiry_timedelta", "seconds": 10800, "now": now},
	)
	djRow, djTimedelta := res[1], res[2]

	// Go's two sessions, saved at now.
	c.Set(now)
	goSave := func(f func(s *sessions.Session)) (string, any) {
		s := m.Open(ctx, "")
		s.Set("x", int64(1))
		f(s)
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		v, _ := s.Get(sessions.ExpiryKey)
		return s.Key(), v
	}
	relKey, _ := goSave(func(s *sessions.Session) { s.SetMaxAge(time.Hour) })
	in3h := at(now + 10800)
	absKey, absValue := goSave(func(s *sessions.Session) { s.SetExpiresAt(in3h) })

	t.Run("same expire_date for set_expiry(3600) on both sides", func(t *testing.T) {
		if got, want := rawExpiry(relKey), rawExpiry(djRow.Key); got != want {
			t.Errorf("Go's row expires %q, Django's %q", got, want)
		}
		rec, err := store.Load(ctx, djRow.Key)
		if err != nil {
			t.Fatal(err)
		}
		// The instant Django's wall-clock comparison ends the row.
		wall, err := time.ParseInLocation("2006-01-02T15:04:05", *djRow.ExpireDate, loc)
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Expiry.Equal(wall) {
			t.Errorf("Go reads Django's expire_date %s as %v, want %v", *djRow.ExpireDate, rec.Expiry, wall)
		}
		s := m.Open(ctx, relKey)
		if got := s.ExpiryTime(); !got.Equal(rec.Expiry) || s.ExpiryAge() != time.Hour {
			t.Errorf("Go's SetMaxAge(1h) session: expires %v (age %v); Django's set_expiry(3600): %v", got, s.ExpiryAge(), rec.Expiry)
		}
	})

	t.Run("SetExpiresAt writes Django's naive wall-clock time", func(t *testing.T) {
		if absValue != naive(in3h) || strings.ContainsAny(absValue.(string), "+Z") {
			t.Errorf("SetExpiresAt stored %#v, want naive %s", absValue, naive(in3h))
		}
		if got, want := rawExpiry(absKey), naive(in3h); got != strings.Replace(want, "T", " ", 1) {
			t.Errorf("expire_date %q, want %q", got, want)
		}
		// Without a DST change in between, Django's own
		// set_expiry(timedelta(hours=3)) keeps the same naive datetime;
		// across one, Django adds 3 hours to its wall clock, and Go reads
		// that as the instant Django's comparison ends it.
		_, offNow := at(now).In(loc).Zone()
		_, offThen := in3h.In(loc).Zone()
		if offNow == offThen && djTimedelta.Value != absValue {
			t.Errorf("Django's set_expiry(timedelta(hours=3)) keeps %s, Go wrote %v", djTimedelta.Value, absValue)
		}
		s := m.Open(ctx, "")
		s.Set(sessions.ExpiryKey, djTimedelta.Value)
		want, err := time.ParseInLocation("2006-01-02T15:04:05", djTimedelta.Value, loc)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.ExpiryTime(); !got.Equal(want) || s.ExpiryAge() != time.Duration(djTimedelta.ExpiryAge)*time.Second {
			t.Errorf("Django's naive %s: Go reads %v (age %v); want %v (Django's age %ds)", djTimedelta.Value, got, s.ExpiryAge(), want, djTimedelta.ExpiryAge)
		}
	})

	res = django(t, cfg,
		op{"op": "db_load", "key": relKey, "expect_json": `{"x":1,"_session_expiry":3600}`, "now": now + 1},
		op{"op": "db_load", "key": absKey, "expect_json": encodeJSON(t, map[string]any{"x": int64(1), sessions.ExpiryKey: absValue}), "now": now + 1},
		op{"op": "db_load", "key": absKey, "now": now + 10799},
		op{"op": "db_load", "key": absKey, "now": now + 10800},
		op{"op": "middleware", "key": absKey, "view": "read", "now": now + 1},
		op{"op": "middleware", "key": absKey, "view": "write", "now": now + 1},
		op{"op": "middleware", "key": relKey, "view": "write", "now": now + 1},
	)
	t.Run("Django 3.2 reads Go's rows", func(t *testing.T) {
		if r := res[0]; !r.Found || r.Same == nil || !*r.Same || r.ExpiryAge != 3600 || r.ExpiryError != "" {
			t.Errorf("SetMaxAge(1h): found=%v same=%v age=%d %s", r.Found, r.Same, r.ExpiryAge, r.ExpiryError)
		}
		r := res[1]
		if !r.Found || r.Same == nil || !*r.Same {
			t.Fatalf("SetExpiresAt: found=%v same=%v %s", r.Found, r.Same, r.SessionJSON)
		}
		if r.ExpireDate == nil || *r.ExpireDate != naive(in3h) {
			t.Errorf("SetExpiresAt: Django reads expire_date %v, want %s", r.ExpireDate, naive(in3h))
		}
		// 3.2 computes no date from a string at all (4.0+ parses it).
		if !strings.HasPrefix(r.ExpiryError, "TypeError: unsupported type for timedelta seconds component: str") {
			t.Errorf("SetExpiresAt: Django 3.2's get_expiry_date gave %q", r.ExpiryError)
		}
		if !res[2].Found || res[3].Found {
			t.Errorf("SetExpiresAt(now+3h): Django finds the row at now+3h-1s: %v, at now+3h: %v", res[2].Found, res[3].Found)
		}
	})
	t.Run("Django 3.2's TypeError comes from its middleware, on saving requests only", func(t *testing.T) {
		read, write, rel := res[4], res[5], res[6]
		if read.AgeType != "str" || read.AgeValue != absValue {
			t.Errorf("get_expiry_age returned %s %q, want Go's string %q unchanged", read.AgeType, read.AgeValue, absValue)
		}
		if !read.OK || read.MWError != "" {
			t.Errorf("a request that only reads the session: %s", read.MWError)
		}
		if write.OK || !strings.HasPrefix(write.MWError, "TypeError: unsupported operand type(s) for +: 'float' and 'str'") {
			t.Errorf("a request that saves the session: ok=%v %q", write.OK, write.MWError)
		}
		if !rel.OK || rel.MaxAge != "3600" {
			t.Errorf("SetMaxAge session saved by Django's middleware: ok=%v max-age %q %s", rel.OK, rel.MaxAge, rel.MWError)
		}
	})

	t.Run("Go's save keeps Django's expiry", func(t *testing.T) {
		// The case: Django's 1 h session, saved again by Go, still
		// expires when Django's comparison says so, not hours early.
		c.Set(now + 60)
		s := m.Open(ctx, djRow.Key)
		s.Set("seen", true)
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		end := m.Open(ctx, relKey).ExpiryTime() // after(now+60, 1h)
		c.Set(end.Unix() - 1)
		if !m.Open(ctx, djRow.Key).Has("seen") {
			t.Fatalf("logged out before %v", end)
		}
		res := django(t, cfg,
			op{"op": "db_load", "key": djRow.Key, "now": end.Unix() - 1},
			op{"op": "db_load", "key": djRow.Key, "now": end.Unix()},
		)
		if !res[0].Found || res[1].Found {
			t.Errorf("Django finds Go's re-save 1s before %v: %v, at it: %v", end, res[0].Found, res[1].Found)
		}
	})
}
