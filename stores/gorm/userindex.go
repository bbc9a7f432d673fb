package gormstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"gorm.io/gorm"
)

// The per-user index lives in two tables beside the session table, which
// is never altered, so a table shared with Django keeps working with it
// (sessions Django creates are not indexed: Django does not know the
// index). Migrate creates them:
//
//	<table>_user      (user_id, session_key, expire_date), primary key (user_id, session_key)
//	<table>_user_gen  (user_id, generation), for GenerationStore
//
// An entry's expire_date is its until; DeleteExpired removes the entries
// past it, as it removes expired sessions.

var (
	_ sessions.UserIndex       = (*Store)(nil)
	_ sessions.GenerationStore = (*Store)(nil)
)

// inChunk bounds the keys of one IN list: far below every database's
// limit on bound parameters (SQLite's 32,766, PostgreSQL's 65,535).
const inChunk = 500

func (s *Store) userTable() string { return s.table + "_user" }
func (s *Store) genTable() string  { return s.table + "_user_gen" }

// userSchemaSQL returns the DDL of the index tables, idempotent like the
// session table's. The time column has expire_date's type.
func (s *Store) userSchemaSQL() []string {
	d := s.d
	ut, gt := d.quote(s.userTable()), d.quote(s.genTable())
	_, uname := splitTable(s.userTable())
	idx := uname + "_expire_date"
	switch d {
	case dialectPostgres:
		return []string{
			`CREATE TABLE IF NOT EXISTS ` + ut + ` ("user_id" varchar(255) NOT NULL, "session_key" varchar(40) NOT NULL, "expire_date" timestamp with time zone NOT NULL, PRIMARY KEY ("user_id", "session_key"))`,
			`CREATE INDEX IF NOT EXISTS ` + d.quote(idx) + ` ON ` + ut + ` ("expire_date")`,
			`CREATE TABLE IF NOT EXISTS ` + gt + ` ("user_id" varchar(255) NOT NULL PRIMARY KEY, "generation" bigint NOT NULL)`,
		}
	case dialectMySQL:
		return []string{
			"CREATE TABLE IF NOT EXISTS " + ut + " (`user_id` varchar(255) NOT NULL, `session_key` varchar(40) NOT NULL, `expire_date` datetime(6) NOT NULL, " +
				"PRIMARY KEY (`user_id`, `session_key`), INDEX " + d.quote(idx) + " (`expire_date`)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
			"CREATE TABLE IF NOT EXISTS " + gt + " (`user_id` varchar(255) NOT NULL PRIMARY KEY, `generation` bigint NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
		}
	}
	schema, _ := splitTable(s.userTable())
	if schema != "" {
		idx = schema + "." + idx
	}
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + ut + ` ("user_id" varchar(255) NOT NULL, "session_key" varchar(40) NOT NULL, "expire_date" datetime NOT NULL, PRIMARY KEY ("user_id", "session_key"))`,
		`CREATE INDEX IF NOT EXISTS ` + d.quote(idx) + ` ON ` + d.quote(uname) + ` ("expire_date")`,
		`CREATE TABLE IF NOT EXISTS ` + gt + ` ("user_id" varchar(255) NOT NULL PRIMARY KEY, "generation" bigint NOT NULL)`,
	}
}

// placeholders returns "?, ?, ..." for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// IndexUser implements sessions.UserIndex with one upsert.
func (s *Store) IndexUser(ctx context.Context, user, key string, until time.Time) error {
	t := s.d.quote(s.userTable())
	q := "INSERT INTO " + t + " (user_id, session_key, expire_date) VALUES (?, ?, ?) "
	if s.d == dialectMySQL {
		q += "ON DUPLICATE KEY UPDATE expire_date = VALUES(expire_date)"
	} else {
		q += "ON CONFLICT (user_id, session_key) DO UPDATE SET expire_date = excluded.expire_date"
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if _, err := s.exec(ctx, s.d.rebind(q), user, key, s.tc.value(until)); err != nil {
		return fmt.Errorf("gormstore: index user: %w", err)
	}
	return nil
}

// UnindexUser implements sessions.UserIndex.
func (s *Store) UnindexUser(ctx context.Context, user string, keys ...string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("gormstore: unindex user: %w", err)
	}
	for start := 0; start < len(keys); start += inChunk {
		chunk := keys[start:min(start+inChunk, len(keys))]
		q := "DELETE FROM " + s.d.quote(s.userTable()) + " WHERE user_id = ? AND session_key IN (" + placeholders(len(chunk)) + ")"
		args := make([]any, 0, 1+len(chunk))
		args = append(args, user)
		for _, k := range chunk {
			args = append(args, k)
		}
		if _, err := s.exec(ctx, s.d.rebind(q), args...); err != nil {
			return fmt.Errorf("gormstore: unindex user: %w", err)
		}
	}
	return nil
}

// UserKeys implements sessions.UserIndex with one SELECT on the primary
// key's prefix.
func (s *Store) UserKeys(ctx context.Context, user string) ([]string, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	q := "SELECT session_key FROM " + s.d.quote(s.userTable()) + " WHERE user_id = ? AND expire_date > ?"
	rows, err := s.pool.QueryContext(ctx, s.d.rebind(q), user, s.tc.value(s.now()))
	if err != nil {
		return nil, fmt.Errorf("gormstore: user keys: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("gormstore: user keys: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("gormstore: user keys: %w", err)
	}
	return keys, nil
}

// LoadKeys implements sessions.UserIndex with one SELECT ... IN per 500
// keys; rows over MaxRecordSize are not sent, as in Load.
func (s *Store) LoadKeys(ctx context.Context, keys []string) ([]sessions.Record, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("gormstore: load keys: %w", err)
	}
	out := make([]sessions.Record, len(keys))
	at := make(map[string][]int, len(keys))
	for i, k := range keys {
		at[k] = append(at[k], i)
	}
	data := "session_data"
	if s.maxSize > 0 {
		data = "CASE WHEN " + sizeExpr(s.d) + " <= " + fmt.Sprint(s.maxSize) + " THEN session_data END"
	}
	now := s.now()
	for start := 0; start < len(keys); start += inChunk {
		chunk := keys[start:min(start+inChunk, len(keys))]
		q := "SELECT session_key, " + data + ", expire_date FROM " + s.d.quote(s.table) +
			" WHERE session_key IN (" + placeholders(len(chunk)) + ")"
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		if err := s.scanRecords(ctx, s.d.rebind(q), args, now, func(k string, rec sessions.Record) {
			for _, i := range at[k] {
				out[i] = rec
			}
		}); err != nil {
			return nil, fmt.Errorf("gormstore: load keys: %w", err)
		}
	}
	return out, nil
}

// scanRecords runs q and hands each live row to found.
func (s *Store) scanRecords(ctx context.Context, q string, args []any, now time.Time, found func(string, sessions.Record)) error {
	rows, err := s.pool.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k    string
			data []byte
			exp  any
		)
		if err := rows.Scan(&k, &data, &exp); err != nil {
			return err
		}
		t, err := s.tc.scan(exp)
		if err != nil {
			return err
		}
		if !t.After(now) || data == nil {
			continue // expired, or over MaxRecordSize: as good as missing
		}
		found(k, sessions.Record{Data: data, Expiry: t})
	}
	return rows.Err()
}

// DeleteKeys implements sessions.UserIndex with one DELETE ... IN per 500
// keys.
func (s *Store) DeleteKeys(ctx context.Context, keys []string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("gormstore: delete keys: %w", err)
	}
	for start := 0; start < len(keys); start += inChunk {
		chunk := keys[start:min(start+inChunk, len(keys))]
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		q := "DELETE FROM " + s.d.quote(s.table) + " WHERE session_key IN (" + placeholders(len(chunk)) + ")"
		if _, err := s.exec(ctx, s.d.rebind(q), args...); err != nil {
			return fmt.Errorf("gormstore: delete keys: %w", err)
		}
	}
	return nil
}

// Generation implements sessions.GenerationStore.
func (s *Store) Generation(ctx context.Context, user string) (uint64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var g int64
	q := "SELECT generation FROM " + s.d.quote(s.genTable()) + " WHERE user_id = ?"
	err := s.pool.QueryRowContext(ctx, s.d.rebind(q), user).Scan(&g)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("gormstore: generation: %w", err)
	}
	return uint64(g), nil
}

// NextGeneration implements sessions.GenerationStore: an upsert that
// increments, and the read of the row it locked, in one transaction.
func (s *Store) NextGeneration(ctx context.Context, user string) (uint64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	t := s.d.quote(s.genTable())
	up := "INSERT INTO " + t + " (user_id, generation) VALUES (?, 1) "
	if s.d == dialectMySQL {
		up += "ON DUPLICATE KEY UPDATE generation = generation + 1"
	} else {
		up += "ON CONFLICT (user_id) DO UPDATE SET generation = " + t + ".generation + 1"
	}
	var g int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(up, user).Error; err != nil {
			return err
		}
		return tx.Raw("SELECT generation FROM "+t+" WHERE user_id = ?", user).Row().Scan(&g)
	})
	if err != nil {
		return 0, fmt.Errorf("gormstore: next generation: %w", err)
	}
	return uint64(g), nil
}

// deleteExpiredEntries removes the index entries past their until, in
// batches like the sessions'.
func (s *Store) deleteExpiredEntries(ctx context.Context, now any) error {
	t := s.d.quote(s.userTable())
	q := "DELETE FROM " + t + " WHERE expire_date < ? AND (user_id, session_key) IN (SELECT user_id, session_key FROM " + t +
		" WHERE expire_date < ? LIMIT " + fmt.Sprint(s.batch) + ")"
	args := []any{now, now}
	if s.d == dialectMySQL {
		q, args = "DELETE FROM "+t+" WHERE expire_date < ? ORDER BY expire_date LIMIT "+fmt.Sprint(s.batch), []any{now}
	}
	q = s.d.rebind(q)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		bctx, cancel := s.bound(ctx)
		n, err := s.exec(bctx, q, args...)
		cancel()
		if err != nil {
			return err
		}
		if n < int64(s.batch) {
			return nil
		}
	}
}

// missingTable reports an error of a statement on a table that does not
// exist: a table shared with Django by a deployment that never ran
// Migrate has no index tables, and its cleanup must still clean.
func missingTable(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "no such table") || // SQLite
		(strings.Contains(msg, "relation") && strings.Contains(msg, "does not exist")) || // PostgreSQL 42P01
		strings.Contains(msg, "error 1146") // MySQL ER_NO_SUCH_TABLE
}
