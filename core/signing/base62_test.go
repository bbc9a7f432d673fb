package signing

import (
	"errors"
	"math"
	"strconv"
	"testing"
)

func TestBase62Vectors(t *testing.T) {
	forEachVersion(t, func(t *testing.T, v *vectorFile) {
		if len(v.Primitives.Base62Examples) == 0 {
			t.Fatal("no base62 examples")
		}
		for ns, want := range v.Primitives.Base62Examples {
			n, err := strconv.ParseInt(ns, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if got := EncodeBase62(n); got != want {
				t.Errorf("EncodeBase62(%d) = %q, want %q", n, got, want)
			}
			if got, err := DecodeBase62(want); err != nil || got != n {
				t.Errorf("DecodeBase62(%q) = %d, %v", want, got, err)
			}
		}
		if got := EncodeBase62(v.FixedTime); got != v.FixedTimeB62 {
			t.Errorf("fixed time: %q", got)
		}
	})
}

func TestBase62(t *testing.T) {
	cases := []struct {
		n int64
		s string
	}{
		{0, "0"},
		{-1, "-1"},
		{-62, "-10"},
		{math.MaxInt64, "AzL8n0Y58m7"},
		{math.MinInt64, "-AzL8n0Y58m8"},
	}
	for _, c := range cases {
		if got := EncodeBase62(c.n); got != c.s {
			t.Errorf("EncodeBase62(%d) = %q, want %q", c.n, got, c.s)
		}
		if got, err := DecodeBase62(c.s); err != nil || got != c.n {
			t.Errorf("DecodeBase62(%q) = %d, %v", c.s, got, err)
		}
	}
	// Django accepts leading zeros.
	for s, want := range map[string]int64{"00z": 61, "-0": 0, "-00010": -62} {
		if got, err := DecodeBase62(s); err != nil || got != want {
			t.Errorf("DecodeBase62(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-", "--1", "+1", "1 ", "a.b", "AzL8n0Y58m8", "-AzL8n0Y58m9", "zzzzzzzzzzzz", "\xff"} {
		if n, err := DecodeBase62(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeBase62(%q) = %d, %v; want ErrMalformed", s, n, err)
		}
	}
}

func FuzzBase62(f *testing.F) {
	for _, s := range []string{"0", "1r31eq", "-1", "AzL8n0Y58m7", "-AzL8n0Y58m8", "", "-", "00a"} {
		f.Add(s, int64(0))
	}
	f.Add("", int64(math.MinInt64))
	f.Add("", int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, s string, n int64) {
		enc := EncodeBase62(n)
		if got, err := DecodeBase62(enc); err != nil || got != n {
			t.Fatalf("DecodeBase62(EncodeBase62(%d) = %q) = %d, %v", n, enc, got, err)
		}
		if got := string(appendBase62([]byte("x"), n)); got != "x"+enc {
			t.Fatalf("appendBase62 = %q", got)
		}
		m, err := DecodeBase62(s)
		if err != nil {
			return
		}
		// Anything accepted re-encodes to a canonical form of the same value.
		if got, err := DecodeBase62(EncodeBase62(m)); err != nil || got != m {
			t.Fatalf("%q: %d re-decodes to %d, %v", s, m, got, err)
		}
	})
}
