package picklecodec_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sessionkit/sessionkit/core/picklecodec"
)

// Pickles made by CPython 3.11's pickle.dumps (values in comments), or by
// hand where CPython would never write them.
func TestLoads(t *testing.T) {
	tests := []struct {
		name string
		data string
		want any
	}{
		// {'foo': 'bar'}, protocol 2: BINPUT, BINUNICODE, no frame.
		{"protocol 2", "\x80\x02}q\x00X\x03\x00\x00\x00fooq\x01X\x03\x00\x00\x00barq\x02s.", map[string]any{"foo": "bar"}},
		// {'a': (1, 2.5, None)}, protocol 3.
		{"tuple", "\x80\x03}q\x00X\x01\x00\x00\x00aq\x01K\x01G@\x04\x00\x00\x00\x00\x00\x00N\x87q\x02s.",
			map[string]any{"a": []any{int64(1), 2.5, nil}}},
		{"no PROTO", "}q\x00.", map[string]any{}},
		{"DICT LIST TUPLE", "(\x8c\x01a(K\x01K\x02l\x8c\x01b(K\x03t\x8c\x01c)d.",
			map[string]any{"a": []any{int64(1), int64(2)}, "b": []any{int64(3)}, "c": []any{}}},
		{"TUPLE2 TUPLE3", "\x80\x04K\x01K\x02\x86K\x03K\x04K\x05\x87\x86.",
			[]any{[]any{int64(1), int64(2)}, []any{int64(3), int64(4), int64(5)}}},
		{"DUP POP POP_MARK", "\x80\x04K\x072K\x080(K\x09K\x0a1\x86.", []any{int64(7), int64(7)}},
		{"POP of an empty mark", "\x80\x04K\x01(0.", int64(1)},
		{"BININT", "\x80\x04J\xff\xff\xff\xff.", int64(-1)},
		{"BININT2", "\x80\x04M\x00\x01.", int64(256)},
		{"LONG1 empty", "\x80\x04\x8a\x00.", int64(0)},
		{"LONG1 -1", "\x80\x04\x8a\x01\xff.", int64(-1)},
		{"LONG1 2**63", "\x80\x04\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00.", json.Number("9223372036854775808")},
		{"LONG1 -2**63", "\x80\x04\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80.", int64(-1 << 63)},
		{"LONG1 -2**64", "\x80\x04\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\xff.", json.Number("-18446744073709551616")},
		{"LONG4", "\x80\x04\x8b\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01.", json.Number("18446744073709551616")},
		{"BINFLOAT", "\x80\x04G?\xf8\x00\x00\x00\x00\x00\x00.", 1.5},
		{"bools None", "\x80\x04\x88\x89N\x87.", []any{true, false, nil}},
		{"BINUNICODE8", "\x80\x04\x8d\x02\x00\x00\x00\x00\x00\x00\x00hi.", "hi"},
		{"lone surrogate", "\x80\x04\x8c\x05a\xed\xa0\x80b.", "a\ufffdb"},
		{"invalid UTF-8", "\x80\x04\x8c\x02\xff\xfe.", "\ufffd\ufffd"},
		{"LONG_BINPUT LONG_BINGET", "\x80\x04]r\x00\x01\x00\x00j\x00\x01\x00\x00\x86.", []any{[]any{}, []any{}}},
		{"sparse memo", "\x80\x04\x8c\x01xr\xff\xff\xff\x00j\xff\xff\xff\x00\x86.", []any{"x", "x"}},
		{"frame", "\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00}\x94K\x01.", int64(1)},
		{"duplicate key: the last wins", "\x80\x04}(\x8c\x01aK\x01\x8c\x01aK\x02u.", map[string]any{"a": int64(2)}},
		// {'e': datetime(2026, 12, 2, 14, 8, 55, 73800)}
		{"naive datetime", "\x80\x04\x951\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01e\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\n\x07\xea\x0c\x02\x0e\x087\x01 H\x94\x85\x94R\x94s.",
			map[string]any{"e": "2026-12-02T14:08:55.073800"}},
		// datetime(2023, 11, 14, 23, 13, 20, tzinfo=pytz.utc): Django 3.2's set_expiry
		{"pytz.utc datetime", "\x80\x04\x95D\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01e\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\n\x07\xe7\x0b\x0e\x17\r\x14\x00\x00\x00\x94\x8c\x04pytz\x94\x8c\x04_UTC\x94\x93\x94)R\x94\x86\x94R\x94s.",
			map[string]any{"e": "2023-11-14T23:13:20+00:00"}},
		// tzinfo=timezone(timedelta(hours=2))
		{"fixed offset", "\x80\x04\x95_\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01e\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\n\x07\xea\x03\x1d\x03\x1e\x00\x00\x00\x00\x94h\x02\x8c\x08timezone\x94\x93\x94h\x02\x8c\ttimedelta\x94\x93\x94K\x00M \x1cK\x00\x87\x94R\x94\x85\x94R\x94\x86\x94R\x94s.",
			map[string]any{"e": "2026-03-29T03:30:00+02:00"}},
		// timezone(timedelta(hours=-5), 'EST'), protocol 2 (bytes through _codecs.encode)
		{"protocol 2 named offset", "\x80\x02}q\x00X\x01\x00\x00\x00eq\x01cdatetime\ndatetime\nq\x02c_codecs\nencode\nq\x03X\x0b\x00\x00\x00\x07\xc3\xaa\x03\x1d\x03\x1e\x00\x00\x00\x00q\x04X\x06\x00\x00\x00latin1q\x05\x86q\x06Rq\x07cdatetime\ntimezone\nq\x08cdatetime\ntimedelta\nq\tJ\xff\xff\xff\xffJ0\x0b\x01\x00K\x00\x87q\nRq\x0bX\x03\x00\x00\x00ESTq\x0c\x86q\rRq\x0e\x86q\x0fRq\x10s.",
			map[string]any{"e": "2026-03-29T03:30:00-05:00"}},
		// pytz.timezone('Europe/Paris').localize(datetime(2026, 7, 1, 12)), protocol 3
		{"pytz zone", "\x80\x03}q\x00X\x01\x00\x00\x00eq\x01cdatetime\ndatetime\nq\x02C\n\x07\xea\x07\x01\x0c\x00\x00\x00\x00\x00q\x03cpytz\n_p\nq\x04(X\x0c\x00\x00\x00Europe/Parisq\x05M \x1cM\x10\x0eX\x04\x00\x00\x00CESTq\x06tq\x07Rq\x08\x86q\tRq\ns.",
			map[string]any{"e": "2026-07-01T12:00:00+02:00"}},
		// datetime(2026, 11, 1, 1, 30, fold=1), protocol 5
		{"fold", "\x80\x05\x951\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01e\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\n\x07\xea\x8b\x01\x01\x1e\x00\x00\x00\x00\x94\x85\x94R\x94s.",
			map[string]any{"e": "2026-11-01T01:30:00"}},
		// timezone(timedelta(hours=1, seconds=7, microseconds=5))
		{"offset with seconds", "\x80\x04\x95_\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01e\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\n\x07\xea\x07\x01\x00\x00\x00\x00\x00\x00\x94h\x02\x8c\x08timezone\x94\x93\x94h\x02\x8c\ttimedelta\x94\x93\x94K\x00M\x17\x0eK\x05\x87\x94R\x94\x85\x94R\x94\x86\x94R\x94s.",
			map[string]any{"e": "2026-07-01T00:00:00+01:00:07.000005"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := picklecodec.Loads([]byte(tt.data))
			if err != nil {
				t.Fatalf("Loads: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Loads = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestLoadsShared: one list reached twice through the memo reads as two
// equal lists that do not share storage.
func TestLoadsShared(t *testing.T) {
	// {'a': [1], 'b': <the same list>}
	got, err := picklecodec.Codec{}.Decode([]byte("\x80\x04}\x94(\x8c\x01a\x94]\x94K\x01a\x8c\x01b\x94h\x02u."))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": []any{int64(1)}, "b": []any{int64(1)}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	got["a"].([]any)[0] = "changed"
	if got["b"].([]any)[0] != int64(1) {
		t.Fatal("the two references share one slice")
	}
}

func TestLoadsErrors(t *testing.T) {
	nested := strings.Repeat("]", 1002) + strings.Repeat("a", 1001) + "."
	// l0 = []; l(n+1) = [l(n), l(n)]: 40 levels would be 2**40 lists.
	laughs := "\x80\x04]\x94"
	for i := range 40 {
		laughs += "h" + string(rune(i)) + "h" + string(rune(i)) + "\x86\x94"
	}
	laughs += "."
	tests := []struct {
		name string
		data string
		want error
	}{
		{"empty", "", picklecodec.ErrMalformed},
		{"no STOP", "\x80\x04}", picklecodec.ErrMalformed},
		{"data after STOP", "\x80\x04}.x", picklecodec.ErrMalformed},
		{"STOP on empty stack", "\x80\x04.", picklecodec.ErrMalformed},
		{"PROTO 6", "\x80\x06}.", picklecodec.ErrMalformed},
		{"truncated str", "\x80\x04\x8c\x05ab", picklecodec.ErrMalformed},
		{"BINUNICODE8 of 2**62 bytes", "\x80\x04\x8d\x00\x00\x00\x00\x00\x00\x00\x40.", picklecodec.ErrMalformed},
		{"BINBYTES8 of 2**64-1 bytes", "\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xff.", picklecodec.ErrMalformed},
		{"frame past the end", "\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00}.", picklecodec.ErrMalformed},
		{"truncated frame header", "\x80\x04\x95\x01\x00", picklecodec.ErrMalformed},
		{"negative LONG4", "\x80\x04\x8b\xff\xff\xff\xff.", picklecodec.ErrMalformed},
		{"undefined memo", "\x80\x04h\x05.", picklecodec.ErrMalformed},
		{"memo index past 2**32", "\x80\x04j\xff\xff\xff\xff.", picklecodec.ErrMalformed},
		{"SETITEM on nothing", "\x80\x04s.", picklecodec.ErrMalformed},
		{"SETITEMS without mark", "\x80\x04}u.", picklecodec.ErrMalformed},
		{"odd SETITEMS", "\x80\x04}(K\x01u.", picklecodec.ErrMalformed},
		{"TUPLE2 of one", "\x80\x04K\x01\x86.", picklecodec.ErrMalformed},
		{"TUPLE2 across a mark", "\x80\x04K\x01(K\x02\x86.", picklecodec.ErrMalformed},
		{"POP across a mark", "\x80\x04(0(K\x010s.", picklecodec.ErrMalformed},
		{"APPEND to a dict", "\x80\x04}K\x01a.", picklecodec.ErrUnsupported},
		{"SETITEM on a list", "\x80\x04]\x8c\x01aK\x01s.", picklecodec.ErrUnsupported},
		{"GLOBAL os.system", "cos\nsystem\n(\x8c\x04echotR.", picklecodec.ErrForbidden},
		{"GLOBAL without newline", "cos", picklecodec.ErrMalformed},
		{"STACK_GLOBAL builtins.eval", "\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x011\x85R.", picklecodec.ErrForbidden},
		{"STACK_GLOBAL of ints", "\x80\x04K\x01K\x02\x93.", picklecodec.ErrMalformed},
		// zoneinfo.ZoneInfo pickles through builtins.getattr.
		{"zoneinfo", "\x80\x04\x95\x85\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01e\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\n\x07\xea\x07\x01\x00\x00\x00\x00\x00\x00\x94\x8c\x08builtins\x94\x8c\x07getattr\x94\x93\x94\x8c\x08zoneinfo\x94\x8c\x08ZoneInfo\x94\x93\x94\x8c\t_unpickle\x94\x86\x94R\x94\x8c\x0cEurope/Paris\x94K\x01\x86\x94R\x94\x86\x94R\x94s.", picklecodec.ErrForbidden},
		{"REDUCE on a dict", "\x80\x04})R.", picklecodec.ErrForbidden},
		{"REDUCE with a list", "\x80\x04\x8c\x08datetime\x8c\x08datetime\x93]R.", picklecodec.ErrMalformed},
		{"datetime state too short", "\x80\x04\x8c\x08datetime\x8c\x08datetime\x93C\x02\x07\xea\x85R.", picklecodec.ErrUnsupported},
		{"datetime month 13", "\x80\x04\x8c\x08datetime\x8c\x08datetime\x93C\n\x07\xea\x0d\x02\x0e\x087\x01 H\x85R.", picklecodec.ErrMalformed},
		{"datetime February 30", "\x80\x04\x8c\x08datetime\x8c\x08datetime\x93C\n\x07\xea\x02\x1e\x0e\x087\x00\x00\x00\x85R.", picklecodec.ErrMalformed},
		{"datetime with an int tzinfo", "\x80\x04\x8c\x08datetime\x8c\x08datetime\x93C\n\x07\xea\x0c\x02\x0e\x087\x01 HK\x01\x86R.", picklecodec.ErrUnsupported},
		{"pytz zone without offset", "\x80\x04\x8c\x04pytz\x8c\x02_p\x93\x8c\x03EST\x85R.", picklecodec.ErrUnsupported},
		{"timedelta not normalised", "\x80\x04\x8c\x08datetime\x8c\ttimedelta\x93K\x00J\x80Q\x01\x00K\x00\x87R.", picklecodec.ErrMalformed},
		{"timezone of a day", "\x80\x04\x8c\x08datetime\x8c\x08timezone\x93\x8c\x08datetime\x8c\ttimedelta\x93K\x01K\x00K\x00\x87R\x85R.", picklecodec.ErrMalformed},
		{"_codecs.encode utf-8", "\x80\x04\x8c\x07_codecs\x8c\x06encode\x93\x8c\x01x\x8c\x05utf-8\x86R.", picklecodec.ErrUnsupported},
		{"a timedelta value", "\x80\x04\x8c\x08datetime\x8c\ttimedelta\x93K\x00K\x01K\x00\x87R.", picklecodec.ErrUnsupported},
		{"a global value", "\x80\x04\x8c\x08datetime\x8c\x08datetime\x93.", picklecodec.ErrUnsupported},
		{"bytes value", "\x80\x04C\x02hi.", picklecodec.ErrUnsupported},
		{"int key", "\x80\x04}K\x01K\x02s.", picklecodec.ErrUnsupported},
		{"datetime key", "\x80\x04}\x8c\x08datetime\x8c\x08datetime\x93C\n\x07\xea\x0c\x02\x0e\x087\x01 H\x85RK\x02s.", picklecodec.ErrUnsupported},
		{"list in itself", "\x80\x04]\x942h\x00a.", picklecodec.ErrUnsupported},
		{"dict in itself", "\x80\x04}\x94\x8c\x01ah\x00s.", picklecodec.ErrUnsupported},
		{"LONG4 over the limit", "\x80\x04\x8b\x01\x08\x00\x00" + strings.Repeat("\x01", 2049) + ".", picklecodec.ErrUnsupported},
		{"nested 1002 deep", nested, picklecodec.ErrTooLarge},
		{"billion laughs", laughs, picklecodec.ErrTooLarge},
		{"BUILD", "\x80\x04}}b.", picklecodec.ErrForbidden},
		{"INST", "(ios\nsystem\n.", picklecodec.ErrForbidden},
		{"OBJ", "(o.", picklecodec.ErrForbidden},
		{"NEWOBJ", "\x80\x04})\x81.", picklecodec.ErrForbidden},
		{"NEWOBJ_EX", "\x80\x04})}\x92.", picklecodec.ErrForbidden},
		{"EXT1", "\x80\x04\x82\x01.", picklecodec.ErrForbidden},
		{"EXT2", "\x80\x04\x83\x01\x00.", picklecodec.ErrForbidden},
		{"EXT4", "\x80\x04\x84\x01\x00\x00\x00.", picklecodec.ErrForbidden},
		{"PERSID", "Pid\n.", picklecodec.ErrForbidden},
		{"BINPERSID", "\x80\x04K\x01Q.", picklecodec.ErrForbidden},
		{"EMPTY_SET", "\x80\x04\x8f.", picklecodec.ErrForbidden},
		{"FROZENSET", "\x80\x04(\x91.", picklecodec.ErrForbidden},
		{"BYTEARRAY8", "\x80\x05\x96\x00\x00\x00\x00\x00\x00\x00\x00.", picklecodec.ErrForbidden},
		{"NEXT_BUFFER", "\x80\x05\x97.", picklecodec.ErrForbidden},
		{"protocol 0 INT", "I1\n.", picklecodec.ErrForbidden},
		{"protocol 0 STRING", "S'a'\n.", picklecodec.ErrForbidden},
		{"unknown opcode", "\x80\x04\xff.", picklecodec.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := picklecodec.Loads([]byte(tt.data))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Loads = %#v, %v; want %v", v, err, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		data string
		want error
	}{
		{"dict", "\x80\x04}.", nil},
		{"list", "\x80\x04].", picklecodec.ErrNotDict},
		{"str", "\x80\x04\x8c\x01a.", picklecodec.ErrNotDict},
		{"None", "\x80\x04N.", picklecodec.ErrNotDict},
		{"raw int", "42", picklecodec.ErrRawInt},
		{"raw negative int", "-7", picklecodec.ErrRawInt},
		{"raw int in spaces", " \t+1_000\n", picklecodec.ErrRawInt},
		{"raw big int", "18446744073709551616", picklecodec.ErrRawInt},
		{"double underscore", "1__0", picklecodec.ErrMalformed},
		{"trailing underscore", "1_", picklecodec.ErrMalformed},
		{"hex", "0x10", picklecodec.ErrMalformed},
		{"a JSON session", `{"a":1}`, picklecodec.ErrForbidden},
		{"a signed session", "eyJhIjoxfQ:1r31eq:sig", picklecodec.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := picklecodec.Codec{}.Decode([]byte(tt.data))
			if tt.want == nil && err != nil || !errors.Is(err, tt.want) {
				t.Fatalf("Decode error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeCacheValue(t *testing.T) {
	tests := []struct {
		data string
		want any
	}{
		{"42", int64(42)},
		{"-7", int64(-7)},
		{"007", int64(7)},
		{"-0", int64(0)},
		{" 1_000 ", int64(1000)},
		{"18446744073709551616", json.Number("18446744073709551616")},
		{"-18446744073709551616", json.Number("-18446744073709551616")},
		{"\x80\x05\x88.", true}, // True is pickled, not raw
		{"\x80\x05\x8c\x05hello\x94.", "hello"},
	}
	for _, tt := range tests {
		got, err := picklecodec.DecodeCacheValue([]byte(tt.data))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("DecodeCacheValue(%q) = %#v, %v; want %#v", tt.data, got, err, tt.want)
		}
	}
}
