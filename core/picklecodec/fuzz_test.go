package picklecodec_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sessionkit/sessionkit/core/picklecodec"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must return a value
// or one of the package's errors, never panic or hang; and whatever it
// reads, Append writes back so that Decode reads the same value again.
func FuzzDecode(f *testing.F) {
	for _, version := range versions {
		v := loadVectorsF(f, version)
		for _, val := range v.CacheBackend.Values {
			var w wire
			_ = json.Unmarshal(val[serializer(version)], &w)
			if data, err := base64.StdEncoding.DecodeString(w.B64); err == nil {
				f.Add(data)
			}
		}
	}
	for _, seed := range []string{
		"\x80\x02}q\x00X\x03\x00\x00\x00fooq\x01X\x03\x00\x00\x00barq\x02s.",
		"\x80\x04}\x94(\x8c\x01a\x94]\x94K\x01a\x8c\x01b\x94h\x02u.",
		"\x80\x04\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\xff.",
		"\x80\x04\x95_\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01e\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\n\x07\xea\x03\x1d\x03\x1e\x00\x00\x00\x00\x94h\x02\x8c\x08timezone\x94\x93\x94h\x02\x8c\ttimedelta\x94\x93\x94K\x00M \x1cK\x00\x87\x94R\x94\x85\x94R\x94\x86\x94R\x94s.",
		"(\x8c\x01a(K\x01K\x02l\x8c\x01b(K\x03t\x8c\x01c)d.",
		"cos\nsystem\n(\x8c\x04echotR.",
		"42",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		codec := picklecodec.Codec{Protocol: 5}
		m, err := codec.Decode(data)
		if err != nil {
			if !errors.Is(err, picklecodec.ErrMalformed) && !errors.Is(err, picklecodec.ErrForbidden) &&
				!errors.Is(err, picklecodec.ErrUnsupported) && !errors.Is(err, picklecodec.ErrTooLarge) &&
				!errors.Is(err, picklecodec.ErrRawInt) && !errors.Is(err, picklecodec.ErrNotDict) {
				t.Fatalf("Decode error %v is none of the package's", err)
			}
			return
		}
		out, err := codec.Append(nil, m)
		if err != nil {
			t.Fatalf("Append of a decoded session: %v", err)
		}
		back, err := codec.Decode(out)
		if err != nil {
			t.Fatalf("Decode(Append(Decode(data))): %v", err)
		}
		if !equalNaN(back, m) {
			t.Fatalf("round trip changed the session:\n%#v\n%#v", m, back)
		}
		again, err := codec.Append(nil, back)
		if err != nil || string(again) != string(out) {
			t.Fatalf("Append is not stable: %v", err)
		}
	})
}

func loadVectorsF(f *testing.F, version string) cacheVectors {
	var v cacheVectors
	data, err := readVectors(version)
	if err != nil {
		f.Fatal(err)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		f.Fatal(err)
	}
	return v
}
