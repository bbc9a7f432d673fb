package gormstore_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// rawExpiry reads expire_date back as the database holds it: the naive
// text on SQLite and MySQL, the UTC instant on PostgreSQL.
func rawExpiry(kind string) string {
	switch kind {
	case "postgres":
		return `SELECT to_char(expire_date AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM %s WHERE session_key = ?`
	case "mysql":
		return `SELECT CAST(expire_date AS CHAR) FROM %s WHERE session_key = ?`
	}
	return `SELECT CAST(expire_date AS TEXT) FROM %s WHERE session_key = ?`
}

// djangoRow is how Django writes expire_date for an instant: naive text
// of the wall clock (USE_TZ=True: UTC; USE_TZ=False: TIME_ZONE) on SQLite
// and MySQL, an instant on PostgreSQL.
func djangoRow(kind string) string {
	if kind == "postgres" {
		return `INSERT INTO %s (session_key, session_data, expire_date) VALUES (?, 'django', CAST(? AS timestamptz))`
	}
	return `INSERT INTO %s (session_key, session_data, expire_date) VALUES (?, 'django', ?)`
}

// TestLocation writes and compares expire_date in UTC (Django's
// USE_TZ=True) and as naive wall-clock time in another zone (USE_TZ=False
// with that TIME_ZONE), and reads rows written the way Django writes them.
func TestLocation(t *testing.T) {
	plus5 := time.FixedZone("UTC+5", 5*3600)
	now := time.Date(2031, 5, 6, 7, 8, 9, 123000, time.UTC)
	tests := []struct {
		name     string
		loc      *time.Location
		stored   map[string]string // by kind: expire_date as held, for now+1h
		djangoAt func(time.Time) string
	}{
		{
			name: "UTC",
			stored: map[string]string{
				"sqlite": "2031-05-06 08:08:09.000123", "mysql": "2031-05-06 08:08:09.000123", "postgres": "2031-05-06 08:08:09.000123",
			},
			djangoAt: func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") },
		},
		{
			name: "naive UTC+5",
			loc:  plus5,
			stored: map[string]string{
				"sqlite": "2031-05-06 13:08:09.000123", "mysql": "2031-05-06 13:08:09.000123", "postgres": "2031-05-06 08:08:09.000123",
			},
			djangoAt: func(t time.Time) string { return t.In(plus5).Format("2006-01-02 15:04:05.999999") },
		},
	}
	for _, b := range mainBackends() {
		for _, tt := range tests {
			t.Run(b.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				db := b.open(t, nil)
				s := newStore(t, db, gormstore.Options{Django: sessions.Django{NaiveTime: tt.loc != nil, TimeZone: tt.loc}, Clock: func() time.Time { return now }})
				table := quoteIdent(db, s.Table())
				ctx, k := t.Context(), newKey(t)
				exp := now.Add(time.Hour)
				if err := s.Save(ctx, k, sessions.Record{Data: []byte("v"), Expiry: exp}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
					t.Fatal(err)
				}
				var raw string
				if err := db.WithContext(ctx).Raw(fmt.Sprintf(rawExpiry(b.kind), table), k).Scan(&raw).Error; err != nil {
					t.Fatal(err)
				}
				if want := tt.stored[b.kind]; raw != want {
					t.Errorf("expire_date stored as %q, want %q", raw, want)
				}
				got, err := s.Load(ctx, k)
				if err != nil || !got.Expiry.Equal(exp) {
					t.Fatalf("Load = %v, %v; want expiry %v", got.Expiry, err, exp)
				}

				// Rows as Django writes them, a minute either side of now.
				live, dead := newKey(t), newKey(t)
				djangoValue := tt.djangoAt
				if b.kind == "postgres" {
					djangoValue = func(t time.Time) string { return t.Format(time.RFC3339Nano) }
				}
				mustExec(t, db, fmt.Sprintf(djangoRow(b.kind), table), live, djangoValue(now.Add(time.Minute)))
				mustExec(t, db, fmt.Sprintf(djangoRow(b.kind), table), dead, djangoValue(now.Add(-time.Minute)))
				if got, err := s.Load(ctx, live); err != nil || !got.Expiry.Equal(now.Add(time.Minute)) {
					t.Errorf("Django's live row: %v, %v; want expiry %v", got.Expiry, err, now.Add(time.Minute))
				}
				if _, err := s.Load(ctx, dead); !errors.Is(err, sessions.ErrNotFound) {
					t.Errorf("Django's expired row: %v, want ErrNotFound", err)
				}
				if n, err := s.DeleteExpired(ctx); n != 1 || err != nil {
					t.Errorf("DeleteExpired = %d, %v; want Django's expired row only", n, err)
				}
			})
		}
	}
}

// TestSQLiteDjangoText checks the text comparison at its edges: Django
// prints a whole second without a fraction ("…:09") and compares the
// column with `expire_date > '<now>'` as text; rows from either side must
// sort the same for both.
func TestSQLiteDjangoText(t *testing.T) {
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	db := openSQLite(t, sqliteFileDSN(t), nil, quiet())
	s := newStore(t, db, gormstore.Options{Clock: func() time.Time { return now }})
	table := quoteIdent(db, s.Table())
	ctx := t.Context()
	tests := []struct {
		name   string
		expiry time.Time
		text   string // what Django writes for that instant
		live   bool
	}{
		{"one microsecond before", now.Add(-time.Microsecond), "2031-05-06 07:08:08.999999", false},
		{"at now", now, "2031-05-06 07:08:09", false},
		{"one microsecond after", now.Add(time.Microsecond), "2031-05-06 07:08:09.000001", true},
		{"one second after", now.Add(time.Second), "2031-05-06 07:08:10", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, django := newKey(t), newKey(t)
			if err := s.Save(ctx, ours, sessions.Record{Data: []byte("go"), Expiry: tt.expiry}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, fmt.Sprintf(djangoRow("sqlite"), table), django, tt.text)
			var raw string
			if err := db.WithContext(ctx).Raw(fmt.Sprintf(rawExpiry("sqlite"), table), ours).Scan(&raw).Error; err != nil {
				t.Fatal(err)
			}
			if raw != tt.text {
				t.Errorf("stored %q, Django writes %q", raw, tt.text)
			}
			for _, k := range []string{ours, django} {
				// Django's own query: text against str(now).
				var n int
				if err := db.WithContext(ctx).Raw("SELECT COUNT(*) FROM "+table+" WHERE session_key = ? AND expire_date > ?", k, "2031-05-06 07:08:09").Scan(&n).Error; err != nil {
					t.Fatal(err)
				}
				ok, err := s.Exists(ctx, k)
				if err != nil || ok != tt.live || (n == 1) != tt.live {
					t.Errorf("key %s: Exists = %v, %v; Django's query finds %d; want live=%v", k, ok, err, n, tt.live)
				}
			}
		})
	}
}

// The store reports its Options.Django, and sessions.New refuses a store
// whose expire_date zone is not the Manager's.
func TestDjangoAgreesWithManager(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	naiveParis := sessions.Django{NaiveTime: true, TimeZone: paris}
	tests := []struct {
		name          string
		store, config sessions.Django
		ok            bool
	}{
		{"both zero", sessions.Django{}, sessions.Django{}, true},
		{"same", naiveParis, sessions.Django{Version: sessions.Django32, NaiveTime: true, TimeZone: paris}, true},
		{"store left at UTC", sessions.Django{}, naiveParis, false},
		{"Manager left at UTC", naiveParis, sessions.Django{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSQLite(t, sqliteFileDSN(t), nil, quiet())
			s := newStore(t, db, gormstore.Options{Django: tt.store})
			if got := s.Django(); got != tt.store {
				t.Fatalf("Django() = %+v, want %+v", got, tt.store)
			}
			_, err := sessions.New(sessions.Config{Store: s, Secret: "secret", Django: tt.config})
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, sessions.ErrInvalidConfig)) {
				t.Fatalf("sessions.New = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
