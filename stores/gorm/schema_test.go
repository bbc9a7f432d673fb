package gormstore_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// Django 3.2's DDL for the sessions app, printed by
// `manage.py sqlmigrate sessions 0001` against each backend.
var (
	djangoSQLite = []string{
		`CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)`,
		`CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")`,
	}
	djangoPostgres = []string{
		`CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" timestamp with time zone NOT NULL)`,
		`CREATE INDEX "django_session_session_key_c0390e0f_like" ON "django_session" ("session_key" varchar_pattern_ops)`,
		`CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")`,
	}
	djangoMySQL = []string{
		"CREATE TABLE `django_session` (`session_key` varchar(40) NOT NULL PRIMARY KEY, `session_data` longtext NOT NULL, `expire_date` datetime(6) NOT NULL)",
		"CREATE INDEX `django_session_expire_date_a5c62663` ON `django_session` (`expire_date`)",
	}
)

// TestSchemaSQLite: sqlite_master keeps the DDL text, so Migrate's table
// and index must read exactly as Django's.
func TestSchemaSQLite(t *testing.T) {
	db := openSQLite(t, sqliteFileDSN(t), nil, quiet())
	s, err := gormstore.New(db, gormstore.Options{Table: "django_session"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	got := queryRows(t, db, `SELECT sql FROM sqlite_master WHERE tbl_name = 'django_session' AND sql IS NOT NULL ORDER BY type DESC`)
	if !slices.Equal(got, djangoSQLite) {
		t.Fatalf("schema:\n%s\nwant Django's:\n%s", strings.Join(got, "\n"), strings.Join(djangoSQLite, "\n"))
	}
	// The primary key's automatic index is there too, as with Django.
	if idx := queryRows(t, db, `SELECT name FROM pragma_index_list('django_session') WHERE origin = 'pk'`); len(idx) != 1 {
		t.Fatalf("primary key indexes: %v", idx)
	}
}

// TestSchemaPostgres runs Django's DDL in one schema and Migrate in another
// and compares what the catalogs say about both tables.
func TestSchemaPostgres(t *testing.T) {
	db := openPostgres(t, requireEnv(t, "SESSIONKIT_POSTGRES_DSN"), nil)
	django, ours := freshTable(), freshTable()
	for _, schema := range []string{django, ours} {
		mustExec(t, db, `CREATE SCHEMA "`+schema+`"`)
		t.Cleanup(func() { cleanupExec(t, db, `DROP SCHEMA "`+schema+`" CASCADE`) })
	}
	for _, q := range djangoPostgres {
		mustExec(t, db, strings.ReplaceAll(q, `"django_session"`, `"`+django+`"."django_session"`))
	}
	s, err := gormstore.New(db, gormstore.Options{Table: ours + ".django_session"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	describe := func(schema string) []string {
		var out []string
		out = append(out, queryRows(t, db, `SELECT column_name, data_type, coalesce(character_maximum_length, 0), is_nullable, coalesce(column_default, '')
			FROM information_schema.columns WHERE table_schema = ? AND table_name = 'django_session' ORDER BY ordinal_position`, schema)...)
		out = append(out, queryRows(t, db, `SELECT conname, contype, pg_get_constraintdef(c.oid) FROM pg_constraint c
			JOIN pg_namespace n ON n.oid = c.connamespace JOIN pg_class r ON r.oid = c.conrelid
			WHERE n.nspname = ? AND r.relname = 'django_session' ORDER BY conname`, schema)...)
		for _, def := range queryRows(t, db, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ? AND tablename = 'django_session' ORDER BY indexname`, schema) {
			out = append(out, strings.ReplaceAll(def, schema+".", "SCHEMA."))
		}
		return out
	}
	want, got := describe(django), describe(ours)
	if len(want) != 3+1+3 {
		t.Fatalf("Django's table described as:\n%s", strings.Join(want, "\n"))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("schema:\n%s\nwant Django's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSchemaMySQL does the same in two databases. Only the table's
// collation may differ: Migrate asks for utf8mb4_bin.
func TestSchemaMySQL(t *testing.T) {
	db := openMySQL(t, requireEnv(t, "SESSIONKIT_MYSQL_DSN"), nil, nil)
	django, ours := freshTable(), freshTable()
	for _, name := range []string{django, ours} {
		mustExec(t, db, "CREATE DATABASE `"+name+"`")
		t.Cleanup(func() { cleanupExec(t, db, "DROP DATABASE `"+name+"`") })
	}
	for _, q := range djangoMySQL {
		mustExec(t, db, strings.ReplaceAll(q, "`django_session`", "`"+django+"`.`django_session`"))
	}
	s, err := gormstore.New(db, gormstore.Options{Table: ours + ".django_session"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	describe := func(schema string) []string {
		var out []string
		out = append(out, queryRows(t, db, `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, coalesce(COLUMN_DEFAULT, ''), EXTRA
			FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'django_session' ORDER BY ORDINAL_POSITION`, schema)...)
		out = append(out, queryRows(t, db, `SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, INDEX_TYPE
			FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'django_session' ORDER BY INDEX_NAME, SEQ_IN_INDEX`, schema)...)
		return out
	}
	want, got := describe(django), describe(ours)
	if len(want) != 3+2 {
		t.Fatalf("Django's table described as:\n%s", strings.Join(want, "\n"))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("schema:\n%s\nwant Django's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	coll := queryRows(t, db, `SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'django_session'`, ours)
	if !slices.Equal(coll, []string{"utf8mb4_bin"}) {
		t.Fatalf("collation %v, want utf8mb4_bin", coll)
	}
}

// queryRows returns each row's columns joined by "|".
func queryRows(t *testing.T, db *gorm.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.WithContext(t.Context()).Raw(query, args...).Rows()
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.String
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func cleanupExec(t *testing.T, db *gorm.DB, query string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := db.WithContext(ctx).Exec(query).Error; err != nil {
		t.Errorf("%s: %v", query, err)
	}
}
