package sessions_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseDjangoVersion(t *testing.T) {
	tests := []struct {
		in   string
		want sessions.DjangoVersion
		ok   bool
	}{
		{"3.2", sessions.Django32, true},
		{"3.2.25", sessions.Django32, true},
		{"4.2.30", sessions.Django42, true},
		{"5.2.14", sessions.Django52, true},
		{"6.0.5", sessions.Django60, true},
		{"6.0rc1", sessions.Django60, true},
		{"4.1", 401, true},
		{"10.1", 1001, true},
		{"4", 0, false},
		{"4.", 0, false},
		{".2", 0, false},
		{"0.9", 0, false},
		{"4.2/1", 0, false},
		{"5.0a1", 500, true},
		{"4.100", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := sessions.ParseDjangoVersion(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseDjangoVersion(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, sessions.ErrInvalidConfig) {
			t.Errorf("ParseDjangoVersion(%q): %v is not ErrInvalidConfig", tt.in, err)
		}
	}
}

func TestDjangoVersion(t *testing.T) {
	tests := []struct {
		v            sessions.DjangoVersion
		str          string
		at40, at41   bool
		at32, at60   bool
		at100, at299 bool
	}{
		{0, "newest", true, true, true, true, true, true},
		{sessions.Django32, "3.2", false, false, true, false, false, true},
		{401, "4.1", true, true, true, false, false, true},
		{sessions.Django42, "4.2", true, true, true, false, false, true},
		{sessions.Django60, "6.0", true, true, true, true, false, true},
	}
	for _, tt := range tests {
		got := [...]bool{tt.v.AtLeast(4, 0), tt.v.AtLeast(4, 1), tt.v.AtLeast(3, 2), tt.v.AtLeast(6, 0), tt.v.AtLeast(10, 0), tt.v.AtLeast(2, 99)}
		want := [...]bool{tt.at40, tt.at41, tt.at32, tt.at60, tt.at100, tt.at299}
		if got != want || tt.v.String() != tt.str {
			t.Errorf("%d: String %q, AtLeast 4.0/4.1/3.2/6.0/10.0/2.99 = %v; want %q, %v", tt.v, tt.v.String(), got, tt.str, want)
		}
	}
}

// FromNaive reads wall-clock times as Python does with fold=0, which is
// how Django 4.0+ with USE_TZ = True stored these naive expiries
// (expiry_readback and use_tz vectors: the expire_date rows).
func TestFromNaive(t *testing.T) {
	paris, newYork := mustZone(t, "Europe/Paris"), mustZone(t, "America/New_York")
	wall := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, time.UTC) }
	utc := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, time.UTC) }
	tests := []struct {
		name string
		dj   sessions.Django
		wall time.Time
		want time.Time
	}{
		{"USE_TZ=True: UTC whatever TIME_ZONE", sessions.Django{TimeZone: paris}, wall(2023, 11, 15, 0, 13), utc(2023, 11, 15, 0, 13)},
		{"Paris winter", sessions.Django{NaiveTime: true, TimeZone: paris}, wall(2023, 11, 15, 0, 13), utc(2023, 11, 14, 23, 13)},
		{"Paris summer", sessions.Django{NaiveTime: true, TimeZone: paris}, wall(2026, 7, 1, 12, 0), utc(2026, 7, 1, 10, 0)},
		{"Paris skipped hour: offset before the change", sessions.Django{NaiveTime: true, TimeZone: paris}, wall(2026, 3, 29, 2, 30), utc(2026, 3, 29, 1, 30)},
		{"Paris just after the jump", sessions.Django{NaiveTime: true, TimeZone: paris}, wall(2026, 3, 29, 3, 0), utc(2026, 3, 29, 1, 0)},
		{"Paris repeated hour: first pass", sessions.Django{NaiveTime: true, TimeZone: paris}, wall(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30)},
		{"Paris after the repeated hour", sessions.Django{NaiveTime: true, TimeZone: paris}, wall(2026, 10, 25, 3, 0), utc(2026, 10, 25, 2, 0)},
		{"New York winter", sessions.Django{NaiveTime: true, TimeZone: newYork}, wall(2023, 11, 14, 18, 13), utc(2023, 11, 14, 23, 13)},
		{"New York skipped hour: offset before the change", sessions.Django{NaiveTime: true, TimeZone: newYork}, wall(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 30)},
		{"New York repeated hour: first pass", sessions.Django{NaiveTime: true, TimeZone: newYork}, wall(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30)},
		{"New York after the repeated hour", sessions.Django{NaiveTime: true, TimeZone: newYork}, wall(2026, 11, 1, 2, 0), utc(2026, 11, 1, 7, 0)},
		{"naive, no zone: UTC", sessions.Django{NaiveTime: true}, wall(2026, 3, 29, 2, 30), utc(2026, 3, 29, 2, 30)},
		{"wall's own location is ignored", sessions.Django{NaiveTime: true, TimeZone: paris}, time.Date(2023, 11, 15, 0, 13, 0, 0, newYork), utc(2023, 11, 14, 23, 13)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.dj.FromNaive(tt.wall); !got.Equal(tt.want) {
				t.Errorf("FromNaive(%s) = %v, want %v", tt.wall.Format(time.DateTime), got.UTC(), tt.want)
			}
		})
	}
	if got := (sessions.Django{TimeZone: paris}).Location(); got != time.UTC {
		t.Errorf("USE_TZ=True: Location = %v, want UTC", got)
	}
	if got := (sessions.Django{NaiveTime: true, TimeZone: paris}).Location(); got != paris {
		t.Errorf("USE_TZ=False: Location = %v, want TIME_ZONE", got)
	}
}

// djangoStore is a store that keeps expire_date in a Django's zone, as
// gormstore reports it.
type djangoStore struct {
	sessions.Store
	dj sessions.Django
}

func (s djangoStore) Django() sessions.Django { return s.dj }

func TestConfigDjango(t *testing.T) {
	paris, newYork := mustZone(t, "Europe/Paris"), mustZone(t, "America/New_York")
	naiveParis := sessions.Django{NaiveTime: true, TimeZone: paris}
	tests := []struct {
		name  string
		cfg   sessions.Django
		store *sessions.Django // nil: a store without a Django value
		ok    bool
	}{
		{"zero", sessions.Django{}, nil, true},
		{"3.2", sessions.Django{Version: sessions.Django32}, nil, true},
		{"version without minor", sessions.Django{Version: 4}, nil, false},
		{"store agrees", naiveParis, &sessions.Django{NaiveTime: true, TimeZone: mustZone(t, "Europe/Paris"), Version: sessions.Django42}, true},
		{"store left at UTC", naiveParis, &sessions.Django{}, false},
		{"store in another zone", naiveParis, &sessions.Django{NaiveTime: true, TimeZone: newYork}, false},
		{"USE_TZ=True: TIME_ZONE does not matter to the store", sessions.Django{TimeZone: paris}, &sessions.Django{}, true},
		{"config left at UTC", sessions.Django{}, &naiveParis, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := memstore.New(memstore.Options{})
			t.Cleanup(func() { _ = ms.Close() })
			var store sessions.Store = ms
			if tt.store != nil {
				store = djangoStore{Store: ms, dj: *tt.store}
			}
			m, err := sessions.New(sessions.Config{Store: store, Secret: testSecret, Django: tt.cfg})
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, sessions.ErrInvalidConfig)) {
				t.Fatalf("New = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				return
			}
			if got := m.Open(t.Context(), "").Django(); got != tt.cfg {
				t.Errorf("Session.Django() = %+v, want %+v", got, tt.cfg)
			}
		})
	}
}

// djangoVectors decodes into v (a struct naming the sections a test reads)
// the vectors of each Django version in testdata/django, oldest first,
// and returns one value per version with its version.
func djangoVectors[V any](t testing.TB) []versioned[V] {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "django", "vectors*.json"))
	if err != nil || len(paths) != 4 {
		t.Fatalf("want the vectors of 4 Django versions in testdata/django, found %v (%v)", paths, err)
	}
	var out []versioned[V]
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var head struct {
			Version string `json:"django_version"`
		}
		var v V
		if err := json.Unmarshal(b, &head); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ver, err := sessions.ParseDjangoVersion(head.Version)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, versioned[V]{Name: head.Version, Version: ver, V: v})
	}
	slices.SortFunc(out, func(a, b versioned[V]) int { return int(a.Version) - int(b.Version) })
	return out
}

type versioned[V any] struct {
	Name    string // "4.2.30"
	Version sessions.DjangoVersion
	V       V
}
