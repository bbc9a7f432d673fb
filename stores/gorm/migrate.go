package gormstore

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strings"

	"gorm.io/gorm"
)

// Migrate creates the table and its indexes if they do not exist, with the
// DDL Django's sessions migration 0001 creates for the same database
// (checked with `manage.py sqlmigrate sessions 0001` on Django 3.2),
// including Django's index names. It never alters an existing table. On
// PostgreSQL and SQLite it runs in one transaction; MySQL commits DDL at
// once, so there the index is declared inside CREATE TABLE.
//
// On MySQL the table is created with DEFAULT CHARSET=utf8mb4 and
// COLLATE=utf8mb4_bin (Django leaves both to the database default), so
// any UTF-8 text survives and keys compare exactly, as on the other
// databases; the column types are Django's.
//
// Options.OpTimeout bounds the whole migration, when ctx has no earlier
// deadline.
func (s *Store) Migrate(ctx context.Context) error {
	stmts := s.SchemaSQL()
	run := func(tx *gorm.DB) error {
		if s.d == dialectPostgres {
			// CREATE ... IF NOT EXISTS races between instances starting at
			// once (a unique violation in pg_type); a transaction-scoped
			// advisory lock on the table name serialises them.
			h := fnv.New64a()
			h.Write([]byte(s.table))
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(h.Sum64())).Error; err != nil {
				return err
			}
		}
		for _, q := range stmts {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		return nil
	}
	// One bound for the whole migration: its statements share a
	// transaction, which must not outlive its context.
	ctx, cancel := s.bound(ctx)
	defer cancel()
	db := s.db.WithContext(ctx)
	var err error
	if s.d == dialectMySQL {
		err = run(db)
	} else {
		err = db.Transaction(run)
	}
	if err != nil {
		return fmt.Errorf("gormstore: migrate %s: %w", s.table, err)
	}
	return nil
}

// SchemaSQL returns the statements Migrate runs, for those who apply
// migrations with their own tool. Each is idempotent (IF NOT EXISTS).
// The session table's come first, exactly Django's; then the per-user
// index tables (userindex.go).
func (s *Store) SchemaSQL() []string {
	return append(s.sessionSchemaSQL(), s.userSchemaSQL()...)
}

// sessionSchemaSQL is the DDL of the session table, Django's.
func (s *Store) sessionSchemaSQL() []string {
	d := s.d
	schema, name := splitTable(s.table)
	t := d.quote(s.table)
	exp := djangoIndexName(d, name, "expire_date", "")
	switch d {
	case dialectPostgres:
		like := djangoIndexName(d, name, "session_key", "_like")
		return []string{
			`CREATE TABLE IF NOT EXISTS ` + t + ` ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" timestamp with time zone NOT NULL)`,
			`CREATE INDEX IF NOT EXISTS ` + d.quote(like) + ` ON ` + t + ` ("session_key" varchar_pattern_ops)`,
			`CREATE INDEX IF NOT EXISTS ` + d.quote(exp) + ` ON ` + t + ` ("expire_date")`,
		}
	case dialectMySQL:
		return []string{
			"CREATE TABLE IF NOT EXISTS " + t + " (`session_key` varchar(40) NOT NULL PRIMARY KEY, `session_data` longtext NOT NULL, `expire_date` datetime(6) NOT NULL, " +
				"INDEX " + d.quote(exp) + " (`expire_date`)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
		}
	}
	// SQLite names the schema on the index, not on its table.
	idx := exp
	if schema != "" {
		idx = schema + "." + exp
	}
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + t + ` ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS ` + d.quote(idx) + ` ON ` + d.quote(name) + ` ("expire_date")`,
	}
}

// splitTable splits "schema.table".
func splitTable(table string) (schema, name string) {
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		return table[:i], table[i+1:]
	}
	return "", table
}

// djangoIndexName is Django's BaseDatabaseSchemaEditor._create_index_name
// for one column: table_column_<md5(table+column)[:8]><suffix>, shortened
// Django's way past the backend's identifier limit, so that a table made
// here has the index names Django's own migrations expect.
func djangoIndexName(d dialect, table, column, suffix string) string {
	maxLen := 200 // Django's fallback when the backend has no limit (SQLite)
	switch d {
	case dialectPostgres:
		maxLen = 63
	case dialectMySQL:
		maxLen = 64
	}
	sum := md5.Sum([]byte(table + column))
	hash := hex.EncodeToString(sum[:])[:8] + suffix
	name := table + "_" + column + "_" + hash
	if len(name) <= maxLen {
		return name
	}
	if len(hash) > maxLen/3 {
		hash = hash[:maxLen/3]
	}
	other := (maxLen-len(hash))/2 - 1
	name = truncate(table, other) + "_" + truncate(column, other) + "_" + hash
	if c := name[0]; c == '_' || (c >= '0' && c <= '9') {
		name = "D" + name[:len(name)-1]
	}
	return name
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
