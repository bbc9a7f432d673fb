package picklecodec_test

import (
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/picklecodec"
)

// A logged-in session as Django keeps it, plus a few application keys.
var benchSession = map[string]any{
	"_auth_user_id":      "1",
	"_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
	"_auth_user_hash":    "3c7f0a3a1a0a48f4b63fba9c2d3f1b5e6a7d8c9b0e1f2a3b4c5d6e7f8a9b0c1d",
	"_session_expiry":    int64(1209600),
	"cart":               map[string]any{"items": []any{int64(1), int64(2), int64(3)}, "total": 19.99},
	"theme":              "dark",
}

func BenchmarkCodecs(b *testing.B) {
	codecs := []struct {
		name  string
		codec sessions.Codec
	}{
		{"pickle", picklecodec.Codec{Protocol: 5}},
		{"json", sessions.JSONCodec{}},
	}
	for _, c := range codecs {
		data, err := c.codec.Append(nil, benchSession)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/append", func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 512)
			for b.Loop() {
				if _, err := c.codec.Append(buf[:0], benchSession); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.codec.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Logf("%s: %d bytes", c.name, len(data))
	}
}
