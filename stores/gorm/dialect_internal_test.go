package gormstore

import (
	"strings"
	"testing"
)

func TestUpdateIfSameAt(t *testing.T) {
	const now = "2026-12-02 22:40:00.123456"
	tests := []struct {
		name   string
		d      dialect
		now    string
		ok     bool
		suffix string
	}{
		{"sqlite", dialectSQLite, now, true, `AND expire_date > '` + now + `'`},
		{"sqlite without fraction", dialectSQLite, "2026-12-02 22:40:00", true, `AND expire_date > '2026-12-02 22:40:00'`},
		{"sqlite quote", dialectSQLite, "2026-12-02' OR '1'='1", false, ""},
		{"sqlite empty", dialectSQLite, "", false, ""},
		{"sqlite T separator", dialectSQLite, "2026-12-02T22:40:00", false, ""},
		{"postgres", dialectPostgres, now, false, ""},
		{"mysql", dialectMySQL, now, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := buildQueries(tc.d, "sessions", 100, 0)
			stmt, ok := q.updateIfSameAt(tc.now)
			if ok != tc.ok {
				t.Fatalf("updateIfSameAt(%q) ok = %v, want %v", tc.now, ok, tc.ok)
			}
			if !ok {
				return
			}
			// The same statement as updateIfSame, its last placeholder
			// replaced by the literal: four arguments are left.
			want := strings.TrimSuffix(q.updateIfSame, "?")
			if !strings.HasPrefix(stmt, want) || !strings.HasSuffix(stmt, tc.suffix) {
				t.Errorf("statement %q, want %q followed by the literal", stmt, want)
			}
			if n := strings.Count(stmt, "?"); n != 4 {
				t.Errorf("statement %q has %d placeholders, want 4", stmt, n)
			}
		})
	}
}
