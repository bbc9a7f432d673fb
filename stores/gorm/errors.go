package gormstore

import (
	"errors"
	"fmt"
	"strings"

	sessions "github.com/sessionkit/sessionkit/core"
	"gorm.io/gorm"
)

// SQLite's extended result codes for a primary-key and a unique violation.
const (
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// isDuplicateKey reports whether err is a unique violation. The store talks
// to the connection pool directly, so GORM's TranslateError has not run;
// the checks go from the cheapest to the dialector's own translator, and
// need no driver package.
func (s *Store) isDuplicateKey(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	// pgx's *pgconn.PgError.
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return pg.SQLState() == "23505"
	}
	// modernc.org/sqlite and github.com/glebarez/go-sqlite.
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		if c := lite.Code(); c == sqliteConstraintPrimaryKey || c == sqliteConstraintUnique {
			return true
		}
	}
	// gorm.io/driver/mysql maps MySQL's 1062; others may map theirs.
	if tr, ok := s.db.Dialector.(gorm.ErrorTranslator); ok && errors.Is(tr.Translate(err), gorm.ErrDuplicatedKey) {
		return true
	}
	// Any SQLite driver (mattn's exposes codes as fields only).
	return s.d == dialectSQLite && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// errInvalidMode reports a Condition with an unknown Mode.
func errInvalidMode(m sessions.Mode) error {
	return fmt.Errorf("gormstore: invalid save mode %v", m)
}

// errKeyLength reports a key the session_key column cannot hold.
func errKeyLength(key string) error {
	return fmt.Errorf("gormstore: session key of %d bytes: the column holds 1 to %d", len(key), maxKeyLen)
}
