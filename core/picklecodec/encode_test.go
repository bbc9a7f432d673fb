package picklecodec_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/picklecodec"
)

type profile struct {
	Name  string   `json:"name"`
	Tags  []string `json:"tags"`
	Score float64  `json:"score"`
	Admin bool     `json:"admin,omitempty"`
}

type level int

// TestSameAsJSON: whatever a handler stores reads back from the pickle
// codec exactly as it reads back from the JSON codec, so switching a
// store to Django's cache format changes nothing a handler sees.
func TestSameAsJSON(t *testing.T) {
	values := map[string]any{
		"nil": nil, "bool": true, "str": "Zoë 😀", "bad utf8": "a\xffb",
		"int": 1, "int8": int8(-8), "int16": int16(300), "int32": int32(-70000), "int64": int64(math.MinInt64),
		"uint": uint(7), "uint8": uint8(255), "uint16": uint16(65535), "uint32": uint32(math.MaxUint32),
		"uint64": uint64(math.MaxUint64), "uintptr": uintptr(9),
		"float32": float32(0.1), "float64": 19.99, "inf": math.Inf(-1), "neg zero": math.Copysign(0, -1),
		"number": json.Number("18446744073709551616"), "float number": json.Number("1.5e3"),
		"strings": []string{"a", "b"}, "ints": []int{1, -2}, "int64s": []int64{1 << 40}, "floats": []float64{0.5},
		"bools": []bool{true, false}, "nil slice": []string(nil), "nil map": map[string]string(nil),
		"map str": map[string]string{"k": "v"}, "map int": map[string]int{"k": 1}, "map int64": map[string]int64{"k": -1},
		"nested":  map[string]any{"a": []any{map[string]any{}, []any{}}},
		"struct":  profile{Name: "x", Tags: []string{"t"}, Score: 2},
		"pointer": &profile{Name: "p"}, "named int": level(3), "time": time.Date(2026, 12, 2, 14, 8, 55, 73800000, time.UTC),
		"raw": json.RawMessage(`{"z":[1,2.5,"s",null]}`), "map any slice": []map[string]any{{"a": 1}},
	}
	pickled, err := picklecodec.Codec{}.Append(nil, values)
	if err != nil {
		t.Fatal(err)
	}
	got, err := picklecodec.Codec{}.Decode(pickled)
	if err != nil {
		t.Fatal(err)
	}
	js, err := sessions.JSONCodec{}.Append(nil, values)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sessions.JSONCodec{}.Decode(js)
	if err != nil {
		t.Fatal(err)
	}
	for k := range values {
		if !equalNaN(got[k], want[k]) {
			t.Errorf("%s: pickle gives %#v, JSON gives %#v", k, got[k], want[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d keys, JSON has %d", len(got), len(want))
	}
}

func TestAppendErrors(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	tests := []struct {
		name  string
		codec picklecodec.Codec
		value map[string]any
		want  error
	}{
		{"chan", picklecodec.Codec{}, map[string]any{"c": make(chan int)}, picklecodec.ErrUnsupported},
		{"func", picklecodec.Codec{}, map[string]any{"f": func() {}}, picklecodec.ErrUnsupported},
		{"complex", picklecodec.Codec{}, map[string]any{"c": complex(1, 2)}, picklecodec.ErrUnsupported},
		{"bad json.Number", picklecodec.Codec{}, map[string]any{"n": json.Number("12x")}, picklecodec.ErrUnsupported},
		{"bad RawMessage", picklecodec.Codec{}, map[string]any{"r": json.RawMessage(`{`)}, picklecodec.ErrUnsupported},
		{"cycle", picklecodec.Codec{}, cyclic, picklecodec.ErrTooLarge},
		{"protocol 3", picklecodec.Codec{Protocol: 3}, map[string]any{}, picklecodec.ErrProtocol},
		{"protocol 6", picklecodec.Codec{Protocol: 6}, map[string]any{}, picklecodec.ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("keep")
			got, err := tt.codec.Append(dst, tt.value)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Append error = %v, want %v", err, tt.want)
			}
			if string(got) != "keep" {
				t.Fatalf("Append returned %q on error, want dst unchanged", got)
			}
		})
	}
}

func TestAppendForms(t *testing.T) {
	tests := []struct {
		name  string
		codec picklecodec.Codec
		value map[string]any
		want  string
	}{
		{"empty, protocol 4", picklecodec.Codec{}, map[string]any{}, "\x80\x04}\x94."},
		{"nil map", picklecodec.Codec{Protocol: 5}, nil, "\x80\x05}\x94."},
		{"one key", picklecodec.Codec{}, map[string]any{"foo": "bar"},
			"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x03foo\x94\x8c\x03bar\x94s."},
		// CPython keeps one-character strs as singletons: the second is a
		// memo reference.
		{"singleton strs", picklecodec.Codec{}, map[string]any{"a": "1", "b": "1"},
			"\x80\x04\x95\x13\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94\x8c\x011\x94\x8c\x01b\x94h\x02u."},
		{"datetime expiry off", picklecodec.Codec{}, map[string]any{"_session_expiry": "2023-11-14T23:13:20+00:00"},
			"\x80\x04\x952\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x0f_session_expiry\x94\x8c\x192023-11-14T23:13:20+00:00\x94s."},
		// Django 3.2's bytes for set_expiry(timedelta(hours=1)) at its
		// pinned time, with pytz.utc.
		{"datetime expiry on", picklecodec.Codec{DatetimeExpiry: true}, map[string]any{"_session_expiry": "2023-11-14T23:13:20+00:00"},
			"\x80\x04\x95R\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x0f_session_expiry\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\n\x07\xe7\x0b\x0e\x17\r\x14\x00\x00\x00\x94\x8c\x04pytz\x94\x8c\x04_UTC\x94\x93\x94)R\x94\x86\x94R\x94s."},
		{"datetime expiry Z", picklecodec.Codec{DatetimeExpiry: true}, map[string]any{"_session_expiry": "2023-11-14T23:13:20Z"},
			"\x80\x04\x95R\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x0f_session_expiry\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\n\x07\xe7\x0b\x0e\x17\r\x14\x00\x00\x00\x94\x8c\x04pytz\x94\x8c\x04_UTC\x94\x93\x94)R\x94\x86\x94R\x94s."},
		{"int expiry stays int", picklecodec.Codec{DatetimeExpiry: true}, map[string]any{"_session_expiry": int64(300)},
			"\x80\x04\x95\x19\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x0f_session_expiry\x94M,\x01s."},
	}
	// Each want is CPython 3.11's pickle.dumps of the same dict (with
	// pytz.utc for the datetime).
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.codec.Append(nil, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("Append = %q\n          want %q", got, tt.want)
			}
		})
	}
}

// TestDatetimeExpiryRoundTrip: a datetime written for Django 3.2 reads
// back as the ISO string core wrote, in Python's isoformat() form.
func TestDatetimeExpiryRoundTrip(t *testing.T) {
	tests := []struct {
		in, want string
		datetime bool
	}{
		{"2023-11-14T23:13:20+00:00", "2023-11-14T23:13:20+00:00", true},
		{"2023-11-14T23:13:20.000123+00:00", "2023-11-14T23:13:20.000123+00:00", true},
		{"2023-11-14T23:13:20.1234567Z", "2023-11-14T23:13:20.123456+00:00", true},
		{"2023-11-14 23:13:20-05:00", "2023-11-14T23:13:20-05:00", true},
		{"2023-11-14T23:13:20+0530", "2023-11-14T23:13:20+05:30", true},
		{"2023-11-14T23:13:20+01:00:07.000005", "2023-11-14T23:13:20+01:00:07.000005", true},
		{"2026-12-02T14:08:55.073800", "2026-12-02T14:08:55.073800", true},
		{"2026-12-02T14:08", "2026-12-02T14:08:00", true},
		{"2024-02-29T00:00:00", "2024-02-29T00:00:00", true},
		// Not a datetime: written and read as the str it is.
		{"2023-02-29T00:00:00", "2023-02-29T00:00:00", false},
		{"2026-12-02", "2026-12-02", false},
		{"2026-12-02T25:00:00", "2026-12-02T25:00:00", false},
		{"2026-12-02T10:00:00+24:00", "2026-12-02T10:00:00+24:00", false},
		{"soon", "soon", false},
	}
	for _, tt := range tests {
		codec := picklecodec.Codec{Protocol: 5, DatetimeExpiry: true}
		data, err := codec.Append(nil, map[string]any{"_session_expiry": tt.in})
		if err != nil {
			t.Fatal(err)
		}
		got, err := codec.Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got["_session_expiry"] != tt.want {
			t.Errorf("%s reads back as %v, want %s", tt.in, got["_session_expiry"], tt.want)
		}
		if got := bytes.Contains(data, []byte("\x93")); got != tt.datetime {
			t.Errorf("%s: written as a datetime: %v, want %v", tt.in, got, tt.datetime)
		}
	}
}

// TestAppendDst: Append appends, and a large session uses several frames.
func TestAppendDst(t *testing.T) {
	big := map[string]any{}
	for i := range 100 {
		big[strings.Repeat("k", i+1)] = strings.Repeat("v", 2000)
	}
	dst := []byte("prefix")
	out, err := picklecodec.Codec{}.Append(dst, big)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, dst) {
		t.Fatal("Append did not keep dst")
	}
	if n := bytes.Count(out, []byte{0x95}); n < 3 {
		t.Errorf("%d FRAME opcodes in %d bytes, want 3 or more", n, len(out))
	}
	got, err := picklecodec.Codec{}.Decode(out[len(dst):])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, big) {
		t.Fatal("large session does not round-trip")
	}
}
