package benchmarks

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// SQLiteDSN returns the DSN of a database file in dir: WAL with
// synchronous=NORMAL, the usual setting for a web application's SQLite.
func SQLiteDSN(dir, name string) string {
	return "file:" + filepath.Join(dir, name+".db") +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)"
}

// OpenSQLite opens a GORM database on SQLiteDSN(dir, name), as GORM's
// documentation shows it (no prepared statement cache).
func OpenSQLite(dir, name string) (*gorm.DB, error) {
	return OpenSQLiteConfig(dir, name, &gorm.Config{})
}

// OpenSQLiteConfig is OpenSQLite with a GORM configuration (its logger is
// replaced by a silent one).
func OpenSQLiteConfig(dir, name string, cfg *gorm.Config) (*gorm.DB, error) {
	if dir == "" {
		return nil, errors.New("benchmarks: Options.Dir is required for SQLite")
	}
	cfg.Logger = logger.Discard
	db, err := gorm.Open(sqlite.Open(SQLiteDSN(dir, name)), cfg)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return db, nil
}

// sqlite opens the instance's database; Close closes it.
func (in *Instance) sqlite() (*gorm.DB, error) {
	db, err := OpenSQLite(in.opts.Dir, sanitize(in.Target.Name()))
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	in.onClose(sqlDB.Close)
	in.sqlDB = sqlDB
	return db, nil
}

// sanitize makes a target name usable as a file name.
func sanitize(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c == '/' || c == ' ' {
			b[i] = '_'
		}
	}
	return string(b)
}
