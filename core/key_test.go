package sessions_test

import (
	"strings"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
)

func TestValidKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"", false},
		{"1234567", false},
		{"12345678", true},
		{strings.Repeat("a", 40), true},
		{strings.Repeat("a", 41), false},
		{"abcdefgH", false},
		{"abcd-efgh", false},
		{"abcdefg\x00", false},
		{"ábcdefgh", false},
	}
	for _, tt := range tests {
		if got := sessions.ValidKey(tt.key); got != tt.want {
			t.Errorf("ValidKey(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestNewKey(t *testing.T) {
	seen := make(map[string]bool)
	var counts [256]int
	for range 2000 {
		k, err := sessions.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		if len(k) != 32 || !sessions.ValidKey(k) || seen[k] {
			t.Fatalf("bad or repeated key %q", k)
		}
		seen[k] = true
		for i := range len(k) {
			counts[k[i]]++
		}
	}
	// 64,000 characters over 36 symbols: each about 1,778. A symbol never
	// drawn, or drawn twice as often, means a broken generator.
	for _, c := range "abcdefghijklmnopqrstuvwxyz0123456789" {
		if n := counts[c]; n < 1200 || n > 2400 {
			t.Errorf("character %q drawn %d times", c, n)
		}
	}
}

func FuzzValidKey(f *testing.F) {
	for _, s := range []string{"", "12345678", "abc", strings.Repeat("z", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if !sessions.ValidKey(key) {
			return
		}
		if len(key) < 8 || len(key) > 40 {
			t.Fatalf("accepted length %d", len(key))
		}
		for _, c := range key {
			if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789", c) {
				t.Fatalf("accepted %q", c)
			}
		}
	})
}
