package sessions

import (
	"strings"
	"testing"
)

// A forwarding record never holds the new key in the clear, and only the
// old key opens it.
func TestSealForward(t *testing.T) {
	oldKey, newKey := strings.Repeat("a", 32), "k0123456789abcdefghijklmnopqrstuvwxyz012"
	sealed := sealForward(oldKey, newKey)
	if strings.Contains(sealed, newKey) {
		t.Fatalf("sealed %q holds the key", sealed)
	}
	if got, ok := openForward(oldKey, sealed); !ok || got != newKey {
		t.Fatalf("open = %q, %v", got, ok)
	}
	for _, c := range []struct{ old, sealed string }{
		{strings.Repeat("b", 32), sealed},  // another old key
		{oldKey, newKey},                   // a raw key, not sealed
		{oldKey, sealed[:len(sealed)-1]},   // truncated
		{oldKey, strings.Repeat("0", 300)}, // too long
	} {
		if got, ok := openForward(c.old, c.sealed); ok {
			t.Errorf("openForward(%q, %q) = %q, want refused", c.old, c.sealed, got)
		}
	}
}
