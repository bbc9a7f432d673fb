package demotest

import (
	"os"
	"testing"
)

// RequireEnv returns the environment variable name, or skips the test when
// it is unset; under CI (env CI non-empty) a missing variable fails the
// test instead, so a misconfigured CI cannot pass by skipping.
func RequireEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not set (required when CI is set)", name)
	}
	t.Skipf("%s is not set", name)
	return ""
}
