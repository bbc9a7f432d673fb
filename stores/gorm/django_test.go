package gormstore_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Tokyo without relying on the system's zoneinfo

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// djangoScript drives Django 3.2's db backend on the SQLite file the Go
// store wrote: which rows its ORM sees as live, their expire_date as it
// reads them, a session it saves itself, and what clear_expired leaves.
const djangoScript = `
import json, sys
from django.conf import settings
cfg = json.loads(sys.argv[1])
settings.configure(
    SECRET_KEY="gormstore-test-" + "x" * 40,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.sessions"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": cfg["db"]}},
    USE_TZ=cfg["use_tz"], TIME_ZONE=cfg["time_zone"],
)
import django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
out = {
    "live": sorted(Session.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", flat=True)),
    "expiry": {s.session_key: s.expire_date.isoformat() for s in Session.objects.all()},
}
s = SessionStore()
s["who"] = "django"
s.set_expiry(3600)
s.save()
out["created"] = s.session_key
out["created_expiry"] = Session.objects.get(pk=s.session_key).expire_date.isoformat()
SessionStore.clear_expired()
out["after_clear"] = sorted(Session.objects.values_list("session_key", flat=True))
print(json.dumps(out))
`

// TestDjangoSharesSQLiteTable runs real Django against a django_session
// table that Migrate created and the Go store wrote, under USE_TZ=True and
// under USE_TZ=False with another TIME_ZONE.
func TestDjangoSharesSQLiteTable(t *testing.T) {
	python := requireEnv(t, "SESSIONKIT_PYTHON")
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		useTZ    bool
		timeZone string
		loc      *time.Location
	}{
		{"USE_TZ=True", true, "UTC", nil},
		{"USE_TZ=False Asia/Tokyo", false, "Asia/Tokyo", tokyo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "db.sqlite3")
			db := openSQLite(t, path+"?_pragma=busy_timeout(10000)", nil, quiet())
			s := newStore(t, db, gormstore.Options{Table: "django_session", Django: sessions.Django{NaiveTime: tt.loc != nil, TimeZone: tt.loc}})
			ctx := t.Context()
			live, dead := newKey(t), newKey(t)
			liveExp := time.Now().Add(time.Hour).Truncate(time.Microsecond)
			for k, exp := range map[string]time.Time{live: liveExp, dead: time.Now().Add(-time.Hour)} {
				if err := s.Save(ctx, k, sessions.Record{Data: []byte("e30:go"), Expiry: exp}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
					t.Fatal(err)
				}
			}

			script := filepath.Join(dir, "django_check.py")
			if err := os.WriteFile(script, []byte(djangoScript), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, _ := json.Marshal(map[string]any{"db": path, "use_tz": tt.useTZ, "time_zone": tt.timeZone})
			cmd := exec.CommandContext(ctx, python, script, string(cfg))
			// What Django's settings module does for TIME_ZONE; configure() does not.
			cmd.Env = append(os.Environ(), "TZ="+tt.timeZone)
			outb, err := cmd.Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("django: %v\n%s", err, stderr)
			}
			var out struct {
				Live          []string          `json:"live"`
				Expiry        map[string]string `json:"expiry"`
				Created       string            `json:"created"`
				CreatedExpiry string            `json:"created_expiry"`
				AfterClear    []string          `json:"after_clear"`
			}
			if err := json.Unmarshal(outb, &out); err != nil {
				t.Fatalf("%v: %s", err, outb)
			}

			loc := tt.loc
			if loc == nil {
				loc = time.UTC
			}
			parse := func(iso string) time.Time {
				t.Helper()
				// Aware under USE_TZ=True, naive TIME_ZONE wall clock otherwise.
				for _, layout := range []string{"2006-01-02T15:04:05.999999-07:00", "2006-01-02T15:04:05.999999"} {
					if v, err := time.ParseInLocation(layout, iso, loc); err == nil {
						return v
					}
				}
				t.Fatalf("cannot parse Django's %q", iso)
				return time.Time{}
			}

			if !slices.Equal(out.Live, []string{live}) {
				t.Errorf("Django sees live %v, want only %s (not the expired %s)", out.Live, live, dead)
			}
			if got := parse(out.Expiry[live]); !got.Equal(liveExp) {
				t.Errorf("Django reads expire_date %s = %v, Go wrote %v", out.Expiry[live], got, liveExp)
			}
			rec, err := s.Load(ctx, out.Created)
			if err != nil {
				t.Fatalf("Load of Django's session: %v", err)
			}
			if want := parse(out.CreatedExpiry); !rec.Expiry.Equal(want) {
				t.Errorf("Django's session expires %v here, %v there", rec.Expiry, want)
			}
			if d := time.Until(rec.Expiry); d < 50*time.Minute || d > 70*time.Minute {
				t.Errorf("Django's one-hour session expires in %v by Go's clock", d)
			}
			if want := []string{out.Created, live}; !slices.Equal(out.AfterClear, sortedCopy(want)) {
				t.Errorf("after Django's clear_expired: %v, want %v", out.AfterClear, sortedCopy(want))
			}
		})
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
