package gormstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"gorm.io/gorm"
)

// maxKeyLen is the width of Django's session_key column, varchar(40).
const maxKeyLen = 40

// Store is a sessions.Store over a GORM database. It is safe for
// concurrent use. It owns no connection: the *gorm.DB stays the caller's to
// close; Close only stops the background cleaner.
type Store struct {
	db    *gorm.DB
	pool  gorm.ConnPool
	d     dialect
	table string
	q     queries
	tc    timeCodec
	now   func() time.Time
	batch int
	// timeout bounds each call; 0: none.
	timeout time.Duration
	// maxSize bounds session_data in bytes; 0: none.
	maxSize int

	onCleanup func(int64, error)
	stop      context.CancelFunc // nil without a cleaner
	done      chan struct{}
	closeOnce sync.Once
}

// New returns a Store over db, which must be a GORM database opened with
// a SQLite, PostgreSQL or MySQL dialector (and not a transaction: the
// store runs its own statements on db's pool). It does not create the
// table: call Migrate, or share an existing one. Call Close to stop the
// cleaner when CleanupInterval is set.
func New(db *gorm.DB, opts Options) (*Store, error) {
	if db == nil || db.Dialector == nil || db.Statement == nil || db.Statement.ConnPool == nil {
		return nil, fmt.Errorf("%w: gormstore: nil or unopened *gorm.DB", sessions.ErrInvalidConfig)
	}
	if _, ok := db.Statement.ConnPool.(gorm.TxCommitter); ok {
		// A failed INSERT would abort the caller's transaction on
		// PostgreSQL, and the cleaner would outlive it.
		return nil, fmt.Errorf("%w: gormstore: db is a transaction; pass the root *gorm.DB", sessions.ErrInvalidConfig)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	d, err := dialectOf(db.Dialector.Name())
	if err != nil {
		return nil, err
	}
	s := &Store{
		db:        db,
		pool:      db.Statement.ConnPool,
		d:         d,
		table:     o.Table,
		q:         buildQueries(d, o.Table, o.BatchSize, o.MaxRecordSize),
		tc:        newTimeCodec(d, o.Django),
		now:       o.Clock,
		batch:     o.BatchSize,
		timeout:   o.OpTimeout,
		maxSize:   o.MaxRecordSize,
		onCleanup: o.OnCleanup,
	}
	if o.CleanupInterval > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		s.stop = cancel
		s.done = make(chan struct{})
		go s.cleaner(ctx, o.CleanupInterval)
	}
	return s, nil
}

// Table returns the table name the store uses.
func (s *Store) Table() string { return s.table }

// OpTimeout returns the bound on each call in force; 0 means none.
func (s *Store) OpTimeout() time.Duration { return s.timeout }

// bound returns ctx limited by OpTimeout unless ctx already ends sooner,
// in which case it returns ctx itself and a no-op cancel.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout <= 0 {
		return ctx, func() {}
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= s.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

// Close stops the background cleaner, if any, and waits for it to return.
// It is idempotent and always returns nil. The store itself keeps working:
// it has nothing else to release.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.stop()
			<-s.done
		}
	})
	return nil
}

// Load implements sessions.Store with one SELECT. Rows whose expire_date is
// not after now are not found, as in Django's load. A record over
// MaxRecordSize is refused by the same SELECT without being sent, with an
// error matching both sessions.ErrRecordTooLarge and sessions.ErrNotFound.
func (s *Store) Load(ctx context.Context, key string) (sessions.Record, error) {
	if len(key) == 0 || len(key) > maxKeyLen {
		if err := ctx.Err(); err != nil {
			return sessions.Record{}, err
		}
		return sessions.Record{}, sessions.ErrNotFound
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	rec, err := s.load(ctx, key, s.now())
	if err != nil && !errors.Is(err, sessions.ErrNotFound) {
		return sessions.Record{}, fmt.Errorf("gormstore: load: %w", err)
	}
	return rec, err
}

func (s *Store) load(ctx context.Context, key string, now time.Time) (sessions.Record, error) {
	var (
		data []byte
		exp  any
	)
	tooLarge, err := s.readRow(ctx, key, &data, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return sessions.Record{}, sessions.ErrNotFound
	}
	if err != nil {
		return sessions.Record{}, err
	}
	t, err := s.tc.scan(exp)
	if err != nil {
		return sessions.Record{}, err
	}
	// Dead from the instant expire_date is reached, as Django's
	// expire_date > now.
	if !t.After(now) {
		return sessions.Record{}, sessions.ErrNotFound
	}
	if tooLarge {
		return sessions.Record{}, errLoadTooLarge(s.maxSize)
	}
	if data == nil {
		data = []byte{}
	}
	return sessions.Record{Data: data, Expiry: t}, nil
}

// Exists implements sessions.Store: whether a live row exists. (Django's
// exists ignores expiry; the sessions contract does not.)
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if len(key) == 0 || len(key) > maxKeyLen {
		return false, ctx.Err()
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ok, err := s.exists(ctx, key, s.now())
	if err != nil {
		return false, fmt.Errorf("gormstore: exists: %w", err)
	}
	return ok, nil
}

func (s *Store) exists(ctx context.Context, key string, now time.Time) (bool, error) {
	var one int
	err := s.pool.QueryRowContext(ctx, s.q.exists, key, s.tc.value(now)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Delete implements sessions.Store. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if _, err := s.pool.ExecContext(ctx, s.q.delete, key); err != nil {
		return fmt.Errorf("gormstore: delete: %w", err)
	}
	return nil
}

// Save implements sessions.Store. Each mode is one statement in the common
// case:
//
//   - CreateOnly inserts and relies on the primary key. A duplicate whose
//     row has expired is taken over by an UPDATE guarded by
//     expire_date <= now; a live one gives sessions.ErrKeyExists.
//   - UpdateOnly updates the live row; none gives sessions.ErrNotFound.
//   - UpdateIfUnchanged updates the live row whose session_data still
//     equals cond.Loaded; when nothing matched, one SELECT tells
//     sessions.ErrNotFound from sessions.ErrConflict.
//
// MySQL counts only changed rows, so an update to identical values
// reports zero rows; the follow-up SELECT that runs only then tells that
// case from a missing row. (The DSN flag clientFoundRows=true makes MySQL
// count matched rows instead; the store is correct either way.)
func (s *Store) Save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	if len(key) == 0 || len(key) > maxKeyLen {
		return errKeyLength(key)
	}
	if s.maxSize > 0 && len(rec.Data) > s.maxSize {
		return errSaveTooLarge(len(rec.Data), s.maxSize)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var err error
	switch cond.Mode {
	case sessions.CreateOnly:
		err = s.create(ctx, key, rec)
	case sessions.UpdateOnly:
		err = s.update(ctx, key, rec)
	case sessions.UpdateIfUnchanged:
		err = s.updateIfSame(ctx, key, rec, cond.Loaded)
	default:
		return errInvalidMode(cond.Mode)
	}
	if err != nil && !isContractErr(err) {
		return fmt.Errorf("gormstore: save (%v): %w", cond.Mode, err)
	}
	return err
}

// isContractErr reports the sentinels callers test with errors.Is; they
// go back bare, as the contract names them.
func isContractErr(err error) bool {
	return errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrKeyExists) || errors.Is(err, sessions.ErrConflict)
}

func (s *Store) create(ctx context.Context, key string, rec sessions.Record) error {
	data, exp := string(rec.Data), s.tc.value(rec.Expiry)
	_, err := s.pool.ExecContext(ctx, s.q.insert, key, data, exp)
	if err == nil || !s.isDuplicateKey(err) {
		return err
	}
	// The key is taken. An expired row must not block it forever: take it
	// over, atomically, only if it is still expired.
	n, err := s.exec(ctx, s.q.takeOver, data, exp, key, s.tc.value(s.now()))
	switch {
	case err != nil:
		return err
	case n == 0:
		return sessions.ErrKeyExists
	}
	return nil
}

func (s *Store) update(ctx context.Context, key string, rec sessions.Record) error {
	now := s.now()
	n, err := s.exec(ctx, s.q.update, string(rec.Data), s.tc.value(rec.Expiry), key, s.tc.value(now))
	if err != nil || n > 0 {
		return err
	}
	return s.confirmUnchanged(ctx, key, now)
}

func (s *Store) updateIfSame(ctx context.Context, key string, rec sessions.Record, loaded []byte) error {
	now := s.now()
	n, err := s.execUpdateIfSame(ctx, key, rec, loaded, now)
	if err != nil || n > 0 {
		return err
	}
	cur, err := s.load(ctx, key, now)
	if err != nil {
		return err // ErrNotFound included
	}
	// MySQL's zero count for a write of identical values: the row already
	// holds what was asked, and held what the caller loaded.
	if s.d == dialectMySQL && bytes.Equal(cur.Data, loaded) && bytes.Equal(cur.Data, rec.Data) &&
		cur.Expiry.Equal(rec.Expiry.Truncate(time.Microsecond)) {
		return nil
	}
	return sessions.ErrConflict
}

// execUpdateIfSame runs updateIfSame, on SQLite with now as a literal in
// the statement (see queries.updateIfSameAt).
func (s *Store) execUpdateIfSame(ctx context.Context, key string, rec sessions.Record, loaded []byte, now time.Time) (int64, error) {
	nowArg := s.tc.value(now)
	if text, ok := nowArg.(string); ok {
		if q, ok := s.q.updateIfSameAt(text); ok {
			return s.exec(ctx, q, string(rec.Data), s.tc.value(rec.Expiry), key, string(loaded))
		}
	}
	return s.exec(ctx, s.q.updateIfSame, string(rec.Data), s.tc.value(rec.Expiry), key, string(loaded), nowArg)
}

// Touch implements sessions.Toucher: it moves the expiry of a live row
// without rewriting its data.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	if len(key) == 0 || len(key) > maxKeyLen {
		if err := ctx.Err(); err != nil {
			return err
		}
		return sessions.ErrNotFound
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	now := s.now()
	n, err := s.exec(ctx, s.q.touch, s.tc.value(expiry), key, s.tc.value(now))
	if err == nil && n == 0 {
		err = s.confirmUnchanged(ctx, key, now)
	}
	if err != nil && !errors.Is(err, sessions.ErrNotFound) {
		return fmt.Errorf("gormstore: touch: %w", err)
	}
	return err
}

// confirmUnchanged follows an unconditional update that matched no row:
// on PostgreSQL and SQLite that means no live row; MySQL also reports zero
// for a row that already held the new values, which a SELECT tells apart.
func (s *Store) confirmUnchanged(ctx context.Context, key string, now time.Time) error {
	if s.d != dialectMySQL {
		return sessions.ErrNotFound
	}
	ok, err := s.exists(ctx, key, now)
	switch {
	case err != nil:
		return err
	case !ok:
		return sessions.ErrNotFound
	}
	return nil
}

// exec runs a statement and returns the number of rows it affected.
func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.pool.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
