package gormstore

import (
	"errors"
	"strings"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
)

// TestDjangoIndexName compares with names printed by Django 3.2's
// BaseDatabaseSchemaEditor._create_index_name (max_name_length 63 on
// PostgreSQL, 64 on MySQL, none on SQLite).
func TestDjangoIndexName(t *testing.T) {
	long := "a_rather_long_session_table_name_for_testing_limits"
	under := "_9_leading_underscore_table_name_that_is_long_enough_to_cut"
	tests := []struct {
		d                    dialect
		table, column, sufix string
		want                 string
	}{
		{dialectSQLite, "django_session", "expire_date", "", "django_session_expire_date_a5c62663"},
		{dialectPostgres, "django_session", "session_key", "_like", "django_session_session_key_c0390e0f_like"},
		{dialectMySQL, "sessions", "expire_date", "", "sessions_expire_date_16e4c444"},
		{dialectPostgres, "sessions", "session_key", "_like", "sessions_session_key_58f9471b_like"},
		{dialectPostgres, long, "expire_date", "", "a_rather_long_session_tabl_expire_date_05e1767b"},
		{dialectMySQL, long, "expire_date", "", "a_rather_long_session_table_expire_date_05e1767b"},
		{dialectSQLite, long, "expire_date", "", long + "_expire_date_05e1767b"},
		{dialectPostgres, long, "session_key", "_like", "a_rather_long_session_ta_session_key_d88ca69e_like"},
		{dialectPostgres, under, "expire_date", "", "D_9_leading_underscore_tabl_expire_date_39f2431"},
		{dialectMySQL, under, "session_key", "_like", "D_9_leading_underscore_ta_session_key_c748ac68_lik"},
		{dialectPostgres, strings.Repeat("x", 63), "expire_date", "", strings.Repeat("x", 26) + "_expire_date_1a0362a3"},
	}
	for _, tt := range tests {
		if got := djangoIndexName(tt.d, tt.table, tt.column, tt.sufix); got != tt.want {
			t.Errorf("djangoIndexName(%v, %q, %q, %q) = %q, want %q", tt.d, tt.table, tt.column, tt.sufix, got, tt.want)
		}
	}
}

func TestValidTable(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"sessions", true},
		{"django_session", true},
		{"app.Sessions_2", true},
		{strings.Repeat("t", 63), true},
		{strings.Repeat("t", 64), false},
		{"", false},
		{"a.b.c", false},
		{".sessions", false},
		{"sessions.", false},
		{`ses"sions`, false},
		{"ses`sions", false},
		{"sessions; DROP TABLE x", false},
		{"séssions", false},
	}
	for _, tt := range tests {
		err := validTable(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("validTable(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, sessions.ErrInvalidConfig) {
			t.Errorf("validTable(%q) = %v, not ErrInvalidConfig", tt.name, err)
		}
	}
}

func TestQueries(t *testing.T) {
	tests := []struct {
		d    dialect
		want string // the conditional update
	}{
		{dialectSQLite, `UPDATE "app"."s" SET session_data = ?, expire_date = ? WHERE session_key = ? AND session_data = ? AND expire_date > ?`},
		{dialectPostgres, `UPDATE "app"."s" SET session_data = $1, expire_date = $2 WHERE session_key = $3 AND session_data = $4 AND expire_date > $5`},
		{dialectMySQL, "UPDATE `app`.`s` SET session_data = ?, expire_date = ? WHERE session_key = ? AND session_data = CAST(? AS BINARY) AND expire_date > ?"},
	}
	for _, tt := range tests {
		if got := buildQueries(tt.d, "app.s", 10, 0).updateIfSame; got != tt.want {
			t.Errorf("%v: updateIfSame =\n%s\nwant\n%s", tt.d, got, tt.want)
		}
	}
	if got := buildQueries(dialectMySQL, "s", 10, 0).deleteExpired; !strings.HasSuffix(got, "ORDER BY expire_date LIMIT 10") {
		t.Errorf("mysql deleteExpired = %s", got)
	}
}
