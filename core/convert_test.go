package sessions

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"
)

// These test the conversions without a store; typed_test.go covers the
// round trip through one.

func convertCase[T any](v any) (any, error) { return convert[T]("k", v) }

func TestConvertNumbers(t *testing.T) {
	type myInt int16
	type myFloat float32
	tests := []struct {
		name string
		got  func() (any, error)
		want any // nil: ErrWrongType
	}{
		{"int64 to int", func() (any, error) { return convertCase[int](int64(-5)) }, -5},
		{"-0.0 to int", func() (any, error) { return convertCase[int](math.Copysign(0, -1)) }, 0},
		{"2**63 to int64", func() (any, error) { return convertCase[int64](0x1p63) }, nil},
		{"-2**63 to int64", func() (any, error) { return convertCase[int64](-0x1p63) }, int64(math.MinInt64)},
		{"NaN to int", func() (any, error) { return convertCase[int](math.NaN()) }, nil},
		{"Inf to int", func() (any, error) { return convertCase[int](math.Inf(1)) }, nil},
		{"Inf to uint", func() (any, error) { return convertCase[uint](math.Inf(1)) }, nil},
		{"2**64 float to uint64", func() (any, error) { return convertCase[uint64](0x1p64) }, nil},
		{"max uint64 to int64", func() (any, error) { return convertCase[int64](uint64(math.MaxUint64)) }, nil},
		{"uint8 to int8 fits", func() (any, error) { return convertCase[int8](uint8(127)) }, int8(127)},
		{"uint8 to int8 overflows", func() (any, error) { return convertCase[int8](uint8(128)) }, nil},
		{"int to uint16", func() (any, error) { return convertCase[uint16](65535) }, uint16(65535)},
		{"int to uint16 overflows", func() (any, error) { return convertCase[uint16](65536) }, nil},
		{"to uintptr", func() (any, error) { return convertCase[uintptr](int64(9)) }, uintptr(9)},
		{"named to named", func() (any, error) { return convertCase[myInt](time.Duration(300)) }, myInt(300)},
		{"named overflow", func() (any, error) { return convertCase[myInt](time.Duration(1 << 20)) }, nil},
		{"float32 to int", func() (any, error) { return convertCase[int](float32(4)) }, 4},
		{"named float", func() (any, error) { return convertCase[myFloat](1.5) }, myFloat(1.5)},
		{"float32 max", func() (any, error) { return convertCase[float32](float64(math.MaxFloat32)) }, float32(math.MaxFloat32)},
		{"float32 -Inf", func() (any, error) { return convertCase[float32](math.Inf(-1)) }, float32(math.Inf(-1))},
		{"json.Number int", func() (any, error) { return convertCase[int](json.Number("-12")) }, -12},
		{"json.Number plus", func() (any, error) { return convertCase[int](json.Number("3.0")) }, 3},
		{"json.Number exponent", func() (any, error) { return convertCase[uint](json.Number("1e3")) }, uint(1000)},
		{"json.Number fraction", func() (any, error) { return convertCase[int](json.Number("3.5")) }, nil},
		{"json.Number negative to uint", func() (any, error) { return convertCase[uint](json.Number("-1")) }, nil},
		{"json.Number int8 range", func() (any, error) { return convertCase[int8](json.Number("128")) }, nil},
		{"json.Number junk", func() (any, error) { return convertCase[int](json.Number("twelve")) }, nil},
		{"json.Number to float32 range", func() (any, error) { return convertCase[float32](json.Number("1e39")) }, nil},
		{"json.Number to float64", func() (any, error) { return convertCase[float64](json.Number("0.25")) }, 0.25},
		{"float to json.Number", func() (any, error) { return convertCase[json.Number](2.5) }, json.Number("2.5")},
		{"uint to json.Number", func() (any, error) { return convertCase[json.Number](uint64(math.MaxUint64)) }, json.Number("18446744073709551615")},
		{"NaN to json.Number", func() (any, error) { return convertCase[json.Number](math.NaN()) }, nil},
		{"bool to int", func() (any, error) { return convertCase[int](true) }, nil},
		{"string to float", func() (any, error) { return convertCase[float64]("1") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			if tt.want == nil {
				if !errors.Is(err, ErrWrongType) {
					t.Fatalf("got %v, %v; want ErrWrongType", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

func TestConvertISOTime(t *testing.T) {
	utc := func(ns int) time.Time { return time.Date(2026, 12, 2, 15, 4, 5, ns, time.UTC) }
	tests := []struct {
		in     string
		want   time.Time
		offset int // seconds east of UTC
		ok     bool
	}{
		{"2026-12-02T15:04:05.123456+00:00", utc(123456000), 0, true},
		{"2026-12-02T15:04:05+00:00", utc(0), 0, true},
		{"2026-12-02T15:04:05-00:00", utc(0), 0, true},
		{"2026-12-02T15:04:05.123Z", utc(123000000), 0, true},
		{"2026-12-02T15:04:05Z", utc(0), 0, true},
		{"2026-12-02T15:04:05", utc(0), 0, true},
		{"2026-12-02T15:04:05,5", utc(500000000), 0, true},
		{"2026-12-02 15:04:05", utc(0), 0, true},
		{"2026-12-02 15:04:05.000001", utc(1000), 0, true},
		{"2026-12-02 15:04:05.123456+00:00", utc(123456000), 0, true},
		{"2026-12-02T15:04:05.123456789Z", utc(123456789), 0, true},
		{"2026-12-02T16:04:05+01:00", utc(0), 3600, true},
		{"2026-12-02 10:04:05-05:00", utc(0), -5 * 3600, true},
		{"2026-12-02T16:04:05+0100", utc(0), 3600, true},
		{"2026-12-02T16:04:06+01:00:01", utc(0), 3601, true},
		{"2026-12-02T15:04:05+00:00:00", utc(0), 0, true},
		{"2026-12-02", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), 0, true},
		{"", time.Time{}, 0, false},
		{"2026-12-02T15:04", time.Time{}, 0, false},
		{"2026-12-02X15:04:05", time.Time{}, 0, false},
		{"2026-12-02T25:04:05", time.Time{}, 0, false},
		{"2026-02-30T15:04:05", time.Time{}, 0, false},
		{"2026-12-02T15:04:05+1", time.Time{}, 0, false},
		{"2026-12-02T15:04:05 UTC", time.Time{}, 0, false},
		{"2026-12-02T15:04:05.Z", time.Time{}, 0, false},
		{"2026/12/02", time.Time{}, 0, false},
		{" 2026-12-02T15:04:05Z", time.Time{}, 0, false},
	}
	for _, tt := range tests {
		got, ok := parseISOTime(tt.in)
		if ok != tt.ok {
			t.Errorf("%q: ok = %v, want %v (%v)", tt.in, ok, tt.ok, got)
			continue
		}
		if !ok {
			continue
		}
		name, off := got.Zone()
		if !got.Equal(tt.want) || off != tt.offset {
			t.Errorf("%q = %v, want %v at offset %d", tt.in, got, tt.want, tt.offset)
		}
		if off == 0 && (got.Location() != time.UTC || name != "UTC") {
			t.Errorf("%q: zero offset in %v, want UTC", tt.in, got.Location())
		}
	}
}

func TestConvertJSONReason(t *testing.T) {
	type inner struct {
		N uint8 `json:"n"`
	}
	type outer struct {
		In []inner `json:"in"`
	}
	_, err := convert[outer]("k", map[string]any{"in": []any{map[string]any{"n": int64(4242)}}})
	const want = `sessions: "k" holds map[string]interface {}, not sessions.outer: cannot decode a JSON number into uint8 at "in.n"`
	if err == nil || err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
}
