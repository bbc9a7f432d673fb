package gormstore

import (
	"fmt"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Defaults for zero Options fields.
const (
	DefaultTable     = "sessions"
	DefaultBatchSize = 1000
	DefaultOpTimeout = 5 * time.Second
)

// Options configures a Store. The zero value is usable.
type Options struct {
	// Table is the table name, optionally qualified by a schema
	// ("app.sessions"). Letters, digits and underscores only. Set it to
	// "django_session" to share Django's table. Default: "sessions".
	Table string

	// Django is the Django project's settings: pass the value given to
	// sessions.Config.Django (New of a Manager refuses a store whose time
	// zone settings differ). It says how expire_date is written and
	// compared in columns without a time zone (SQLite text, MySQL
	// datetime): in UTC, as Django stores with USE_TZ = True; with
	// NaiveTime (USE_TZ = False), as naive wall-clock time in its
	// TimeZone, as Django stores then. PostgreSQL's column (timestamp with
	// time zone, under both settings) holds instants whatever it says.
	// Default: zero, UTC.
	Django sessions.Django

	// CleanupInterval starts a background goroutine that calls
	// DeleteExpired at this interval until Close. Expired rows are never
	// returned whether or not it runs. Default: 0, no background cleanup.
	CleanupInterval time.Duration

	// BatchSize is how many expired rows one DELETE statement removes;
	// DeleteExpired loops until a batch comes back short, so no single
	// statement holds locks for long. Default: 1000.
	BatchSize int

	// OnCleanup, if set, is called after each background cleanup with the
	// number of rows deleted and the error, if any (the background
	// goroutine has nobody else to tell). Default: nil.
	OnCleanup func(deleted int64, err error)

	// Clock returns the current time, against which expiry is checked.
	// Default: time.Now.
	Clock func() time.Time

	// OpTimeout bounds every store call (Load, Save, Delete, Exists,
	// Touch), Migrate as a whole and each DeleteExpired batch, when the
	// context has no earlier deadline, so that a request without a
	// deadline cannot hang on a frozen database. Cancelling the context
	// ends a call at once, as database/sql drivers honour it. Negative: no
	// bound of the store's own. Default: DefaultOpTimeout (5s).
	OpTimeout time.Duration

	// MaxRecordSize bounds session_data, in bytes; set it to the Manager's
	// Config.MaxRecordSize. Load checks it in the same SELECT: a larger
	// record never leaves the database, and Load returns an error matching
	// both sessions.ErrRecordTooLarge and sessions.ErrNotFound, which core
	// answers with a fresh session. A Save of a larger record fails with
	// sessions.ErrRecordTooLarge. Negative: no limit. Default:
	// sessions.DefaultMaxRecordSize (1 MiB).
	MaxRecordSize int
}

// withDefaults validates o and fills in its zero fields.
func (o Options) withDefaults() (Options, error) {
	if o.Table == "" {
		o.Table = DefaultTable
	}
	if err := validTable(o.Table); err != nil {
		return o, err
	}
	if o.CleanupInterval < 0 {
		return o, fmt.Errorf("%w: gormstore: negative CleanupInterval %v", sessions.ErrInvalidConfig, o.CleanupInterval)
	}
	switch {
	case o.BatchSize < 0:
		return o, fmt.Errorf("%w: gormstore: negative BatchSize %d", sessions.ErrInvalidConfig, o.BatchSize)
	case o.BatchSize == 0:
		o.BatchSize = DefaultBatchSize
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	switch {
	case o.OpTimeout == 0:
		o.OpTimeout = DefaultOpTimeout
	case o.OpTimeout < 0:
		o.OpTimeout = 0
	}
	switch {
	case o.MaxRecordSize == 0:
		o.MaxRecordSize = sessions.DefaultMaxRecordSize
	case o.MaxRecordSize < 0:
		o.MaxRecordSize = 0
	}
	return o, nil
}

// validTable accepts "name" or "schema.name" made of ASCII letters, digits
// and underscores: the name is spliced into SQL, so nothing that needs
// escaping gets in.
func validTable(name string) error {
	parts := 0
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '.' {
			c := name[i]
			if c != '_' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
				return fmt.Errorf("%w: gormstore: table name %q: only letters, digits, '_' and one '.'", sessions.ErrInvalidConfig, name)
			}
			continue
		}
		if i == start || i-start > 63 {
			return fmt.Errorf("%w: gormstore: table name %q: each part needs 1 to 63 characters", sessions.ErrInvalidConfig, name)
		}
		parts++
		start = i + 1
	}
	if parts > 2 {
		return fmt.Errorf("%w: gormstore: table name %q: at most one '.'", sessions.ErrInvalidConfig, name)
	}
	return nil
}
