package signing

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDjangoSessions checks every sessions[*] vector for both the signed
// cookie and the db session_data encoding.
func TestDjangoSessions(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v *vectorFile) {
		now := unix(v.FixedTime)
		cookieAge := time.Duration(v.Settings.SessionCookieAge) * time.Second
		for _, sv := range v.Sessions {
			for _, c := range []struct {
				kind   string
				sig    signedVector
				maxAge time.Duration
			}{
				{"signed_cookie", sv.SignedCookie, cookieAge},
				{"db", sv.DB, 0}, // db decode passes no max_age
			} {
				t.Run(sv.Name+"/"+c.kind, func(t *testing.T) {
					if c.sig.SerializedJSON != sv.SerializedJSON {
						t.Fatalf("vector inconsistency: serialized_json differs")
					}
					s := mustNew(t, Options{Secret: v.Settings.SecretKey, Salt: c.sig.Salt})
					if got := hex.EncodeToString(s.keys[0].key); got != c.sig.HMACKeyHex {
						t.Errorf("HMAC key = %s, want %s", got, c.sig.HMACKeyHex)
					}
					// The signature step alone, on Django's own message.
					if got := s.Sign(c.sig.SignedMessage); got != c.sig.Value {
						t.Errorf("Sign(signed_message) = %q, want %q", got, c.sig.Value)
					}
					if c.sig.Value != c.sig.SignedMessage+":"+c.sig.Signature {
						t.Fatalf("vector inconsistency: value != signed_message:signature")
					}
					// Verify and decode Django's value.
					data, at, err := s.LoadsWithTime(c.sig.Value, c.maxAge, now)
					if err != nil {
						t.Fatalf("Loads(django value): %v", err)
					}
					if string(data) != sv.SerializedJSON {
						t.Errorf("Loads = %q, want %q", data, sv.SerializedJSON)
					}
					if !at.Equal(unix(c.sig.Timestamp)) {
						t.Errorf("signedAt = %v, want %v", at, unix(c.sig.Timestamp))
					}
					// Our own output: byte-exact when Django did not compress.
					ours := s.Dumps([]byte(sv.SerializedJSON), true, now)
					if !c.sig.Compressed {
						if ours != c.sig.Value {
							t.Errorf("Dumps(compress=true) = %q, want %q", ours, c.sig.Value)
						}
						if got := s.Dumps([]byte(sv.SerializedJSON), false, now); got != c.sig.Value {
							t.Errorf("Dumps(compress=false) = %q, want %q", got, c.sig.Value)
						}
					} else if strings.HasPrefix(ours, ".") != strings.HasPrefix(c.sig.Value, ".") {
						// Not an error: Go's zlib output differs from CPython's.
						t.Logf("compression decision differs from Django (Go %d bytes vs Django %d)", len(ours), len(c.sig.Value))
					}
					back, err := s.Loads(ours, c.maxAge, now)
					if err != nil || string(back) != sv.SerializedJSON {
						t.Errorf("Loads(Dumps) = %q, %v", back, err)
					}
				})
			}
		}
	})
}

// TestPythonOnlySessions: JSON that only Python emits (NaN, Infinity) is
// returned verbatim; parsing it is the caller's business.
func TestPythonOnlySessions(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v *vectorFile) {
		now := unix(v.FixedTime)
		cookie := mustNew(t, Options{Secret: v.Settings.SecretKey, Salt: CookieSalt})
		db := mustNew(t, Options{Secret: v.Settings.SecretKey, Salt: SessionSalt})
		for _, pv := range v.PythonOnlySessions {
			for _, c := range []struct {
				s     *Signer
				value string
			}{{cookie, pv.CookieValue}, {db, pv.DBValue}} {
				got, err := c.s.Loads(c.value, time.Hour, now)
				if err != nil || string(got) != pv.SerializedJSON {
					t.Errorf("%s: Loads = %q, %v; want %q", pv.Name, got, err, pv.SerializedJSON)
				}
			}
		}
	})
}

func TestSalts(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v *vectorFile) {
		if CookieSalt != v.Salts.SignedCookies || SessionSalt != v.Salts.DB {
			t.Errorf("salt constants differ from the vectors: %q %q", v.Salts.SignedCookies, v.Salts.DB)
		}
		if v.Primitives.Base62Alphabet != base62Alphabet {
			t.Errorf("alphabet = %q", v.Primitives.Base62Alphabet)
		}
	})
}

func TestKeyDerivation(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v *vectorFile) {
		secret := v.Settings.SecretKey
		for _, kd := range v.Primitives.KeyDerivation {
			t.Run(kd.Salt, func(t *testing.T) {
				if kd.KeyMaterial != kd.Salt+"signer"+secret {
					t.Fatalf("key_material is not salt+signer+secret")
				}
				s := mustNew(t, Options{Secret: secret, Salt: kd.Salt})
				if got := hex.EncodeToString(s.keys[0].key); got != kd.KeyHex {
					t.Errorf("key = %s, want %s", got, kd.KeyHex)
				}
				if got := s.Sign(kd.Message); got != kd.Message+":"+kd.Sig256 {
					t.Errorf("Sign = %q, want signature %q", got, kd.Sig256)
				}
				sha1Value := kd.Message + ":" + kd.SigSHA1
				if _, err := s.Unsign(sha1Value); !errors.Is(err, ErrBadSignature) {
					t.Errorf("SHA-1 signature accepted without AcceptSHA1: %v", err)
				}
				legacy := mustNew(t, Options{Secret: secret, Salt: kd.Salt, AcceptSHA1: true})
				if got, err := legacy.Unsign(sha1Value); err != nil || got != kd.Message {
					t.Errorf("Unsign(SHA-1) = %q, %v", got, err)
				}
				if got, err := legacy.Unsign(kd.Message + ":" + kd.Sig256); err != nil || got != kd.Message {
					t.Errorf("Unsign(SHA-256) with AcceptSHA1 = %q, %v", got, err)
				}
				// Signing still uses SHA-256.
				if got := legacy.Sign(kd.Message); got != kd.Message+":"+kd.Sig256 {
					t.Errorf("AcceptSHA1 Sign = %q", got)
				}
			})
		}
	})
}

func TestSignerExamples(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v *vectorFile) {
		s := mustNew(t, Options{Secret: v.Settings.SecretKey}) // DefaultSalt
		if !strings.Contains(v.Primitives.SignerExamples[0].Desc, "'"+DefaultSalt+"'") {
			t.Errorf("DefaultSalt %q not the vectors' default: %s", DefaultSalt, v.Primitives.SignerExamples[0].Desc)
		}
		want := []string{`"hello"`, `[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]`}
		for i, ex := range v.Primitives.SignerExamples {
			got, err := s.Loads(ex.Value, 0, time.Time{})
			if err != nil || string(got) != want[i] {
				t.Errorf("%s: Loads = %q, %v; want %q", ex.Desc, got, err, want[i])
			}
		}
		// The uncompressed one is reproduced byte for byte.
		if got := s.Dumps([]byte(want[0]), false, unix(v.FixedTime)); got != v.Primitives.SignerExamples[0].Value {
			t.Errorf("Dumps(hello) = %q", got)
		}
	})
}

// TestNegative runs the negative[] vectors: each with its own now, max_age
// and salt.
func TestNegative(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v *vectorFile) {
		for _, nv := range v.Negative {
			t.Run(nv.Desc, func(t *testing.T) {
				s := mustNew(t, Options{Secret: v.Settings.SecretKey, Salt: nv.Salt})
				var maxAge time.Duration
				if nv.MaxAge != nil {
					maxAge = time.Duration(*nv.MaxAge) * time.Second
				}
				got, err := s.Loads(nv.Value, maxAge, unix(nv.Now))
				switch {
				case nv.SigningLoads.OK:
					if err != nil {
						t.Fatalf("Loads: %v (expect %s)", err, nv.Expect)
					}
					if !jsonEqual(t, got, nv.SigningLoads.Session) {
						t.Errorf("Loads = %s, want %s", got, nv.SigningLoads.Session)
					}
				case nv.SigningLoads.Error == "SignatureExpired":
					if !errors.Is(err, ErrExpired) || !errors.Is(err, ErrBadSignature) {
						t.Errorf("err = %v, want ErrExpired (and ErrBadSignature)", err)
					}
				case nv.SigningLoads.Error == "BadSignature" && !strings.Contains(nv.Value, ":"):
					// Django: BadSignature('No ":" found'); here a parse error.
					if !errors.Is(err, ErrMalformed) {
						t.Errorf("err = %v, want ErrMalformed", err)
					}
				case nv.SigningLoads.Error == "BadSignature":
					if !errors.Is(err, ErrBadSignature) || errors.Is(err, ErrExpired) {
						t.Errorf("err = %v, want ErrBadSignature", err)
					}
				case nv.SigningLoads.Error == "JSONDecodeError":
					// Loads does not parse JSON: the bytes come back and the
					// caller's JSON decoder rejects them.
					if err != nil || json.Valid(got) {
						t.Errorf("Loads = %q, %v; want invalid JSON and no error", got, err)
					}
				default:
					t.Fatalf("unhandled vector error %q", nv.SigningLoads.Error)
				}
			})
		}
	})
}

func TestLegacyAndRotation(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v *vectorFile) {
		now := unix(v.FixedTime)
		fb := v.Legacy.Fallback
		cases := []struct {
			salt, value string
		}{{CookieSalt, fb.CookieValue}, {SessionSalt, fb.DBValue}}
		for _, c := range cases {
			plain := mustNew(t, Options{Secret: fb.CurrentSecret, Salt: c.salt})
			if _, err := plain.Loads(c.value, 0, now); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: old-secret value without fallback: err = %v", c.salt, err)
			}
			rot := mustNew(t, Options{Secret: fb.CurrentSecret, SecretFallbacks: []string{"unrelated", fb.OldSecret}, Salt: c.salt})
			got, err := rot.Loads(c.value, 0, now)
			if err != nil || !jsonEqual(t, got, fb.Session) {
				t.Errorf("%s: with fallback: %q, %v", c.salt, got, err)
			}
			// New values are signed with the primary secret only.
			if out := rot.Dumps([]byte(`{"foo":"bar"}`), true, now); out == c.value {
				t.Errorf("%s: Dumps signed with the fallback secret", c.salt)
			} else if _, err := plain.Loads(out, 0, now); err != nil {
				t.Errorf("%s: Dumps not verifiable with the primary secret: %v", c.salt, err)
			}
		}

		sh := v.Legacy.SHA1
		for _, c := range []struct{ salt, value string }{{CookieSalt, sh.CookieValue}, {SessionSalt, sh.DBValue}} {
			plain := mustNew(t, Options{Secret: sh.Secret, Salt: c.salt})
			if _, err := plain.Loads(c.value, 0, now); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: SHA-1 accepted by default: %v", c.salt, err)
			}
			legacy := mustNew(t, Options{Secret: sh.Secret, Salt: c.salt, AcceptSHA1: true})
			got, err := legacy.Loads(c.value, time.Hour, now)
			if err != nil || !jsonEqual(t, got, sh.Session) {
				t.Errorf("%s: AcceptSHA1: %q, %v", c.salt, got, err)
			}
			// SHA-1 with a fallback secret.
			rot := mustNew(t, Options{Secret: "new", SecretFallbacks: []string{sh.Secret}, Salt: c.salt, AcceptSHA1: true})
			if _, err := rot.Loads(c.value, 0, now); err != nil {
				t.Errorf("%s: AcceptSHA1 + fallback: %v", c.salt, err)
			}
		}
	})
}

// TestMiddlewareCookies: every signed-cookie value Django set in the
// middleware scenarios verifies at that scenario's time.
func TestMiddlewareCookies(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v *vectorFile) {
		s := mustNew(t, Options{Secret: v.Settings.SecretKey, Salt: CookieSalt})
		n := 0
		for _, m := range v.Middleware {
			if !strings.HasSuffix(m.Engine, "signed_cookies") {
				continue
			}
			for _, h := range m.SetCookie {
				val, _, _ := strings.Cut(strings.TrimPrefix(h, "Set-Cookie: "), ";")
				_, val, _ = strings.Cut(val, "=")
				if val == `""` {
					continue // deletion
				}
				n++
				data, err := s.Loads(val, time.Duration(v.Settings.SessionCookieAge)*time.Second, unix(m.Now))
				if err != nil || !json.Valid(data) {
					t.Errorf("%s: Loads(%q) = %q, %v", m.Desc, val, data, err)
				}
			}
		}
		if n == 0 {
			t.Fatal("no signed cookies found in middleware vectors")
		}
	})
}

func TestNewErrors(t *testing.T) {
	if s, err := New(Options{}); err == nil || s != nil {
		t.Fatalf("New with empty secret = %v, %v", s, err)
	}
	s := mustNew(t, Options{Secret: "x"})
	if s.salt != DefaultSalt || s.maxData != DefaultMaxDataSize {
		t.Errorf("defaults: salt %q maxData %d", s.salt, s.maxData)
	}
}

func TestErrorRelations(t *testing.T) {
	if !errors.Is(ErrExpired, ErrBadSignature) {
		t.Error("ErrExpired must match ErrBadSignature")
	}
	if errors.Is(ErrBadSignature, ErrExpired) || errors.Is(ErrMalformed, ErrBadSignature) || errors.Is(ErrExpired, ErrMalformed) {
		t.Error("unexpected error relation")
	}
	wrapped := fmt.Errorf("ctx: %w", ErrExpired)
	if !errors.Is(wrapped, ErrExpired) || !errors.Is(wrapped, ErrBadSignature) {
		t.Error("wrapped ErrExpired")
	}
}

func TestSignUnsign(t *testing.T) {
	s := mustNew(t, Options{Secret: "secret", Salt: "salt"})
	for _, v := range []string{"", "hello", "a:b:c", "ünïcödé", strings.Repeat("x", 5000)} {
		signed := s.Sign(v)
		if got, err := s.Unsign(signed); err != nil || got != v {
			t.Errorf("Unsign(Sign(%q)) = %q, %v", v, got, err)
		}
		if _, err := s.Unsign(signed + "="); !errors.Is(err, ErrBadSignature) {
			t.Errorf("padded signature accepted: %v", err)
		}
	}
	if _, err := s.Unsign("no separator"); !errors.Is(err, ErrMalformed) {
		t.Errorf("Unsign without ':' = %v", err)
	}
	other := mustNew(t, Options{Secret: "secret", Salt: "other"})
	if _, err := other.Unsign(s.Sign("x")); !errors.Is(err, ErrBadSignature) {
		t.Errorf("cross-salt Unsign = %v", err)
	}
}

func TestExpiryBoundary(t *testing.T) {
	s := mustNew(t, Options{Secret: "k", Salt: CookieSalt})
	signed := unix(1700000000)
	v := s.Dumps([]byte(`{"a":1}`), true, signed.Add(999*time.Millisecond)) // truncated to the second
	maxAge := 14 * 24 * time.Hour
	cases := []struct {
		now    time.Time
		maxAge time.Duration
		ok     bool
	}{
		{signed, maxAge, true},
		{signed.Add(maxAge), maxAge, true},                    // age == max_age
		{signed.Add(maxAge + time.Nanosecond), maxAge, false}, // Django's float age
		{signed.Add(maxAge + time.Second), maxAge, false},
		{signed.Add(-time.Hour), maxAge, true},            // future timestamp
		{signed.Add(100 * 365 * 24 * time.Hour), 0, true}, // no age check
		{signed.Add(100 * 365 * 24 * time.Hour), -1, true},
		{signed.Add(2 * time.Second), time.Second, false},
	}
	for i, c := range cases {
		data, at, err := s.LoadsWithTime(v, c.maxAge, c.now)
		if c.ok != (err == nil) {
			t.Errorf("case %d: err = %v, want ok=%v", i, err, c.ok)
		}
		if !c.ok && (!errors.Is(err, ErrExpired) || data != nil) {
			t.Errorf("case %d: err = %v data %q, want ErrExpired", i, err, data)
		}
		if !at.Equal(signed) {
			t.Errorf("case %d: signedAt = %v", i, at)
		}
	}
}

func TestUnixSeconds(t *testing.T) {
	// Python int(time.time()) truncates toward zero.
	cases := map[time.Time]int64{
		time.Unix(5, 999999999):   5,
		time.Unix(-1, 500000000):  0, // -0.5 s
		time.Unix(-2, 0):          -2,
		time.Unix(-2, 1):          -1,
		time.Unix(1700000000, 10): 1700000000,
	}
	for tm, want := range cases {
		if got := unixSeconds(tm); got != want {
			t.Errorf("unixSeconds(%v) = %d, want %d", tm, got, want)
		}
	}
	s := mustNew(t, Options{Secret: "k"})
	v := s.Dumps([]byte("1"), false, time.Unix(-100, 0))
	if _, at, err := s.LoadsWithTime(v, 0, time.Time{}); err != nil || at.Unix() != -100 {
		t.Errorf("negative timestamp: %v %v (%s)", at, err, v)
	}
}

// TestLenientPayload: Django decodes a verified payload leniently; a
// payload that arrives padded is accepted when it was signed padded.
func TestLenientPayload(t *testing.T) {
	s := mustNew(t, Options{Secret: "k", Salt: CookieSalt})
	now := unix(1700000000)
	cases := []struct {
		payload string
		want    string
		ok      bool
	}{
		{"e30", "{}", true},
		{"e30=", "{}", true},
		{"e30=junk", "{}", true}, // decoding stops at the padding
		{"e3\n0", "", false},     // re-padding counts the newline: Incorrect padding
		{"e3\n0==", "{}", true},
		{"e!30!", "{}", true}, // invalid characters are skipped (but counted when re-padding)
		{"e!30", "", false},
		{"+/+/", "\xfb\xff\xbf", true},
		{"-_-_", "\xfb\xff\xbf", true},
		{"e", "", false},
		{"", "", true},
		{".", "", false},                // empty zlib stream
		{".eJyrrgUAAXUA-Q", "{}", true}, // zlib.compress(b"{}")
		{".eJyrrgUAAXUA-Q==", "{}", true},
		{".eJyrrgUAAXUA-Qxy", "{}", true}, // bytes after the stream are ignored, as in CPython
		{".q64FAA", "", false},            // raw deflate of "{}", no zlib header
		{".eJyrrgUAAXUA-A", "", false},    // last Adler-32 bit flipped
	}
	for _, c := range cases {
		v := s.Sign(c.payload + ":" + EncodeBase62(now.Unix()))
		got, err := s.Loads(v, time.Minute, now)
		if c.ok {
			if err != nil || string(got) != c.want {
				t.Errorf("payload %q: Loads = %q, %v; want %q", c.payload, got, err, c.want)
			}
			continue
		}
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("payload %q: Loads = %q, %v; want ErrMalformed", c.payload, got, err)
		}
	}
	// Malformed timestamps behind a valid signature.
	for _, ts := range []string{"", "-", "1r3!", "zzzzzzzzzzzzzzzzzzzz"} {
		v := s.Sign("e30:" + ts)
		if _, err := s.Loads(v, 0, now); !errors.Is(err, ErrMalformed) {
			t.Errorf("timestamp %q: err = %v", ts, err)
		}
	}
	// A signed value with a single separator has no timestamp.
	if _, err := s.Loads(s.Sign("e30"), 0, now); !errors.Is(err, ErrMalformed) {
		t.Errorf("no timestamp: err = %v", err)
	}
}

func TestRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s := mustNew(t, Options{Secret: "round-trip", Salt: SessionSalt, SecretFallbacks: []string{"old"}})
	words := []string{`"_auth_user_id"`, `"42"`, `{`, `}`, `:`, `,`, `"cart"`, `[1,2,3]`, `null`, `"\u00e9"`}
	for i := 0; i < 400; i++ {
		var data []byte
		n := r.IntN(1500)
		if i%2 == 0 {
			data = make([]byte, n)
			for j := range data {
				data[j] = byte(r.UintN(256))
			}
		} else {
			for len(data) < n {
				data = append(data, words[r.IntN(len(words))]...)
			}
		}
		now := time.Unix(r.Int64N(1<<40)-(1<<39), r.Int64N(1e9))
		compress := r.IntN(4) != 0
		v := s.Dumps(data, compress, now)
		if strings.HasPrefix(v, ".") && !compress {
			t.Fatalf("compressed without compress")
		}
		if w := string(s.AppendDumps([]byte("prefix"), data, compress, now)); w != "prefix"+v {
			t.Fatalf("AppendDumps differs from Dumps")
		}
		got, at, err := s.LoadsWithTime(v, 0, now)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("round trip %d (len %d, compress %v): err %v", i, len(data), compress, err)
		}
		if at.Unix() != unixSeconds(now) {
			t.Fatalf("signedAt %v, now %v", at, now)
		}
	}
}

func TestTamper(t *testing.T) {
	s := mustNew(t, Options{Secret: "tamper", Salt: CookieSalt, AcceptSHA1: true, SecretFallbacks: []string{"f"}})
	now := unix(1700000000)
	big := []byte(`{"k":"` + strings.Repeat("abc", 200) + `"}`)
	for _, v := range []string{
		s.Dumps([]byte(`{"foo":"bar"}`), true, now),
		s.Dumps(big, true, now),
	} {
		if _, err := s.Loads(v, 0, now); err != nil {
			t.Fatalf("valid value rejected: %v", err)
		}
		b := []byte(v)
		for i := range b {
			orig := b[i]
			for _, x := range []byte{0x01, 0x02, 0x20, 0x80, 0xFF} {
				b[i] = orig ^ x
				if data, err := s.Loads(string(b), 0, now); err == nil {
					t.Fatalf("tampered byte %d (^%#x) accepted: %q", i, x, data)
				}
			}
			b[i] = orig
		}
		for _, m := range []string{v[:len(v)-1], v + "A", v + "=", "x" + v, v[1:], strings.Replace(v, ":", "", 1)} {
			if _, err := s.Loads(m, 0, now); err == nil {
				t.Errorf("mutation %q accepted", m)
			}
		}
	}
}

func TestZipBomb(t *testing.T) {
	now := unix(1700000000)
	s := mustNew(t, Options{Secret: "bomb", MaxDataSize: 1000})
	for _, c := range []struct {
		n  int
		ok bool
	}{{999, true}, {1000, true}, {1001, false}, {1 << 20, false}} {
		data := bytes.Repeat([]byte{'0'}, c.n)
		v := s.Dumps(data, true, now)
		if v[0] != '.' {
			t.Fatalf("not compressed")
		}
		got, err := s.Loads(v, 0, now)
		if c.ok && (err != nil || len(got) != c.n) {
			t.Errorf("n=%d: err %v len %d", c.n, err, len(got))
		}
		if !c.ok && !errors.Is(err, ErrMalformed) {
			t.Errorf("n=%d: err %v, want ErrMalformed", c.n, err)
		}
	}
	// The default bound is 1 MiB.
	d := mustNew(t, Options{Secret: "bomb"})
	v := d.Dumps(make([]byte, DefaultMaxDataSize+1), true, now)
	if _, err := d.Loads(v, 0, now); !errors.Is(err, ErrMalformed) {
		t.Errorf("default limit: %v", err)
	}
	v = d.Dumps(make([]byte, DefaultMaxDataSize), true, now)
	if _, err := d.Loads(v, 0, now); err != nil {
		t.Errorf("default limit, exact size: %v", err)
	}
}

func TestConcurrent(t *testing.T) {
	s := mustNew(t, Options{Secret: "conc", Salt: CookieSalt, SecretFallbacks: []string{"a", "b"}, AcceptSHA1: true})
	now := unix(1700000000)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				data := []byte(fmt.Sprintf(`{"g":%d,"i":%d,"pad":"%s"}`, g, i, strings.Repeat("z", i*g%700)))
				v := s.Dumps(data, i%3 != 0, now)
				got, err := s.Loads(v, time.Hour, now)
				if err != nil || !bytes.Equal(got, data) {
					t.Errorf("g%d i%d: %v", g, i, err)
					return
				}
				last := "A"
				if strings.HasSuffix(v, last) {
					last = "E" // a SHA-256 signature's last character encodes 4 bits: A, E, I, ...
				}
				if _, err := s.Loads(v[:len(v)-1]+last, time.Hour, now); err == nil {
					t.Errorf("tampered accepted: %s", v)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("bad expected JSON %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// TestAppendLoads: the []byte entry point agrees with Loads, appends to
// dst, and rejects what Loads rejects.
func TestAppendLoads(t *testing.T) {
	sg, err := New(Options{Secret: "s", Salt: SessionSalt})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1700000000, 0)
	for _, data := range []string{`{}`, `{"user":"alice"}`, `{"big":"` + strings.Repeat("x", 3000) + `"}`} {
		v := sg.Dumps([]byte(data), true, now)
		got, err := sg.AppendLoads([]byte("prefix:"), []byte(v), 0, now)
		if err != nil || string(got) != "prefix:"+data {
			t.Fatalf("AppendLoads(%.20q) = %.40q, %v", v, got, err)
		}
		bad := []byte(v)
		bad[len(bad)/2] ^= 1
		if _, err := sg.AppendLoads(nil, bad, 0, now); err == nil {
			t.Fatalf("tampered %.20q accepted", bad)
		}
	}
}
