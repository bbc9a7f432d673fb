package sessions_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// The use_tz and expiry_readback sections of the Django vectors (see
// testdata/django/README.md): how Django 3.2, 4.2, 5.2 and 6.0 store and
// read _session_expiry under USE_TZ = True and False, in UTC, Europe/Paris
// (east of UTC) and America/New_York (west), at a fixed instant and across
// the 2026 DST changes of both zones.

type expiryVectors struct {
	UseTZ struct {
		Cases []useTZCase `json:"cases"`
	} `json:"use_tz"`
	Readback struct {
		Cases []readbackCase `json:"cases"`
	} `json:"expiry_readback"`
}

// pyValue is a Python value as the vectors record it, or the exception
// that producing it raised.
type pyValue struct {
	OK        *bool           `json:"ok"` // absent for stored values
	Type      string          `json:"type"`
	Value     json.RawMessage `json:"value"`
	Isoformat string          `json:"isoformat"` // of a datetime object
	Error     string          `json:"error"`
	Message   string          `json:"message"`
}

func (p pyValue) ok() bool { return p.OK == nil || *p.OK }

func (p pyValue) str(t *testing.T) string {
	t.Helper()
	if p.Type == "datetime" && p.Isoformat != "" {
		return p.Isoformat
	}
	var s string
	if err := json.Unmarshal(p.Value, &s); err != nil {
		t.Fatalf("%s value %s: %v", p.Type, p.Value, err)
	}
	return s
}

func (p pyValue) float(t *testing.T) float64 {
	t.Helper()
	var f float64
	if err := json.Unmarshal(p.Value, &f); err != nil {
		t.Fatalf("%s value %s: %v", p.Type, p.Value, err)
	}
	return f
}

// dbRow is the django_session row Django's db backend wrote on SQLite.
type dbRow struct {
	Saved bool   `json:"saved"`
	Text  string `json:"expire_date_sqlite_text"`
	Error string `json:"error"`
}

// djangoReadings is what one Django made of one _session_expiry.
type djangoReadings struct {
	USETZ        bool    `json:"USE_TZ"`
	TimeZone     string  `json:"TIME_ZONE"`
	Now          int64   `json:"now_unix"`
	Expiry       pyValue `json:"_session_expiry"`
	Age          pyValue `json:"get_expiry_age"`
	Date         pyValue `json:"get_expiry_date"`
	BrowserClose pyValue `json:"get_expire_at_browser_close"`
	DB           dbRow   `json:"db"`
}

type useTZCase struct {
	djangoReadings
	Instant  string `json:"instant"`
	Input    string `json:"input"`
	DBPickle *dbRow `json:"db_pickle_serializer"` // 3.2: its datetimes saved with PickleSerializer
}

type readbackCase struct {
	djangoReadings
	Name       string `json:"name"`
	Middleware struct {
		pyValue
	} `json:"middleware_set_cookie"`
}

// setCookie is SessionMiddleware's cookie: max-age is "" without one.
type setCookie struct {
	MaxAge  any    `json:"max-age"`
	Expires string `json:"expires"`
	Deleted bool   `json:"deleted"`
}

// settings is the Go configuration matching the case's Django settings.
func (r djangoReadings) settings(t *testing.T, v sessions.DjangoVersion) sessions.Django {
	return sessions.Django{Version: v, NaiveTime: !r.USETZ, TimeZone: mustZone(t, r.TimeZone)}
}

func (r djangoReadings) String() string {
	return fmt.Sprintf("USE_TZ=%v/%s", r.USETZ, r.TimeZone)
}

// at opens a session of a Manager configured with dj at the case's now.
func (r djangoReadings) open(t *testing.T, dj sessions.Django) (*fixture, *sessions.Session) {
	t.Helper()
	f := newFixture(t, func(c *sessions.Config) { c.Django = dj })
	f.clock.Add(time.Unix(r.Now, 0).Sub(t0))
	s := f.m.Open(t.Context(), "")
	s.Set("x", int64(1))
	return f, s
}

// instant reads a datetime Django printed: aware, or naive in loc.
func instant(t *testing.T, iso string, loc *time.Location) time.Time {
	t.Helper()
	iso = strings.Replace(iso, " ", "T", 1)
	if ts, err := time.Parse("2006-01-02T15:04:05.999999Z07:00", iso); err == nil {
		return ts
	}
	wall, err := time.Parse("2006-01-02T15:04:05.999999", iso)
	if err != nil {
		t.Fatalf("Django datetime %q: %v", iso, err)
	}
	return sessions.Django{NaiveTime: true, TimeZone: loc}.FromNaive(wall)
}

// agree checks Go's reading of s's expiry against Django's: the age (as
// an integer, as set_cookie takes int(max_age)), the instant, the
// browser-close flag, and the expire_date row: the same instant, and the
// same text unless Django's names a wall-clock time the zone skips.
func agree(t *testing.T, s *sessions.Session, dj sessions.Django, r djangoReadings, row *dbRow) {
	t.Helper()
	zone := mustZone(t, r.TimeZone)
	compared := 0
	if r.Age.ok() && (r.Age.Type == "int" || r.Age.Type == "float") {
		compared++
		want := time.Duration(math.Trunc(r.Age.float(t))) * time.Second
		if got := s.ExpiryAge(); got != want {
			t.Errorf("ExpiryAge = %v; Django's get_expiry_age %s", got, r.Age.Value)
		}
	}
	got := s.ExpiryTime().Truncate(time.Microsecond)
	if r.Date.ok() {
		compared++
		if want := instant(t, r.Date.str(t), zone); !got.Equal(want) {
			t.Errorf("ExpiryTime = %v; Django's get_expiry_date %s is %v", got.UTC(), r.Date.Value, want.UTC())
		}
	}
	if r.BrowserClose.ok() {
		compared++
		if want := string(r.BrowserClose.Value) == "true"; s.ExpiresAtBrowserClose() != want {
			t.Errorf("ExpiresAtBrowserClose = %v; Django's %v", !want, want)
		}
	}
	if row != nil && row.Saved {
		compared++
		loc := dj.Location()
		if want := instant(t, row.Text, loc); !got.Equal(want) {
			t.Errorf("expire_date: Go keeps %v; Django wrote %q, %v", got.UTC(), row.Text, want.UTC())
		}
		text := got.In(loc).Format("2006-01-02 15:04:05.000000")
		text = strings.TrimSuffix(text, ".000000")
		if text != row.Text {
			// Only a time the clock skips may differ: Go writes the
			// instant's own wall-clock time, which both sides read back
			// as Django's (checked above).
			wall, _ := time.Parse(time.DateTime, row.Text[:len(time.DateTime)])
			if back := dj.FromNaive(wall).In(loc).Format(time.DateTime); back == row.Text[:len(time.DateTime)] {
				t.Errorf("expire_date text: Go writes %q, Django %q", text, row.Text)
			} else {
				t.Logf("expire_date: Django wrote %q, a time %s skips; Go writes the same instant as %q", row.Text, r.TimeZone, text)
			}
		}
	}
	if compared == 0 {
		t.Fatal("Django read nothing of this expiry: nothing to compare")
	}
}

// goWrites is the use_tz input whose value Go's SetExpiresAt must write:
// the aware UTC datetime with USE_TZ = True, the naive local one without.
func goWrites(useTZ bool) string {
	if useTZ {
		return "aware_utc_plus_1h"
	}
	return "naive_local_plus_1h"
}

// Each Django's use_tz vectors, read and written by Go with the matching
// Django value: SetMaxAge and SetExpireAtBrowserClose store Django's ints;
// SetExpiresAt(now+1h) stores byte for byte the string that Django stores
// for set_expiry(datetime) in the form its USE_TZ reads, and never a form
// that Django raises TypeError on; and every value Django stored reads in
// Go as the same age, instant and expire_date, in both zones and across
// the DST changes.
func TestExpiryUseTZVectors(t *testing.T) {
	for _, file := range djangoVectors[expiryVectors](t) {
		cases := file.V.UseTZ.Cases
		if len(cases) == 0 {
			t.Fatalf("Django %s: no use_tz cases", file.Name)
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s/%s/%s", file.Name, c.djangoReadings, c.Instant, c.Input), func(t *testing.T) {
				dj := c.settings(t, file.Version)
				_, s := c.open(t, dj)
				now := time.Unix(c.Now, 0)
				row := &c.DB
				switch c.Input {
				case "int_3600", "int_0":
					if c.Input == "int_0" {
						s.SetExpireAtBrowserClose()
					} else {
						s.SetMaxAge(time.Hour)
					}
					v, _ := s.Get(sessions.ExpiryKey)
					if want := int64(c.Expiry.float(t)); v != want || c.Expiry.Type != "int" {
						t.Fatalf("Go stores %#v; Django %s %s", v, c.Expiry.Type, c.Expiry.Value)
					}
				default:
					djValue := c.Expiry.str(t)
					if c.Expiry.Type == "datetime" && c.DBPickle != nil {
						row = c.DBPickle // 3.2 keeps the datetime itself
					}
					if c.Input == goWrites(c.USETZ) {
						s.SetExpiresAt(now.Add(time.Hour))
						if got, _ := s.Get(sessions.ExpiryKey); got != djValue {
							t.Fatalf("SetExpiresAt(now+1h) stores %q; Django stores %q", got, djValue)
						}
					}
					if !c.Age.ok() {
						s.SetExpiresAt(now.Add(time.Hour))
						if got, _ := s.Get(sessions.ExpiryKey); got == djValue {
							t.Fatalf("SetExpiresAt stores %q, on which Django raises %s: %s", got, c.Age.Error, c.Age.Message)
						}
					}
					s.Set(sessions.ExpiryKey, djValue)
				}
				agree(t, s, dj, c.djangoReadings, row)
			})
		}
	}
}

// Each Django's expiry_readback vectors: every _session_expiry a Go writer
// might produce, as that Django reads it back under USE_TZ = True and
// False, in UTC and Europe/Paris. Wherever Django reads the value, Go reads
// the same age, instant, browser-close flag and expire_date, and its
// middleware sets the cookie's Max-Age and Expires that Django's sets.
func TestExpiryReadbackVectors(t *testing.T) {
	for _, file := range djangoVectors[expiryVectors](t) {
		cases := file.V.Readback.Cases
		if len(cases) == 0 {
			t.Fatalf("Django %s: no expiry_readback cases", file.Name)
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s/%s", file.Name, c.djangoReadings, c.Name), func(t *testing.T) {
				dj := c.settings(t, file.Version)
				f, s := c.open(t, dj)
				value := c.Expiry.value(t)
				s.Set(sessions.ExpiryKey, value)
				if c.Age.ok() || c.Date.ok() {
					agree(t, s, dj, c.djangoReadings, &c.DB)
				}
				if !c.Middleware.ok() {
					return
				}
				var want setCookie
				if err := json.Unmarshal(c.Middleware.Value, &want); err != nil {
					t.Fatal(err)
				}
				got := goCookie(t, f, value)
				switch age, isNum := want.MaxAge.(float64); {
				case !isNum:
					if got.MaxAge != 0 || got.RawExpires != "" {
						t.Errorf("Go's cookie has Max-Age %d, Expires %q; Django's is a browser-session cookie", got.MaxAge, got.RawExpires)
					}
				case age <= 0:
					// Go writes Max-Age=0 for any past expiry; both delete.
					if got.MaxAge != -1 || got.RawExpires != want.Expires {
						t.Errorf("Go's cookie has Max-Age %d, Expires %q; Django's max-age %v, expires %q", got.MaxAge, got.RawExpires, age, want.Expires)
					}
				default:
					if got.MaxAge != int(age) || got.RawExpires != want.Expires {
						t.Errorf("Go's cookie has Max-Age %d, Expires %q; Django's max-age %v, expires %q", got.MaxAge, got.RawExpires, age, want.Expires)
					}
				}
			})
		}
	}
}

// value is the stored value as Go's JSON codec reads it back.
func (p pyValue) value(t *testing.T) any {
	t.Helper()
	switch p.Type {
	case "NoneType":
		return nil
	case "int":
		return int64(p.float(t))
	case "float":
		return p.float(t)
	case "str":
		return p.str(t)
	}
	t.Fatalf("unexpected _session_expiry type %s", p.Type)
	return nil
}

// goCookie runs Go's middleware on a request that saves a new session
// holding expiry, and returns its session cookie.
func goCookie(t *testing.T, f *fixture, expiry any) *http.Cookie {
	t.Helper()
	res := f.serve(t, "", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		s.Set("x", int64(1))
		s.Set(sessions.ExpiryKey, expiry)
	})
	for _, c := range res.Cookies() {
		if c.Name == sessions.DefaultCookieName {
			return c
		}
	}
	t.Fatalf("no session cookie: %v", res.Header)
	return nil
}

// Go's SetExpiresAt, in each (USE_TZ, TIME_ZONE) of expiry_readback,
// writes one of the recorded values. Django 4.2, 5.2 and 6.0 read it
// without error, as Go does; Django 3.2's get_expiry_age returns it
// unchanged, and only what saves the session raises TypeError: its
// middleware (time.time() plus the string) and get_expiry_date, which the
// db backend's save calls.
func TestSetExpiresAtVectors(t *testing.T) {
	for _, file := range djangoVectors[expiryVectors](t) {
		groups := map[string][]readbackCase{}
		for _, c := range file.V.Readback.Cases {
			groups[c.djangoReadings.String()] = append(groups[c.djangoReadings.String()], c)
		}
		if len(groups) != 4 {
			t.Fatalf("Django %s: %d settings in expiry_readback, want 4", file.Name, len(groups))
		}
		for name, cases := range groups {
			t.Run(file.Name+"/"+name, func(t *testing.T) {
				now := time.Unix(cases[0].Now, 0)
				found := 0
				for _, at := range []time.Time{now.Add(time.Hour), now.Add(time.Hour + 123456*time.Microsecond), now.Add(-time.Hour)} {
					dj := cases[0].settings(t, file.Version)
					_, s := cases[0].open(t, dj)
					s.SetExpiresAt(at)
					written, _ := s.Get(sessions.ExpiryKey)
					for _, c := range cases {
						if c.Expiry.Type != "str" || c.Expiry.str(t) != written {
							continue
						}
						found++
						t.Logf("SetExpiresAt(%v) writes %q: case %s", at.UTC(), written, c.Name)
						if file.Version.AtLeast(4, 0) {
							if !c.Age.ok() || !c.Date.ok() || !c.Middleware.ok() || !c.DB.Saved {
								t.Errorf("Django %s raises on Go's %q: age %s, date %s, middleware %s, db %s",
									file.Name, written, c.Age.Error, c.Date.Error, c.Middleware.Error, c.DB.Error)
							}
							agree(t, s, dj, c.djangoReadings, &c.DB)
							continue
						}
						if !c.Age.ok() || c.Age.Type != "str" || c.Age.str(t) != written {
							t.Errorf("Django 3.2's get_expiry_age on Go's %q: %s %s %s", written, c.Age.Type, c.Age.Value, c.Age.Error)
						}
						if c.Middleware.ok() || c.Middleware.Error != "TypeError" || !strings.Contains(c.Middleware.Message, "'float' and 'str'") {
							t.Errorf("Django 3.2's middleware on Go's %q: %s %s", written, c.Middleware.Error, c.Middleware.Message)
						}
						if c.Date.ok() || c.Date.Error != "TypeError" || c.DB.Saved {
							t.Errorf("Django 3.2's get_expiry_date and db save on Go's %q: %s, saved %v", written, c.Date.Error, c.DB.Saved)
						}
					}
				}
				if found == 0 {
					t.Fatal("no vector holds what SetExpiresAt writes under these settings")
				}
			})
		}
	}
}
