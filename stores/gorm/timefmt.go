package gormstore

import (
	"errors"
	"fmt"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// djangoLayout is how Python prints a naive datetime (str(dt)), which is
// what Django binds for datetime columns on SQLite and MySQL: microseconds
// follow only when they are not zero. On SQLite the column holds this text
// and both Django and this package compare it as text, so the format must
// match to the byte ("12:00:00" < "12:00:00.000001" is right; a trailing
// "+00:00", as database/sql drivers write time.Time, would not be).
const djangoLayout = "2006-01-02 15:04:05"

// parseLayout reads djangoLayout with or without the fraction, and an
// ISO "T" separator is accepted by retrying with it.
const parseLayout = "2006-01-02 15:04:05.999999999"

// appendDjangoTime appends t, as wall-clock time in loc, in Django's format.
func appendDjangoTime(b []byte, t time.Time, loc *time.Location) []byte {
	t = t.In(loc)
	b = t.AppendFormat(b, djangoLayout)
	if us := t.Nanosecond() / 1000; us != 0 {
		b = append(b, '.')
		for d := 100000; d > 0; d /= 10 {
			b = append(b, byte('0'+us/d%10))
		}
	}
	return b
}

// timeCodec converts expire_date values between Go and one dialect.
type timeCodec struct {
	d   dialect
	dj  sessions.Django
	loc *time.Location // dj.Location(): the zone of naive columns
}

func newTimeCodec(d dialect, dj sessions.Django) timeCodec {
	return timeCodec{d: d, dj: dj, loc: dj.Location()}
}

// Django returns Options.Django, which sessions.New compares with
// Config.Django.
func (s *Store) Django() sessions.Django { return s.tc.dj }

// value is the bind argument for t. PostgreSQL's timestamptz takes the
// instant; SQLite and MySQL get Django's text of the wall clock in loc, so
// the result does not depend on the driver's own time settings (the
// MySQL driver's loc= parameter, the SQLite driver's _time_format).
func (c timeCodec) value(t time.Time) any {
	t = t.Truncate(time.Microsecond)
	if c.d == dialectPostgres {
		return t
	}
	var buf [32]byte
	return string(appendDjangoTime(buf[:0], t, c.loc))
}

// scan converts what the driver returned for expire_date.
func (c timeCodec) scan(v any) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		switch {
		case c.d == dialectPostgres:
			return v.In(c.loc), nil
		case c.d == dialectSQLite && v.Location() != time.UTC:
			// The SQLite driver parsed an explicit offset: an instant.
			return v.In(c.loc), nil
		}
		// A naive column: the driver read the wall clock into a zone of
		// its own choosing (UTC, or the MySQL DSN's loc). Keep the wall
		// clock, read it in ours.
		return c.dj.FromNaive(v), nil
	case []byte:
		return c.parse(string(v))
	case string:
		return c.parse(v)
	case nil:
		return time.Time{}, errors.New("gormstore: expire_date is NULL")
	}
	return time.Time{}, fmt.Errorf("gormstore: expire_date: unexpected %T from the driver", v)
}

// parse reads Django's text format (as MySQL without parseTime=true, or an
// SQLite column not declared datetime, hands it over) as wall-clock time
// in loc.
func (c timeCodec) parse(s string) (time.Time, error) {
	t, err := time.Parse(parseLayout, s)
	if err != nil {
		t2, err2 := time.Parse("2006-01-02T15:04:05.999999999", s)
		if err2 != nil {
			return time.Time{}, fmt.Errorf("gormstore: expire_date %q: %w", s, err)
		}
		t = t2
	}
	return c.dj.FromNaive(t), nil
}
