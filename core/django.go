package sessions

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Django describes the Django project that shares sessions with this
// service: the settings under which the two sides read a session
// differently. The zero value is modern Django (4.1 or later) with
// USE_TZ = True and TIME_ZONE = "UTC".
//
// Set it once, in Config.Django, and give the same value to a store that
// keeps Django's expire_date column (gormstore.Options.Django).
type Django struct {
	// Version is the Django release series, e.g. Django42. It decides which
	// login hashes djangoauth.VerifyHash accepts: 3.x also accepts the
	// legacy SHA-1 _auth_user_hash and ignores secret fallbacks, 4.0 and
	// later reject SHA-1 (Django flushes such a session), 4.1 and later
	// accept hashes made with SECRET_KEY_FALLBACKS. Default: zero, the
	// newest behaviour.
	Version DjangoVersion

	// NaiveTime is USE_TZ = False: Django keeps datetimes without a zone,
	// as wall-clock time in TimeZone. SetExpiresAt then writes such a time
	// (this Django raises TypeError on one with an offset), a naive
	// _session_expiry is read in TimeZone, and ages and relative expiries
	// are reckoned on TimeZone's wall clock, as Django subtracts and adds
	// naive datetimes. Default: false, USE_TZ = True.
	NaiveTime bool

	// TimeZone is Django's TIME_ZONE. With NaiveTime it is the zone of
	// every datetime Django stores; without, only a naive _session_expiry
	// (which Django with USE_TZ = True never writes) is read in it.
	// Default: nil, UTC, as in the settings startproject writes (Django's
	// own default, when settings.py says nothing, is America/Chicago).
	TimeZone *time.Location
}

// DjangoVersion is a Django release series, major*100 + minor (Django42 is
// 402). Zero means the newest behaviour this package knows.
type DjangoVersion uint16

// Release series whose sessions this package is tested against; any other
// series works too (ParseDjangoVersion).
const (
	Django32 DjangoVersion = 302
	Django42 DjangoVersion = 402
	Django52 DjangoVersion = 502
	Django60 DjangoVersion = 600
)

// ParseDjangoVersion reads a version as django.get_version() prints it
// ("4.2.30", "5.2", "6.0rc1"): its major and minor numbers.
func ParseDjangoVersion(s string) (DjangoVersion, error) {
	major, rest, ok := strings.Cut(s, ".")
	if !ok {
		return 0, fmt.Errorf("%w: Django version %q: want major.minor", ErrInvalidConfig, s)
	}
	end := 0
	for end < len(rest) && '0' <= rest[end] && rest[end] <= '9' {
		end++
	}
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(rest[:end])
	if err1 != nil || err2 != nil || ma < 1 || ma > 99 || mi > 99 || (end < len(rest) && rest[end] != '.' && !isLetter(rest[end])) {
		return 0, fmt.Errorf("%w: Django version %q: want major.minor", ErrInvalidConfig, s)
	}
	return DjangoVersion(ma*100 + mi), nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' }

// String returns "4.2", or "newest" for the zero value.
func (v DjangoVersion) String() string {
	if v == 0 {
		return "newest"
	}
	return strconv.Itoa(int(v)/100) + "." + strconv.Itoa(int(v)%100)
}

// AtLeast reports whether v is major.minor or later; the zero value is
// later than every version.
func (v DjangoVersion) AtLeast(major, minor int) bool {
	return v == 0 || int(v) >= major*100+minor
}

// Location returns the zone of the datetimes this Django stores without
// one: TimeZone with NaiveTime; UTC otherwise, as Django with USE_TZ = True
// writes UTC into columns that hold no zone (SQLite, MySQL).
func (d Django) Location() *time.Location {
	if d.NaiveTime {
		return d.zone()
	}
	return time.UTC
}

// FromNaive returns the instant this Django means by a datetime without a
// zone whose clock reads as wall's (wall's own location is ignored): wall
// clock time in Location. A time that clocks show twice when they go back
// is the first of the two instants; a time they skip when they go forward
// is read with the offset in force before the change. That is Python's
// reading (fold=0), and Django's with USE_TZ = True.
func (d Django) FromNaive(wall time.Time) time.Time {
	return fromWall(wall, d.Location())
}

// Django returns the Django settings of the Manager that opened s
// (Config.Django), for code that reads what Django keeps in a session
// (djangoauth).
func (s *Session) Django() Django {
	if s.m == nil {
		return Django{}
	}
	return s.m.cfg.Django
}

// check validates d, and that a store which keeps expiry times the way
// Django does (it reports its own Django value) keeps them in d's zone:
// otherwise the two would disagree about every naive expire_date.
func (d Django) check(store Store) error {
	if d.Version != 0 && d.Version < 100 {
		return fmt.Errorf("%w: Django.Version %d is not major*100+minor (use Django42 or ParseDjangoVersion)", ErrInvalidConfig, d.Version)
	}
	ds, ok := store.(interface{ Django() Django })
	if !ok {
		return nil
	}
	if theirs, ours := ds.Django().Location().String(), d.Location().String(); theirs != ours {
		return fmt.Errorf("%w: the store keeps expire_date in %s, Config.Django in %s: give both the same Django value", ErrInvalidConfig, theirs, ours)
	}
	return nil
}

// zone is TimeZone, UTC when unset.
func (d Django) zone() *time.Location {
	if d.TimeZone == nil {
		return time.UTC
	}
	return d.TimeZone
}

// after returns the instant now+dur as Django reckons it: with NaiveTime
// Django adds a timedelta to its naive local time, so across a DST change
// the result is that many hours on TimeZone's wall clock, and the
// expire_date Go writes is the one Django writes.
func (d Django) after(now time.Time, dur time.Duration) time.Time {
	if !d.NaiveTime {
		return now.Add(dur)
	}
	loc := d.zone()
	return fromWall(wallClock(now, loc).Add(dur), loc)
}

// wallClock returns t's wall-clock reading in loc as a UTC time, so that
// two readings subtract as Python subtracts naive datetimes.
func wallClock(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)
}

// fromWall resolves wall's clock reading in loc the way Python does with
// fold=0. time.Date picks either side of a DST change depending on the
// zone's sign, so the offsets in force a day before and a day after are
// tried in that order: the first one under which the reading exists wins
// (the earlier instant of a repeated hour); a reading that exists under
// neither (a skipped hour) takes the earlier offset.
func fromWall(wall time.Time, loc *time.Location) time.Time {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	w := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), time.UTC)
	if loc == time.UTC {
		return w
	}
	_, before := w.Add(-24 * time.Hour).In(loc).Zone()
	_, after := w.Add(24 * time.Hour).In(loc).Zone()
	for _, off := range [2]int{before, after} {
		t := w.Add(-time.Duration(off) * time.Second).In(loc)
		if _, o := t.Zone(); o == off {
			return t
		}
	}
	return w.Add(-time.Duration(before) * time.Second).In(loc)
}
