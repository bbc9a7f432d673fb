package gormstore

import (
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// naive is Django with USE_TZ = False in loc.
func naive(loc *time.Location) sessions.Django {
	return sessions.Django{NaiveTime: true, TimeZone: loc}
}

func TestAppendDjangoTime(t *testing.T) {
	plus5 := time.FixedZone("UTC+5", 5*3600)
	tests := []struct {
		name string
		in   time.Time
		loc  *time.Location
		want string // what Python's str(datetime) prints for the naive value
	}{
		{"whole second", time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), time.UTC, "2030-01-02 03:04:05"},
		{"microseconds", time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC), time.UTC, "2030-01-02 03:04:05.000006"},
		{"all digits", time.Date(2030, 12, 31, 23, 59, 59, 999999000, time.UTC), time.UTC, "2030-12-31 23:59:59.999999"},
		{"nanoseconds truncated", time.Date(2030, 1, 2, 3, 4, 5, 999, time.UTC), time.UTC, "2030-01-02 03:04:05"},
		{"trailing zero kept", time.Date(2030, 1, 2, 3, 4, 5, 500000000, time.UTC), time.UTC, "2030-01-02 03:04:05.500000"},
		{"other zone in, UTC out", time.Date(2030, 1, 2, 8, 4, 5, 0, plus5), time.UTC, "2030-01-02 03:04:05"},
		{"naive wall clock", time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), plus5, "2030-01-02 08:04:05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendDjangoTime(nil, tt.in, tt.loc)); got != tt.want {
				t.Fatalf("appendDjangoTime = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTimeCodecScan(t *testing.T) {
	plus5 := time.FixedZone("UTC+5", 5*3600)
	tokyo := time.FixedZone("JST", 9*3600)
	want := time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)
	tests := []struct {
		name string
		c    timeCodec
		in   any
	}{
		{"sqlite parsed by driver", newTimeCodec(dialectSQLite, sessions.Django{}), time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)},
		{"sqlite explicit offset", newTimeCodec(dialectSQLite, sessions.Django{}), time.Date(2030, 1, 2, 12, 4, 5, 6000, tokyo)},
		{"sqlite text", newTimeCodec(dialectSQLite, sessions.Django{}), "2030-01-02 03:04:05.000006"},
		{"sqlite ISO text", newTimeCodec(dialectSQLite, sessions.Django{}), "2030-01-02T03:04:05.000006"},
		{"sqlite naive text", newTimeCodec(dialectSQLite, naive(plus5)), "2030-01-02 08:04:05.000006"},
		{"sqlite naive parsed", newTimeCodec(dialectSQLite, naive(plus5)), time.Date(2030, 1, 2, 8, 4, 5, 6000, time.UTC)},
		{"mysql bytes", newTimeCodec(dialectMySQL, sessions.Django{}), []byte("2030-01-02 03:04:05.000006")},
		{"mysql DSN loc", newTimeCodec(dialectMySQL, sessions.Django{}), time.Date(2030, 1, 2, 3, 4, 5, 6000, tokyo)},
		{"mysql naive", newTimeCodec(dialectMySQL, naive(plus5)), time.Date(2030, 1, 2, 8, 4, 5, 6000, time.UTC)},
		{"postgres instant", newTimeCodec(dialectPostgres, naive(plus5)), time.Date(2030, 1, 2, 12, 4, 5, 6000, tokyo)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.scan(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(want) {
				t.Fatalf("scan(%v) = %v, want %v", tt.in, got, want)
			}
		})
	}
	// Naive times around DST changes read as Django reads them: a
	// repeated wall-clock time is its first instant, a skipped one takes
	// the offset in force before the change.
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		c    timeCodec
		in   any
		want time.Time
	}{
		{newTimeCodec(dialectSQLite, naive(paris)), "2026-10-25 02:30:00", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{newTimeCodec(dialectMySQL, naive(paris)), time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{newTimeCodec(dialectSQLite, naive(paris)), "2026-03-29 02:30:00", time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)},
		{newTimeCodec(dialectSQLite, naive(newYork)), "2026-11-01 01:30:00", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)},
		{newTimeCodec(dialectSQLite, naive(newYork)), "2026-03-08 02:30:00", time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC)},
		{newTimeCodec(dialectSQLite, sessions.Django{TimeZone: paris}), "2026-10-25 02:30:00", time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC)},
	} {
		if got, err := tt.c.scan(tt.in); err != nil || !got.Equal(tt.want) {
			t.Errorf("%v in %v: scan = %v, %v; want %v", tt.in, tt.c.loc, got, err, tt.want)
		}
	}

	for _, bad := range []any{nil, 42, "yesterday", []byte("2030-13-01 00:00:00")} {
		if _, err := (newTimeCodec(dialectSQLite, sessions.Django{})).scan(bad); err == nil {
			t.Errorf("scan(%#v) succeeded", bad)
		}
	}
}

// FuzzDjangoTime checks the two properties SQLite relies on: the text
// reads back as the same instant, and comparing the texts as strings (what
// SQLite and Django do) orders them as the instants are ordered.
func FuzzDjangoTime(f *testing.F) {
	f.Add(int64(1893553445000006), int64(1893553445000000))
	f.Add(int64(0), int64(1))
	f.Add(int64(1893553445500000), int64(1893553445050000))
	const lo, hi = -30610224000000000, 253402300799999999 // years 1000..9999 in µs
	f.Fuzz(func(t *testing.T, a, b int64) {
		if a < lo || a > hi || b < lo || b > hi {
			t.Skip()
		}
		for _, loc := range []*time.Location{time.UTC, time.FixedZone("UTC-7", -7*3600)} {
			c := newTimeCodec(dialectSQLite, naive(loc))
			ta, tb := time.UnixMicro(a), time.UnixMicro(b)
			sa, sb := c.value(ta).(string), c.value(tb).(string)
			got, err := c.scan(sa)
			if err != nil || !got.Equal(ta) {
				t.Fatalf("%q read back as %v, %v; want %v", sa, got, err, ta)
			}
			if (sa < sb) != ta.Before(tb) || (sa == sb) != ta.Equal(tb) {
				t.Fatalf("text order of %q and %q disagrees with %v vs %v", sa, sb, ta, tb)
			}
		}
	})
}
