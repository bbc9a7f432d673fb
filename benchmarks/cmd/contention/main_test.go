package main

import (
	"strings"
	"testing"
)

// TestRun: without Redis, the run prints one result line per in-process
// target and round, in the format cmd/report reads.
func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), config{writers: 4, requests: 5, rounds: 2}, &out); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "BenchmarkContention/") {
			lines = append(lines, l)
		}
	}
	// memory/sessionkit, memory/scs, gorm/sessionkit, twice.
	if len(lines) != 6 {
		t.Fatalf("%d result lines, want 6:\n%s", len(lines), out.String())
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if f[1] != "20" || !strings.Contains(l, " req/s") || !strings.Contains(l, " p99-us") {
			t.Errorf("line %q: want 20 requests, req/s and p99-us", l)
		}
		if strings.Contains(f[0], "sessionkit") && !strings.Contains(l, "\t0 lost-updates") {
			t.Errorf("sessionkit lost updates: %q", l)
		}
	}
	if !strings.Contains(out.String(), "contention: 4 writers × 5 requests") {
		t.Errorf("no header: %q", out.String())
	}
}
