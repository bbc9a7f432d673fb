package benchmarks_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/sessionkit/sessionkit/benchmarks"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/signing"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

// BenchmarkFloorStores measures the floors of the memory and cookie
// stores in scenarios B and C: what any library must do for the same
// two-key session with sessionkit's own code paths, and nothing else.
//
//   - memory B: load the record and decode it (an in-process store's
//     records are not signed: sessionkit neither signs nor verifies them);
//   - memory C: that, then encode the new session, save it, and write the
//     Set-Cookie line;
//   - cookie B: verify and decode the cookie value;
//   - cookie C: that, then encode and sign the new session into a cookie
//     value and write the Set-Cookie line.
func BenchmarkFloorStores(b *testing.B) {
	b.Run("memory-B", func(b *testing.B) { memoryFloor(b, false) })
	b.Run("memory-C", func(b *testing.B) { memoryFloor(b, true) })
	b.Run("cookie-B", func(b *testing.B) { cookieFloor(b, false) })
	b.Run("cookie-C", func(b *testing.B) { cookieFloor(b, true) })
}

// setCookie writes the Set-Cookie line every library writes in C.
func setCookie(h http.Header, value string) {
	c := http.Cookie{Name: benchmarks.CookieName, Value: value, Path: "/", MaxAge: int(benchmarks.CookieMaxAge.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode}
	h.Set("Set-Cookie", c.String())
}

func memoryFloor(b *testing.B, save bool) {
	ctx := b.Context()
	ms := memstore.New(memstore.Options{})
	defer ms.Close()
	key, err := sessions.NewKey()
	if err != nil {
		b.Fatal(err)
	}
	var codec sessions.JSONCodec
	data, err := codec.Append(nil, sessionValues())
	if err != nil {
		b.Fatal(err)
	}
	exp := time.Now().Add(benchmarks.CookieMaxAge)
	if err := ms.Save(ctx, key, sessions.Record{Data: data, Expiry: exp}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		b.Fatal(err)
	}
	h := make(http.Header)
	b.ReportAllocs()
	for b.Loop() {
		rec, err := ms.Load(ctx, key)
		if err != nil {
			b.Fatal(err)
		}
		vals, err := codec.Decode(rec.Data)
		if err != nil {
			b.Fatal(err)
		}
		if !save {
			continue
		}
		vals[benchmarks.VisitsKey] = int64(benchmarks.VisitsStart + 1)
		// The store keeps the slice: a new one each time, sized as
		// sessionkit sizes it.
		out, err := codec.Append(make([]byte, 0, len(rec.Data)+64), vals)
		if err != nil {
			b.Fatal(err)
		}
		cond := sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: rec.Data}
		if err := ms.Save(ctx, key, sessions.Record{Data: out, Expiry: exp}, cond); err != nil {
			b.Fatal(err)
		}
		setCookie(h, key)
	}
}

func cookieFloor(b *testing.B, save bool) {
	cs, err := cookiestore.New(cookiestore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	sg, err := signing.New(signing.Options{Secret: benchmarks.Secret, Salt: signing.CookieSalt})
	if err != nil {
		b.Fatal(err)
	}
	var codec sessions.JSONCodec
	data, err := codec.Append(nil, sessionValues())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	value, err := cs.Encode(sg, data, now)
	if err != nil {
		b.Fatal(err)
	}
	h := make(http.Header)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		plain, err := cs.Decode(sg, value, benchmarks.CookieMaxAge, now)
		if err != nil {
			b.Fatal(err)
		}
		vals, err := codec.Decode(plain)
		if err != nil {
			b.Fatal(err)
		}
		if !save {
			continue
		}
		vals[benchmarks.VisitsKey] = int64(benchmarks.VisitsStart + 1)
		if buf, err = codec.Append(buf[:0], vals); err != nil {
			b.Fatal(err)
		}
		next, err := cs.Encode(sg, buf, now)
		if err != nil {
			b.Fatal(err)
		}
		setCookie(h, next)
	}
}
