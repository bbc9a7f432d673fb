package benchmarks_test

import (
	"bytes"
	"compress/zlib"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessionkit/core/signing"
)

// dumpsPayloads are session JSON documents of the sizes sessions have: the
// benchmark session, a logged-in Django session, and about 1 KB.
var dumpsPayloads = []struct{ name, json string }{
	{"28B", `{"user":"alice","visits":42}`},
	{"auth-166B", `{"_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"` +
		strings.Repeat("0f", 32) + `","_auth_user_id":"42"}`},
	{"1KB", `{"_auth_user_id":"42","cart":[` +
		strings.TrimSuffix(strings.Repeat(`{"sku":"SKU-000123","qty":1,"price":"19.99"},`, 21), ",") + `]}`},
}

// BenchmarkDumps measures signing a session as core does it now (Dumps
// with compress=true) and without compression, and, beside them, the cost
// and output size of the zlib attempt alone at level 6 (CPython's default,
// which core used before) and level 1 (BestSpeed) with a pooled writer.
func BenchmarkDumps(b *testing.B) {
	s, err := signing.New(signing.Options{Secret: "benchmark-secret-key-0123456789", Salt: signing.CookieSalt})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for _, p := range dumpsPayloads {
		data := []byte(p.json)
		for _, compress := range []bool{true, false} {
			name := "core-compress"
			if !compress {
				name = "core-nocompress"
			}
			b.Run(p.name+"/"+name, func(b *testing.B) {
				var v string
				b.ReportAllocs()
				for b.Loop() {
					v = s.Dumps(data, compress, now)
				}
				b.ReportMetric(float64(len(v)), "out-B")
			})
		}
		for _, level := range []int{6, 1} {
			b.Run(p.name+"/zlib-level"+string(rune('0'+level)), func(b *testing.B) {
				var out bytes.Buffer
				zw, err := zlib.NewWriterLevel(&out, level)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					out.Reset()
					zw.Reset(&out)
					_, _ = zw.Write(data)
					_ = zw.Close()
				}
				b.ReportMetric(float64(out.Len()), "out-B")
			})
		}
	}
}
