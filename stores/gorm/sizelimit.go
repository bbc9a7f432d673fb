package gormstore

import (
	"context"
	"fmt"
	"strconv"

	sessions "github.com/sessionkit/sessionkit/core"
)

// MaxRecordSize returns the record size limit in force; 0 means none.
func (s *Store) MaxRecordSize() int { return s.maxSize }

// sizeExpr is session_data's length in bytes, in SQL. session_data is
// text, whose length counts characters.
func sizeExpr(d dialect) string {
	switch d {
	case dialectPostgres:
		// Read from the value's header: a large (TOASTed) value is not
		// even fetched.
		return "octet_length(session_data)"
	case dialectMySQL:
		// LENGTH counts bytes; CHAR_LENGTH would count characters.
		return "LENGTH(session_data)"
	}
	// SQLite's length counts the characters of text and the bytes of a
	// blob; octet_length needs SQLite 3.43, newer than some drivers bundle.
	return "length(CAST(session_data AS BLOB))"
}

// boundedLoad selects a row's data only when it is within maxSize, so that
// an oversized record is refused in the same statement and never sent.
// The limit is part of the statement rather than an argument, which would
// cost allocations on every Load. session_data is NOT NULL (in Django's
// schema and Migrate's), so a NULL here means over the limit; the size is
// not selected as well, because SQLite would read the value a second time
// to compute it. Empty without a limit.
func boundedLoad(d dialect, quotedTable string, maxSize int) string {
	if maxSize <= 0 {
		return ""
	}
	return "SELECT CASE WHEN " + sizeExpr(d) + " <= " + strconv.Itoa(maxSize) + " THEN session_data END, expire_date FROM " +
		quotedTable + " WHERE session_key = ?"
}

// readRow reads the data and expire_date of key's row, whatever its
// expiry. It reports whether the data is over maxSize, and then leaves
// data nil.
func (s *Store) readRow(ctx context.Context, key string, data *[]byte, exp *any) (tooLarge bool, err error) {
	if s.maxSize <= 0 {
		return false, s.pool.QueryRowContext(ctx, s.q.load, key).Scan(data, exp)
	}
	err = s.pool.QueryRowContext(ctx, s.q.loadBounded, key).Scan(data, exp)
	return err == nil && *data == nil, err
}

// errLoadTooLarge reports a stored record over the limit. It matches
// sessions.ErrNotFound too: to core, a cache in front and anyone else, the
// record is as good as missing, not a failure of the store.
func errLoadTooLarge(limit int) error {
	return fmt.Errorf("gormstore: load: %w: over %d bytes, %w", sessions.ErrRecordTooLarge, limit, sessions.ErrNotFound)
}

// errSaveTooLarge reports a record too large to save.
func errSaveTooLarge(size, limit int) error {
	return fmt.Errorf("gormstore: save: %w: %d bytes (limit %d)", sessions.ErrRecordTooLarge, size, limit)
}
