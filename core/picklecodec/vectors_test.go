package picklecodec_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sessionkit/sessionkit/core/internal/pyjson"
	"github.com/sessionkit/sessionkit/core/picklecodec"
)

// The cache_backend sections of the vectors made by real Django 3.2.25
// (with django-redis 5.2.0), 4.2.30, 5.2.14 and 6.0.5 (built-in
// RedisCache): shared/django/vectors.json and modern/.
var versions = []string{"3.2.25", "4.2.30", "5.2.14", "6.0.5"}

const (
	djangoRedis   = "django_redis.serializers.pickle.PickleSerializer"
	redisCacheSer = "django.core.cache.backends.redis.RedisSerializer"
)

type wire struct {
	StoredAs string `json:"stored_as"`
	Protocol int    `json:"pickle_protocol"`
	Length   int    `json:"length"`
	B64      string `json:"b64"`
	Text     string `json:"text"`
}

type cacheVectors struct {
	DjangoVersion string `json:"django_version"`
	CacheBackend  struct {
		SerializerProtocols map[string]json.RawMessage   `json:"serializer_protocols"`
		Values              []map[string]json.RawMessage `json:"values"`
		LiveRedis           struct {
			Runs []struct {
				Backend string          `json:"backend"`
				Engine  *string         `json:"engine"`
				Session json.RawMessage `json:"session"`
				Redis   []struct {
					Key   string `json:"key"`
					Value string `json:"value_b64"`
					TTL   int64  `json:"ttl"`
				} `json:"redis"`
			} `json:"runs"`
		} `json:"live_redis"`
	} `json:"cache_backend"`
}

func readVectors(version string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", "cache_backend-"+version+".json"))
}

func loadVectors(t *testing.T, version string) cacheVectors {
	t.Helper()
	data, err := readVectors(version)
	if err != nil {
		t.Fatal(err)
	}
	var v cacheVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if v.DjangoVersion != version {
		t.Fatalf("file says Django %s, want %s", v.DjangoVersion, version)
	}
	return v
}

// serializer is the Redis serializer of a Django version: django-redis's
// with 3.2, the built-in one from 4.0.
func serializer(version string) string {
	if strings.HasPrefix(version, "3.") {
		return djangoRedis
	}
	return redisCacheSer
}

// jsonValue reads a JSON value into the JSON codec's types, which are the
// types Loads must give.
func jsonValue(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	m, err := pyjson.UnmarshalObject(append(append([]byte(`{"v":`), raw...), '}'))
	if err != nil {
		t.Fatal(err)
	}
	return m["v"]
}

// keysSorted reports whether every object in raw lists its keys in sorted
// order: Python kept insertion order, Append sorts, so only then can the
// bytes be equal.
func keysSorted(t *testing.T, raw json.RawMessage) bool {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	type frame struct {
		object bool
		keys   []string
		expect bool // next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch x := tok.(type) {
		case json.Delim:
			switch x {
			case '{', '[':
				if top != nil && top.object {
					top.expect = true
				}
				stack = append(stack, &frame{object: x == '{', expect: x == '{'})
				continue
			default:
				if f := stack[len(stack)-1]; f.object && !slices.IsSorted(f.keys) {
					return false
				}
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].expect = true
				}
				continue
			}
		case string:
			if top != nil && top.object && top.expect {
				top.keys = append(top.keys, x)
				top.expect = false
				continue
			}
		}
		if top != nil && top.object {
			top.expect = true
		}
	}
	return true
}

func TestVectorsDecode(t *testing.T) {
	// 3.2 pickles the datetime set_expiry(timedelta) stores; it must read
	// as the very string 4.0+ stores for the same call.
	var modernExpiry json.RawMessage
	for _, version := range slices.Backward(versions) {
		v := loadVectors(t, version)
		ser := serializer(version)
		for _, val := range v.CacheBackend.Values {
			var name string
			_ = json.Unmarshal(val["name"], &name)
			raw, hasValue := val["value"]
			if name == "session_after_set_expiry_timedelta_1h" {
				if hasValue {
					modernExpiry = raw
				} else {
					raw, hasValue = modernExpiry, true
				}
			}
			if !hasValue {
				t.Fatalf("%s %s: no value to compare with", version, name)
			}
			var w wire
			if err := json.Unmarshal(val[ser], &w); err != nil {
				t.Fatal(err)
			}
			t.Run(version+"/"+name, func(t *testing.T) {
				data, err := base64.StdEncoding.DecodeString(w.B64)
				if err != nil {
					t.Fatal(err)
				}
				if len(data) != w.Length {
					t.Fatalf("vector length %d, data %d", w.Length, len(data))
				}
				got, err := picklecodec.DecodeCacheValue(data)
				if err != nil {
					t.Fatalf("DecodeCacheValue: %v", err)
				}
				want := jsonValue(t, raw)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("DecodeCacheValue = %#v, want %#v", got, want)
				}
				_, isDict := want.(map[string]any)
				_, decErr := picklecodec.Codec{}.Decode(data)
				switch {
				case w.StoredAs == "raw_int":
					if !errors.Is(decErr, picklecodec.ErrRawInt) {
						t.Fatalf("Codec.Decode(raw int) error = %v, want ErrRawInt", decErr)
					}
				case isDict && decErr != nil:
					t.Fatalf("Codec.Decode: %v", decErr)
				case !isDict && !errors.Is(decErr, picklecodec.ErrNotDict):
					t.Fatalf("Codec.Decode(non-dict) error = %v, want ErrNotDict", decErr)
				}
			})
		}
	}
}

func TestVectorsEncode(t *testing.T) {
	for _, version := range versions {
		v := loadVectors(t, version)
		ser := serializer(version)
		var proto struct {
			Protocol int `json:"protocol"`
		}
		if err := json.Unmarshal(v.CacheBackend.SerializerProtocols[ser], &proto); err != nil {
			t.Fatal(err)
		}
		wantProto := picklecodec.HighestProtocol
		if ser == djangoRedis {
			wantProto = picklecodec.DefaultProtocol
		}
		if proto.Protocol != wantProto {
			t.Fatalf("%s: %s writes protocol %d, the package says %d", version, ser, proto.Protocol, wantProto)
		}
		codec := picklecodec.Codec{Protocol: proto.Protocol}
		for _, val := range v.CacheBackend.Values {
			var name string
			_ = json.Unmarshal(val["name"], &name)
			var w wire
			if err := json.Unmarshal(val[ser], &w); err != nil {
				t.Fatal(err)
			}
			raw, hasValue := val["value"]
			t.Run(version+"/"+name, func(t *testing.T) {
				want, _ := base64.StdEncoding.DecodeString(w.B64)
				var value any
				dtExpiry := false
				if hasValue {
					value = jsonValue(t, raw)
				} else {
					// Django 3.2's datetime expiry: the same value with the
					// expiry as a datetime, which DatetimeExpiry writes.
					value = map[string]any{"x": int64(1), "_session_expiry": "2023-11-14T23:13:20+00:00"}
					dtExpiry = true
				}
				c := codec
				c.DatetimeExpiry = dtExpiry
				got, err := c.AppendCacheValue(nil, value)
				if err != nil {
					t.Fatal(err)
				}
				if w.StoredAs == "pickle" && got[1] != byte(w.Protocol) {
					t.Fatalf("protocol %d, vector %d", got[1], w.Protocol)
				}
				if hasValue && keysSorted(t, raw) {
					if !bytes.Equal(got, want) {
						t.Fatalf("bytes differ\n got %q\nwant %q", got, want)
					}
					return
				}
				// Only the order of keys differs: same length, same value.
				if len(got) != len(want) {
					t.Fatalf("length %d, Django's %d\n got %q\nwant %q", len(got), len(want), got, want)
				}
				back, err := picklecodec.DecodeCacheValue(got)
				if err != nil {
					t.Fatal(err)
				}
				djangos, _ := picklecodec.DecodeCacheValue(want)
				if !reflect.DeepEqual(back, djangos) {
					t.Fatalf("reads back as %#v, Django's as %#v", back, djangos)
				}
			})
		}
	}
}

// TestVectorsLiveRedis checks what a real redis-server held after Django
// saved a session through each Redis backend.
func TestVectorsLiveRedis(t *testing.T) {
	for _, version := range versions {
		v := loadVectors(t, version)
		runs := v.CacheBackend.LiveRedis.Runs
		if len(runs) != 3 {
			t.Fatalf("%s: %d live runs, want 3", version, len(runs))
		}
		codec := picklecodec.Codec{Protocol: picklecodec.HighestProtocol}
		if serializer(version) == djangoRedis {
			codec.Protocol = picklecodec.DefaultProtocol
		}
		for _, run := range runs {
			for _, r := range run.Redis {
				data, _ := base64.StdEncoding.DecodeString(r.Value)
				got, err := picklecodec.DecodeCacheValue(data)
				if err != nil {
					t.Fatalf("%s %s: %v", version, r.Key, err)
				}
				var want any
				switch {
				case run.Engine != nil:
					want = jsonValue(t, run.Session)
					// Go writes the same session byte for byte (its keys
					// foo, n are in sorted order) and gives it Django's TTL.
					enc, err := codec.Append(nil, want.(map[string]any))
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(enc, data) {
						t.Fatalf("%s %s: Go writes %q, Django wrote %q", version, r.Key, enc, data)
					}
					if r.TTL != 1209600 {
						t.Fatalf("%s %s: TTL %d, want SESSION_COOKIE_AGE", version, r.Key, r.TTL)
					}
				case strings.HasSuffix(r.Key, ":counter"):
					want = int64(42)
					if enc, _ := codec.AppendCacheValue(nil, 42); !bytes.Equal(enc, data) {
						t.Fatalf("%s counter: Go writes %q, Django wrote %q", version, enc, data)
					}
				case strings.HasSuffix(r.Key, ":flag"):
					want = true
					if enc, _ := codec.AppendCacheValue(nil, true); !bytes.Equal(enc, data) {
						t.Fatalf("%s flag: Go writes %q, Django wrote %q", version, enc, data)
					}
				default:
					t.Fatalf("%s: unexpected key %s", version, r.Key)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %s = %#v, want %#v", version, r.Key, got, want)
				}
			}
		}
	}
}
