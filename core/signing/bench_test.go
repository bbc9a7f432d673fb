package signing

import (
	"strings"
	"testing"
	"time"
)

var (
	// About 60 bytes: Django's compression does not pay off.
	benchSmall = []byte(`{"_auth_user_id":"42","_auth_user_hash":"ab12cd34","n":1}`)
	// About 1 KB of typical, compressible session JSON.
	benchLarge = []byte(`{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","cart":[` +
		strings.TrimSuffix(strings.Repeat(`{"sku":"SKU-000123","qty":1,"price":"19.99"},`, 20), ",") + `]}`)
	benchNow = time.Unix(1700000000, 0)
	benchOut []byte
	benchStr string
)

func benchSigner(b *testing.B) *Signer {
	s, err := New(Options{Secret: "benchmark-secret-key-0123456789abcdefghijklmnopqrstuvwxyz", Salt: CookieSalt})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchDumps(b *testing.B, data []byte, compress bool) {
	s := benchSigner(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		benchStr = s.Dumps(data, compress, benchNow)
	}
}

func benchAppendDumps(b *testing.B, data []byte, compress bool) {
	s := benchSigner(b)
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		buf = s.AppendDumps(buf[:0], data, compress, benchNow)
	}
	benchOut = buf
}

func benchLoads(b *testing.B, data []byte, compress bool) {
	s := benchSigner(b)
	v := s.Dumps(data, compress, benchNow)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		out, err := s.Loads(v, time.Hour, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		benchOut = out
	}
}

func BenchmarkDumpsSmall(b *testing.B)               { benchDumps(b, benchSmall, false) }
func BenchmarkDumpsSmallCompress(b *testing.B)       { benchDumps(b, benchSmall, true) }
func BenchmarkAppendDumpsSmall(b *testing.B)         { benchAppendDumps(b, benchSmall, false) }
func BenchmarkAppendDumpsSmallCompress(b *testing.B) { benchAppendDumps(b, benchSmall, true) }
func BenchmarkDumpsLarge(b *testing.B)               { benchDumps(b, benchLarge, true) }
func BenchmarkAppendDumpsLarge(b *testing.B)         { benchAppendDumps(b, benchLarge, true) }
func BenchmarkLoadsSmall(b *testing.B)               { benchLoads(b, benchSmall, false) }
func BenchmarkLoadsLarge(b *testing.B)               { benchLoads(b, benchLarge, true) }

func BenchmarkLoadsBadSignature(b *testing.B) {
	s := benchSigner(b)
	v := s.Dumps(benchSmall, false, benchNow)
	i := len(v) - sigLen // first signature character
	c := byte('A')
	if v[i] == c {
		c = 'B'
	}
	v = v[:i] + string(c) + v[i+1:]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Loads(v, 0, benchNow); err == nil {
			b.Fatal("accepted")
		}
	}
}
