package sessions_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// Types a handler would keep in its session.
type (
	typedItem struct {
		SKU   string  `json:"sku"`
		Qty   int     `json:"qty"`
		Price float64 `json:"price"`
	}
	typedCart struct {
		ID    int64       `json:"id"`
		Items []typedItem `json:"items"`
		Note  string      `json:"note,omitempty"`
	}
	typedNested struct {
		Owner   *typedItem             `json:"owner"`
		ByShelf map[string][]typedItem `json:"by_shelf"`
		Seen    time.Time              `json:"seen"`
		Token   []byte                 `json:"token"`
		Extra   any                    `json:"extra"`
		Big     uint64                 `json:"big"`
	}
	typedUserID int64
	typedRole   string
)

// typedLevel decodes itself from its name, as enums often do.
type typedLevel int

func (l typedLevel) MarshalText() ([]byte, error) {
	return []byte([]string{"debug", "info", "warn"}[l]), nil
}

func (l *typedLevel) UnmarshalText(b []byte) error {
	switch string(b) {
	case "debug":
		*l = 0
	case "info":
		*l = 1
	case "warn":
		*l = 2
	default:
		return errors.New("bad level " + string(b))
	}
	return nil
}

func typedManager(t testing.TB, store sessions.Store) *sessions.Manager {
	t.Helper()
	if store == nil {
		ms := memstore.New(memstore.Options{})
		t.Cleanup(func() { _ = ms.Close() })
		store = ms
	}
	m, err := sessions.New(sessions.Config{Store: store, Secret: "typed-test-secret-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// typedNextRequest stores values in a first request, saves it, and returns
// the session of a second request with the same key: what it sees is what
// went through the codec and the store.
func typedNextRequest(t testing.TB, m *sessions.Manager, values map[string]any) *sessions.Session {
	t.Helper()
	s1 := m.Open(context.Background(), "")
	for k, v := range values {
		s1.Set(k, v)
	}
	if err := s1.Save(); err != nil {
		t.Fatal(err)
	}
	return m.Open(context.Background(), s1.Key())
}

// typedGetter wraps Get[T] so that a table can hold getters of any T.
func typedGetter[T any](key string) func(*sessions.Session) (any, error) {
	return func(s *sessions.Session) (any, error) { return sessions.Get[T](s, key) }
}

func typedPopper[T any](key string) func(*sessions.Session) (any, error) {
	return func(s *sessions.Session) (any, error) { return sessions.Pop[T](s, key) }
}

// typedEqual compares like reflect.DeepEqual, but times by instant and
// offset (their *Location need not be the same pointer).
func typedEqual(got, want any) bool {
	if wt, ok := want.(time.Time); ok {
		gt, ok := got.(time.Time)
		_, wo := wt.Zone()
		_, gotOff := gt.Zone()
		return ok && gt.Equal(wt) && gotOff == wo
	}
	return reflect.DeepEqual(got, want)
}

var (
	typedSampleCart = typedCart{ID: 7, Items: []typedItem{{"apple", 3, 0.5}, {"pear", 1, 1.25}}}
	typedSeen       = time.Date(2026, 12, 2, 15, 4, 5, 123456789, time.UTC)
	plusOne         = time.FixedZone("", 3600)
	plusHalf        = time.FixedZone("", 5*3600+1800)
)

func TestTypedGetRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		stored  any // set in the first request; absent when nil and absent is set
		absent  bool
		get     func(*sessions.Session) (any, error)
		want    any
		wantErr error // nil, sessions.ErrNotSet or sessions.ErrWrongType
	}{
		// Strings and bools.
		{name: "string", stored: "Zoë", get: typedGetter[string]("k"), want: "Zoë"},
		{name: "empty string", stored: "", get: typedGetter[string]("k"), want: ""},
		{name: "named string", stored: "admin", get: typedGetter[typedRole]("k"), want: typedRole("admin")},
		{name: "string from int", stored: 42, get: typedGetter[string]("k"), wantErr: sessions.ErrWrongType},
		{name: "string from big int", stored: uint64(math.MaxUint64), get: typedGetter[string]("k"), wantErr: sessions.ErrWrongType},
		{name: "bool", stored: true, get: typedGetter[bool]("k"), want: true},
		{name: "bool from string", stored: "true", get: typedGetter[bool]("k"), wantErr: sessions.ErrWrongType},
		{name: "bool from int", stored: 1, get: typedGetter[bool]("k"), wantErr: sessions.ErrWrongType},

		// Integers.
		{name: "int", stored: 42, get: typedGetter[int]("k"), want: 42},
		{name: "int from integral float", stored: 3.0, get: typedGetter[int]("k"), want: 3},
		{name: "int from fraction", stored: 3.5, get: typedGetter[int]("k"), wantErr: sessions.ErrWrongType},
		{name: "int from string", stored: "42", get: typedGetter[int]("k"), wantErr: sessions.ErrWrongType},
		{name: "int64", stored: int64(1) << 62, get: typedGetter[int64]("k"), want: int64(1) << 62},
		{name: "int64 min", stored: int64(math.MinInt64), get: typedGetter[int64]("k"), want: int64(math.MinInt64)},
		{name: "int64 from 2**64", stored: json.Number("18446744073709551616"), get: typedGetter[int64]("k"), wantErr: sessions.ErrWrongType},
		{name: "int8 underflow", stored: -129, get: typedGetter[int8]("k"), wantErr: sessions.ErrWrongType},
		{name: "int16", stored: -32768, get: typedGetter[int16]("k"), want: int16(-32768)},
		{name: "int32 overflow", stored: int64(math.MaxInt32) + 1, get: typedGetter[int32]("k"), wantErr: sessions.ErrWrongType},
		{name: "uint8", stored: 255, get: typedGetter[uint8]("k"), want: uint8(255)},
		{name: "uint8 overflow", stored: 300, get: typedGetter[uint8]("k"), wantErr: sessions.ErrWrongType},
		{name: "uint from negative", stored: -7, get: typedGetter[uint]("k"), wantErr: sessions.ErrWrongType},
		{name: "uint64 max", stored: uint64(math.MaxUint64), get: typedGetter[uint64]("k"), want: uint64(math.MaxUint64)},
		{name: "uint64 beyond", stored: json.Number("18446744073709551616"), get: typedGetter[uint64]("k"), wantErr: sessions.ErrWrongType},
		{name: "named int", stored: 12, get: typedGetter[typedUserID]("k"), want: typedUserID(12)},
		{name: "duration", stored: int64(time.Second), get: typedGetter[time.Duration]("k"), want: time.Second},
		{name: "json.Number from int", stored: 42, get: typedGetter[json.Number]("k"), want: json.Number("42")},
		{name: "json.Number from string", stored: "42", get: typedGetter[json.Number]("k"), wantErr: sessions.ErrWrongType},

		// Floats.
		{name: "float", stored: 2.5, get: typedGetter[float64]("k"), want: 2.5},
		{name: "float from int", stored: 42, get: typedGetter[float64]("k"), want: 42.0},
		{name: "float from 2**64", stored: json.Number("18446744073709551616"), get: typedGetter[float64]("k"), want: 0x1p64},
		{name: "float32", stored: float32(0.1), get: typedGetter[float32]("k"), want: float32(0.1)},
		{name: "float32 overflow", stored: 1e300, get: typedGetter[float32]("k"), wantErr: sessions.ErrWrongType},
		{name: "float from bool", stored: true, get: typedGetter[float64]("k"), wantErr: sessions.ErrWrongType},
		{name: "float infinity", stored: math.Inf(1), get: typedGetter[float64]("k"), want: math.Inf(1)},

		// Times, in each form Python, Django and Go write.
		{name: "time isoformat", stored: "2026-12-02T15:04:05.123456+00:00", get: typedGetter[time.Time]("k"),
			want: time.Date(2026, 12, 2, 15, 4, 5, 123456000, time.UTC)},
		{name: "time isoformat no fraction", stored: "2026-12-02T15:04:05+00:00", get: typedGetter[time.Time]("k"),
			want: time.Date(2026, 12, 2, 15, 4, 5, 0, time.UTC)},
		{name: "time Django Z", stored: "2026-12-02T15:04:05.123Z", get: typedGetter[time.Time]("k"),
			want: time.Date(2026, 12, 2, 15, 4, 5, 123000000, time.UTC)},
		{name: "time naive", stored: "2026-12-02T15:04:05", get: typedGetter[time.Time]("k"),
			want: time.Date(2026, 12, 2, 15, 4, 5, 0, time.UTC)},
		{name: "time naive fraction", stored: "2026-12-02T15:04:05.5", get: typedGetter[time.Time]("k"),
			want: time.Date(2026, 12, 2, 15, 4, 5, 500000000, time.UTC)},
		{name: "time space naive", stored: "2026-12-02 15:04:05.123456", get: typedGetter[time.Time]("k"),
			want: time.Date(2026, 12, 2, 15, 4, 5, 123456000, time.UTC)},
		{name: "time space offset", stored: "2026-12-02 15:04:05+01:00", get: typedGetter[time.Time]("k"),
			want: time.Date(2026, 12, 2, 15, 4, 5, 0, plusOne)},
		{name: "time offset", stored: "2026-12-02T15:04:05.000001+05:30", get: typedGetter[time.Time]("k"),
			want: time.Date(2026, 12, 2, 15, 4, 5, 1000, plusHalf)},
		{name: "time offset seconds", stored: "2026-12-02T15:04:05+05:30:00", get: typedGetter[time.Time]("k"),
			want: time.Date(2026, 12, 2, 15, 4, 5, 0, plusHalf)},
		{name: "time RFC 3339 nano", stored: "2026-12-02T15:04:05.123456789Z", get: typedGetter[time.Time]("k"), want: typedSeen},
		{name: "time date only", stored: "2026-12-02", get: typedGetter[time.Time]("k"), want: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)},
		{name: "time stored as time.Time", stored: typedSeen.In(plusOne), get: typedGetter[time.Time]("k"), want: typedSeen.In(plusOne)},
		{name: "time not a time", stored: "next tuesday", get: typedGetter[time.Time]("k"), wantErr: sessions.ErrWrongType},
		{name: "time bad month", stored: "2026-13-02T15:04:05Z", get: typedGetter[time.Time]("k"), wantErr: sessions.ErrWrongType},
		{name: "time trailing junk", stored: "2026-12-02T15:04:05Zjunk", get: typedGetter[time.Time]("k"), wantErr: sessions.ErrWrongType},
		{name: "time from number", stored: 1700000000, get: typedGetter[time.Time]("k"), wantErr: sessions.ErrWrongType},

		// Composite values, through encoding/json.
		{name: "struct", stored: typedSampleCart, get: typedGetter[typedCart]("k"), want: typedSampleCart},
		{name: "pointer to struct", stored: &typedSampleCart, get: typedGetter[*typedCart]("k"), want: &typedSampleCart},
		{name: "struct from pointer", stored: &typedSampleCart, get: typedGetter[typedCart]("k"), want: typedSampleCart},
		{name: "slice of structs", stored: typedSampleCart.Items, get: typedGetter[[]typedItem]("k"), want: typedSampleCart.Items},
		{name: "map[string]int", stored: map[string]int{"a": 1, "b": -2}, get: typedGetter[map[string]int]("k"), want: map[string]int{"a": 1, "b": -2}},
		{name: "map[string]int from floats", stored: map[string]any{"a": 1.0}, get: typedGetter[map[string]int]("k"), want: map[string]int{"a": 1}},
		{name: "map[string]int from fraction", stored: map[string]any{"a": 1.5}, get: typedGetter[map[string]int]("k"), wantErr: sessions.ErrWrongType},
		{name: "map[string]uint8 overflow", stored: map[string]int{"a": 300}, get: typedGetter[map[string]uint8]("k"), wantErr: sessions.ErrWrongType},
		{name: "[]string", stored: []string{"a", "b"}, get: typedGetter[[]string]("k"), want: []string{"a", "b"}},
		{name: "[]byte", stored: []byte{0, 1, 0xff}, get: typedGetter[[]byte]("k"), want: []byte{0, 1, 0xff}},
		{name: "nested", stored: typedNested{
			Owner:   &typedItem{SKU: "me", Qty: 1},
			ByShelf: map[string][]typedItem{"top": typedSampleCart.Items, "empty": {}},
			Seen:    typedSeen,
			Token:   []byte("tok"),
			Extra:   map[string]any{"n": uint64(math.MaxUint64), "s": "x"},
			Big:     math.MaxUint64,
		}, get: typedGetter[typedNested]("k"), want: typedNested{
			Owner:   &typedItem{SKU: "me", Qty: 1},
			ByShelf: map[string][]typedItem{"top": typedSampleCart.Items, "empty": {}},
			Seen:    typedSeen,
			Token:   []byte("tok"),
			// An interface field keeps its numbers exact, as json.Number.
			Extra: map[string]any{"n": json.Number("18446744073709551615"), "s": "x"},
			Big:   math.MaxUint64,
		}},
		{name: "map[string]any as decoded", stored: map[string]any{"a": 1, "b": []any{"x", 2.5}}, get: typedGetter[map[string]any]("k"),
			want: map[string]any{"a": int64(1), "b": []any{"x", 2.5}}},
		{name: "any", stored: []int{1}, get: typedGetter[any]("k"), want: []any{int64(1)}},
		{name: "own text unmarshaler", stored: typedLevel(2), get: typedGetter[typedLevel]("k"), want: typedLevel(2)},
		{name: "own text unmarshaler rejects", stored: "fatal", get: typedGetter[typedLevel]("k"), wantErr: sessions.ErrWrongType},
		{name: "struct from string", stored: "cart", get: typedGetter[typedCart]("k"), wantErr: sessions.ErrWrongType},
		{name: "struct from list", stored: []any{1, 2}, get: typedGetter[typedCart]("k"), wantErr: sessions.ErrWrongType},
		{name: "struct with wrong field type", stored: map[string]any{"id": "seven"}, get: typedGetter[typedCart]("k"), wantErr: sessions.ErrWrongType},
		{name: "slice from map", stored: map[string]any{}, get: typedGetter[[]typedItem]("k"), wantErr: sessions.ErrWrongType},
		{name: "interface not implemented", stored: "x", get: typedGetter[error]("k"), wantErr: sessions.ErrWrongType},

		// null.
		{name: "null pointer", stored: nil, get: typedGetter[*typedCart]("k"), want: (*typedCart)(nil)},
		{name: "null slice", stored: nil, get: typedGetter[[]string]("k"), want: []string(nil)},
		{name: "null any", stored: nil, get: typedGetter[any]("k"), want: nil},
		{name: "null struct", stored: nil, get: typedGetter[typedCart]("k"), wantErr: sessions.ErrWrongType},
		{name: "null string", stored: nil, get: typedGetter[string]("k"), wantErr: sessions.ErrWrongType},
		{name: "null int", stored: nil, get: typedGetter[int]("k"), wantErr: sessions.ErrWrongType},

		// Absent.
		{name: "absent string", absent: true, get: typedGetter[string]("k"), wantErr: sessions.ErrNotSet},
		{name: "absent struct", absent: true, get: typedGetter[typedCart]("k"), wantErr: sessions.ErrNotSet},
		{name: "absent time", absent: true, get: typedGetter[time.Time]("k"), wantErr: sessions.ErrNotSet},
	}
	m := typedManager(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := map[string]any{"other": "x"}
			if !tt.absent {
				values["k"] = tt.stored
			}
			s := typedNextRequest(t, m, values)
			got, err := tt.get(s)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			case tt.wantErr == sessions.ErrNotSet && errors.Is(err, sessions.ErrWrongType),
				tt.wantErr == sessions.ErrWrongType && errors.Is(err, sessions.ErrNotSet):
				t.Fatalf("error %v is both kinds", err)
			}
			want := tt.want
			if tt.wantErr != nil && got != nil {
				// On error, the zero value of T.
				want = reflect.Zero(reflect.TypeOf(got)).Interface()
			}
			if !typedEqual(got, want) {
				t.Fatalf("got %#v (%T), want %#v (%T)", got, got, want, want)
			}
			if s.Modified() {
				t.Error("Get modified the session")
			}
		})
	}
}

// A value stored in this request is returned as is, not copied.
func TestTypedGetSameRequest(t *testing.T) {
	m := typedManager(t, nil)
	s := m.Open(t.Context(), "")
	items := []typedItem{{SKU: "a"}}
	s.Set("items", items)
	s.Set("cart", typedSampleCart)
	got, err := sessions.Get[[]typedItem](s, "items")
	if err != nil || &got[0] != &items[0] {
		t.Fatalf("Get = %v, %v; want the stored slice itself", got, err)
	}
	cart, err := sessions.Get[typedCart](s, "cart")
	if err != nil || !reflect.DeepEqual(cart, typedSampleCart) {
		t.Fatalf("Get[typedCart] = %v, %v", cart, err)
	}
	// A named type converts to its kind, and back.
	s.Set("id", typedUserID(5))
	if n, err := sessions.Get[int64](s, "id"); err != nil || n != 5 {
		t.Fatalf("Get[int64](typedUserID) = %v, %v", n, err)
	}
	s.Set("role", typedRole("admin"))
	if r, err := sessions.Get[string](s, "role"); err != nil || r != "admin" {
		t.Fatalf("Get[string](typedRole) = %v, %v", r, err)
	}
	if _, err := sessions.Get[uint8](s, "nope"); !errors.Is(err, sessions.ErrNotSet) {
		t.Fatalf("absent: %v", err)
	}
}

// The error names the key and both types, never the value.
func TestTypedGetErrorMessage(t *testing.T) {
	const secret = "98765"
	tests := []struct {
		name   string
		stored any
		get    func(*sessions.Session) (any, error)
		want   []string
	}{
		{"struct", map[string]any{"id": "s" + secret}, typedGetter[typedCart]("cart"),
			[]string{`sessions: "cart" holds map[string]interface {}, not sessions_test.typedCart`, `"id"`}},
		{"struct field number", map[string]any{"items": []any{map[string]any{"sku": 98765}}}, typedGetter[typedCart]("cart"),
			[]string{`"cart" holds map[string]interface {}, not sessions_test.typedCart`, "JSON number into string", `"items.sku"`}},
		{"overflow", 98765, typedGetter[uint8]("cart"), []string{`"cart" holds int64, not uint8`}},
		{"fraction", 98765.5, typedGetter[int]("cart"), []string{`"cart" holds float64, not int`}},
		{"time", "2026-12-02T" + secret, typedGetter[time.Time]("cart"), []string{`"cart" holds string, not time.Time`}},
		{"string", 98765, typedGetter[string]("cart"), []string{`"cart" holds int64, not string`}},
		{"unmarshaler", "l" + secret, typedGetter[typedLevel]("cart"), []string{`"cart" holds string, not sessions_test.typedLevel`}},
		{"null", nil, typedGetter[int]("cart"), []string{`"cart" holds nil, not int`}},
	}
	m := typedManager(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := typedNextRequest(t, m, map[string]any{"cart": tt.stored})
			_, err := tt.get(s)
			if !errors.Is(err, sessions.ErrWrongType) {
				t.Fatalf("error %v, want ErrWrongType", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, secret) {
				t.Errorf("message %q shows the value", msg)
			}
		})
	}
}

func TestTypedPop(t *testing.T) {
	tests := []struct {
		name    string
		stored  map[string]any
		pop     func(*sessions.Session) (any, error)
		want    any
		wantErr error
		kept    bool // the key is still there after Pop
	}{
		{"string", map[string]any{"k": "v"}, typedPopper[string]("k"), "v", nil, false},
		{"struct", map[string]any{"k": typedSampleCart}, typedPopper[typedCart]("k"), typedSampleCart, nil, false},
		{"converted number", map[string]any{"k": 3.0}, typedPopper[int]("k"), 3, nil, false},
		{"wrong type stays", map[string]any{"k": "v"}, typedPopper[int]("k"), 0, sessions.ErrWrongType, true},
		{"overflow stays", map[string]any{"k": 300}, typedPopper[uint8]("k"), uint8(0), sessions.ErrWrongType, true},
		{"absent", map[string]any{"other": 1}, typedPopper[string]("k"), "", sessions.ErrNotSet, false},
	}
	m := typedManager(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := typedNextRequest(t, m, tt.stored)
			got, err := tt.pop(s)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if !typedEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
			if s.Has("k") != tt.kept {
				t.Fatalf("key present = %v after Pop, want %v", s.Has("k"), tt.kept)
			}
			// Only a successful Pop changes the session.
			if s.Modified() != (err == nil) {
				t.Fatalf("modified = %v after Pop returned %v", s.Modified(), err)
			}
			if err := s.Save(); err != nil {
				t.Fatal(err)
			}
			next := m.Open(t.Context(), s.Key())
			if next.Has("k") != tt.kept {
				t.Fatalf("next request: key present = %v, want %v", next.Has("k"), tt.kept)
			}
		})
	}
}

func TestTypedGetters(t *testing.T) {
	m := typedManager(t, nil)
	s := typedNextRequest(t, m, map[string]any{
		"s": "str", "i": 42, "big": int64(1) << 40, "b": true, "f": 2.5,
		"t": "2026-12-02T15:04:05.123456+00:00", "tt": typedSeen,
	})
	wantTime := time.Date(2026, 12, 2, 15, 4, 5, 123456000, time.UTC)
	checks := []struct {
		name      string
		got, want any
	}{
		{"GetString", s.GetString("s"), "str"},
		{"GetString absent", s.GetString("missing"), ""},
		{"GetString wrong type", s.GetString("i"), ""},
		{"GetInt", s.GetInt("i"), 42},
		{"GetInt from float", s.GetInt("f"), 0},
		{"GetInt wrong type", s.GetInt("s"), 0},
		{"GetInt64", s.GetInt64("big"), int64(1) << 40},
		{"GetInt64 absent", s.GetInt64("missing"), int64(0)},
		{"GetBool", s.GetBool("b"), true},
		{"GetBool wrong type", s.GetBool("s"), false},
		{"GetFloat", s.GetFloat("f"), 2.5},
		{"GetFloat from int", s.GetFloat("i"), 42.0},
		{"GetFloat wrong type", s.GetFloat("s"), 0.0},
		{"GetTime", s.GetTime("t"), wantTime},
		{"GetTime stored as time.Time", s.GetTime("tt"), typedSeen},
		{"GetTime wrong type", s.GetTime("s"), time.Time{}},
		{"GetTime absent", s.GetTime("missing"), time.Time{}},
	}
	for _, c := range checks {
		if !typedEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

// typedFlakyStore is a memory store that can go down.
type typedFlakyStore struct {
	*memstore.Store
	down atomic.Bool
}

var errTypedDown = errors.New("typed test store is down")

func (f *typedFlakyStore) Load(ctx context.Context, key string) (sessions.Record, error) {
	if f.down.Load() {
		return sessions.Record{}, errTypedDown
	}
	return f.Store.Load(ctx, key)
}

// A store outage is not a missing key: Get and Pop return the load error.
func TestTypedGetLoadError(t *testing.T) {
	store := &typedFlakyStore{Store: memstore.New(memstore.Options{})}
	t.Cleanup(func() { _ = store.Close() })
	m := typedManager(t, store)
	tests := []struct {
		name string
		get  func(*sessions.Session) (any, error)
	}{
		{"Get string", typedGetter[string]("k")},
		{"Get struct", typedGetter[typedCart]("k")},
		{"Get absent", typedGetter[int]("absent")},
		{"Pop", typedPopper[string]("k")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store.down.Store(false)
			s1 := m.Open(t.Context(), "")
			s1.Set("k", "v")
			if err := s1.Save(); err != nil {
				t.Fatal(err)
			}
			store.down.Store(true)
			s := m.Open(t.Context(), s1.Key())
			_, err := tt.get(s)
			if !errors.Is(err, errTypedDown) {
				t.Fatalf("error %v, want the store's", err)
			}
			if errors.Is(err, sessions.ErrNotSet) || errors.Is(err, sessions.ErrWrongType) {
				t.Fatalf("error %v looks like a key problem", err)
			}
			if s.GetString("k") != "" {
				t.Fatal("GetString returned data from a store that is down")
			}
			if s.Modified() {
				t.Fatal("session modified")
			}
		})
	}
}

// The fast paths do not allocate.
func TestTypedGetAllocs(t *testing.T) {
	m := typedManager(t, nil)
	s := typedNextRequest(t, m, map[string]any{"s": "str", "i": 42, "f": 3.0, "b": true, "t": "2026-12-02T15:04:05.123456+00:00"})
	var sink int
	for name, f := range map[string]func(){
		"GetString":      func() { sink += len(s.GetString("s")) },
		"GetString miss": func() { sink += len(s.GetString("missing")) },
		"GetInt":         func() { sink += s.GetInt("i") },
		"Get[int8]":      func() { v, _ := sessions.Get[int8](s, "f"); sink += int(v) },
		"Get[typedUserID]": func() {
			v, _ := sessions.Get[typedUserID](s, "i")
			sink += int(v)
		},
		"GetFloat": func() { sink += int(s.GetFloat("i")) },
		"GetBool": func() {
			if s.GetBool("b") {
				sink++
			}
		},
		"GetTime": func() { sink += s.GetTime("t").Day() },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
	_ = sink
}

func BenchmarkGetString(b *testing.B) {
	m := typedManager(b, nil)
	s := typedNextRequest(b, m, map[string]any{"user": "alice"})
	b.ReportAllocs()
	for b.Loop() {
		if s.GetString("user") != "alice" {
			b.Fatal("lost")
		}
	}
}

func BenchmarkGetInt(b *testing.B) {
	m := typedManager(b, nil)
	s := typedNextRequest(b, m, map[string]any{"visits": 7})
	b.ReportAllocs()
	for b.Loop() {
		if s.GetInt("visits") != 7 {
			b.Fatal("lost")
		}
	}
}

func BenchmarkGetTime(b *testing.B) {
	m := typedManager(b, nil)
	s := typedNextRequest(b, m, map[string]any{"seen": "2026-12-02T15:04:05.123456+00:00"})
	b.ReportAllocs()
	for b.Loop() {
		if s.GetTime("seen").IsZero() {
			b.Fatal("lost")
		}
	}
}

// BenchmarkGetStruct reads a struct stored by the previous request (the
// JSON round trip) and, for comparison, one stored by this request.
func BenchmarkGetStruct(b *testing.B) {
	m := typedManager(b, nil)
	b.Run("next_request", func(b *testing.B) {
		s := typedNextRequest(b, m, map[string]any{"cart": typedSampleCart})
		b.ReportAllocs()
		for b.Loop() {
			if c, err := sessions.Get[typedCart](s, "cart"); err != nil || c.ID != 7 {
				b.Fatal(c, err)
			}
		}
	})
	b.Run("same_request", func(b *testing.B) {
		s := m.Open(b.Context(), "")
		s.Set("cart", typedSampleCart)
		b.ReportAllocs()
		for b.Loop() {
			if c, err := sessions.Get[typedCart](s, "cart"); err != nil || c.ID != 7 {
				b.Fatal(c, err)
			}
		}
	})
}
