// Package gormstore is a sessions.Store over GORM that keeps sessions in a
// table with the schema of Django's db session backend (django_session), so
// a Go service and a Django project can share one table.
//
// The package is called gormstore, not gorm like its folder, on purpose: a
// package named gorm would clash with gorm.io/gorm, which every caller
// imports beside it.
//
// # Usage
//
//	db, _ := gorm.Open(postgres.Open(dsn), &gorm.Config{})
//	store, err := gormstore.New(db, gormstore.Options{CleanupInterval: time.Hour})
//	if err != nil { ... }
//	defer store.Close()
//	if err := store.Migrate(ctx); err != nil { ... } // opt-in: CREATE TABLE IF NOT EXISTS
//	m, err := sessions.New(sessions.Config{Store: store, Secret: secret})
//
// SQLite (any GORM SQLite driver), PostgreSQL and MySQL/MariaDB are
// supported; the driver is the caller's choice.
//
// # Table
//
// The table has Django's three columns: session_key varchar(40) primary
// key, session_data text NOT NULL and expire_date (datetime on SQLite,
// timestamp with time zone on PostgreSQL, datetime(6) on MySQL) NOT NULL
// with an index. [Options.Table] defaults to "sessions"; set it to
// "django_session" to share Django's table. [Store.Migrate] creates exactly
// the DDL that Django's sessions migration 0001 creates.
//
// # Time
//
// expire_date holds UTC by default, as Django does with USE_TZ=True. For a
// Django project with USE_TZ=False, set [Options.Django] to the
// sessions.Django value of the Manager (NaiveTime and its TIME_ZONE):
// wall-clock times in that zone are then written and compared on SQLite
// and MySQL, and read back as Django means them across DST changes (a
// repeated wall-clock time is its first instant). On SQLite the value is text in Django's own format
// ("2006-01-02 15:04:05.000000", no fraction when it is zero), so Django's
// text comparison and this package's agree. PostgreSQL's timestamp with
// time zone holds instants, whatever the option says.
//
// # Statements
//
// Every operation is one statement in the common case: Load and Exists one
// SELECT, each Save one INSERT or UPDATE. A second statement runs only when
// the first one cannot decide: a create over an expired row, a conditional
// update that matched nothing (missing, changed, or MySQL's zero count for
// an update that changes nothing). Statements are precomputed and run on the
// GORM connection pool directly, without GORM's callbacks, so they cost what
// the raw SQL costs. Expired rows are never returned, whatever the cleanup
// schedule; [Store.DeleteExpired] removes them in short batches.
//
// Every call ends by its context's deadline, on its cancellation, and
// within Options.OpTimeout (default 5s) when the context has no earlier
// deadline.
package gormstore
