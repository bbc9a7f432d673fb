package gormstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/storetest"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

var (
	_ sessions.Store          = (*gormstore.Store)(nil)
	_ sessions.ExpiredDeleter = (*gormstore.Store)(nil)
	_ sessions.Toucher        = (*gormstore.Store)(nil)
)

func TestConformance(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t, b.open(t, nil), gormstore.Options{})
			storetest.Run(t, func(*testing.T) sessions.Store { return s })
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	db := openSQLiteMemory(t, nil)
	tests := []struct {
		name string
		opts gormstore.Options
	}{
		{"quote in table", gormstore.Options{Table: `x"; DROP TABLE y; --`}},
		{"three-part table", gormstore.Options{Table: "a.b.c"}},
		{"negative interval", gormstore.Options{CleanupInterval: -time.Second}},
		{"negative batch", gormstore.Options{BatchSize: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := gormstore.New(db, tt.opts); !errors.Is(err, sessions.ErrInvalidConfig) {
				t.Fatalf("New = %v, want ErrInvalidConfig", err)
			}
		})
	}
	if _, err := gormstore.New(nil, gormstore.Options{}); !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Fatalf("New(nil) = %v, want ErrInvalidConfig", err)
	}
	tx := db.Begin()
	if _, err := gormstore.New(tx, gormstore.Options{}); !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Fatalf("New(transaction) = %v, want ErrInvalidConfig", err)
	}
	tx.Rollback()
	s, err := gormstore.New(db, gormstore.Options{})
	if err != nil || s.Table() != gormstore.DefaultTable {
		t.Fatalf("New with zero Options = %v, %v; want table %q", s, err, gormstore.DefaultTable)
	}
}

// TestOneStatementPerOperation counts what reaches the database: the
// common path of each operation is a single statement, with no
// transaction around it.
func TestOneStatementPerOperation(t *testing.T) {
	for _, b := range mainBackends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			var pool *countingPool
			db := b.open(t, func(p gorm.ConnPool) gorm.ConnPool { pool = newCountingPool(p); return pool })
			s := newStore(t, db, gormstore.Options{})
			ctx, k := t.Context(), newKey(t)
			exp := time.Now().Add(time.Hour)
			steps := []struct {
				name string
				run  func() error
			}{
				{"create", func() error {
					return s.Save(ctx, k, sessions.Record{Data: []byte("a"), Expiry: exp}, sessions.Condition{Mode: sessions.CreateOnly})
				}},
				{"load", func() error { _, err := s.Load(ctx, k); return err }},
				{"update", func() error {
					return s.Save(ctx, k, sessions.Record{Data: []byte("b"), Expiry: exp}, sessions.Condition{Mode: sessions.UpdateOnly})
				}},
				{"update if unchanged", func() error {
					return s.Save(ctx, k, sessions.Record{Data: []byte("c"), Expiry: exp}, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("b")})
				}},
				{"touch", func() error { return s.Touch(ctx, k, exp.Add(time.Hour)) }},
				{"exists", func() error { _, err := s.Exists(ctx, k); return err }},
				{"delete", func() error { return s.Delete(ctx, k) }},
			}
			for _, st := range steps {
				pool.reset()
				if err := st.run(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				total := 0
				for _, verb := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT"} {
					total += pool.count(verb)
				}
				if total != 1 {
					t.Errorf("%s ran %d statements, want 1", st.name, total)
				}
			}
		})
	}
}

// TestExpiredNeverReturned moves a fake clock past a row's expiry with no
// cleanup in between: the row is still in the table, yet no operation sees
// it, and a create may take its key over.
func TestExpiredNeverReturned(t *testing.T) {
	for _, b := range mainBackends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
			clock := func() time.Time { return now }
			db := b.open(t, nil)
			s := newStore(t, db, gormstore.Options{Clock: clock})
			ctx, k := t.Context(), newKey(t)
			rec := sessions.Record{Data: []byte("v"), Expiry: now.Add(time.Minute)}
			if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Minute) // expire_date == now is dead, as in Django
			if _, err := s.Load(ctx, k); !errors.Is(err, sessions.ErrNotFound) {
				t.Errorf("Load = %v, want ErrNotFound", err)
			}
			if ok, err := s.Exists(ctx, k); ok || err != nil {
				t.Errorf("Exists = %v, %v", ok, err)
			}
			later := sessions.Record{Data: []byte("w"), Expiry: now.Add(time.Hour)}
			if err := s.Save(ctx, k, later, sessions.Condition{Mode: sessions.UpdateOnly}); !errors.Is(err, sessions.ErrNotFound) {
				t.Errorf("UpdateOnly = %v, want ErrNotFound", err)
			}
			if err := s.Save(ctx, k, later, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("v")}); !errors.Is(err, sessions.ErrNotFound) {
				t.Errorf("UpdateIfUnchanged = %v, want ErrNotFound", err)
			}
			if err := s.Touch(ctx, k, now.Add(time.Hour)); !errors.Is(err, sessions.ErrNotFound) {
				t.Errorf("Touch = %v, want ErrNotFound", err)
			}
			if n := countRows(t, db, s.Table()); n != 1 {
				t.Fatalf("%d rows in the table, want the expired one still there", n)
			}
			// Django's clear_expired deletes expire_date < now only.
			if n, err := s.DeleteExpired(ctx); n != 0 || err != nil {
				t.Errorf("DeleteExpired at the expiry instant = %d, %v; want 0", n, err)
			}
			if err := s.Save(ctx, k, later, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				t.Fatalf("create over the expired row: %v", err)
			}
			if got, err := s.Load(ctx, k); err != nil || string(got.Data) != "w" {
				t.Fatalf("Load after take-over = %q, %v", got.Data, err)
			}
			if err := s.Save(ctx, k, later, sessions.Condition{Mode: sessions.CreateOnly}); !errors.Is(err, sessions.ErrKeyExists) {
				t.Fatalf("create over the live row: %v, want ErrKeyExists", err)
			}
		})
	}
}

func TestKeyLength(t *testing.T) {
	s := newStore(t, openSQLiteMemory(t, nil), gormstore.Options{})
	ctx := t.Context()
	rec := sessions.Record{Data: []byte("v"), Expiry: time.Now().Add(time.Hour)}
	for _, k := range []string{"", strings.Repeat("k", 41)} {
		if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err == nil {
			t.Errorf("Save(%d-byte key) succeeded", len(k))
		}
		if _, err := s.Load(ctx, k); !errors.Is(err, sessions.ErrNotFound) {
			t.Errorf("Load(%d-byte key) = %v, want ErrNotFound", len(k), err)
		}
		if ok, err := s.Exists(ctx, k); ok || err != nil {
			t.Errorf("Exists(%d-byte key) = %v, %v", len(k), ok, err)
		}
	}
	k := strings.Repeat("k", 40) // Django's column width
	if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, k, rec, sessions.Condition{Mode: 0}); err == nil {
		t.Error("Save with an invalid mode succeeded")
	}
}

// TestIdenticalWrite repeats writes that change nothing. MySQL reports zero
// affected rows for them (unless clientFoundRows is set); they must still
// succeed, on every configuration.
func TestIdenticalWrite(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t, b.open(t, nil), gormstore.Options{})
			ctx, k := t.Context(), newKey(t)
			rec := sessions.Record{Data: []byte("same"), Expiry: time.Now().Add(time.Hour).Truncate(time.Second)}
			if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				t.Fatal(err)
			}
			if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.UpdateOnly}); err != nil {
				t.Errorf("UpdateOnly with identical values: %v", err)
			}
			if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: rec.Data}); err != nil {
				t.Errorf("UpdateIfUnchanged with identical values: %v", err)
			}
			if err := s.Touch(ctx, k, rec.Expiry); err != nil {
				t.Errorf("Touch to the same expiry: %v", err)
			}
			// Identical values over a stale Loaded is still a conflict.
			if err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("older")}); !errors.Is(err, sessions.ErrConflict) {
				t.Errorf("UpdateIfUnchanged against stale data: %v, want ErrConflict", err)
			}
		})
	}
}

// TestConflictIsByteExact: a stored value that differs from Loaded only in
// case or trailing spaces is a conflict, also in a MySQL table with a
// case-insensitive collation such as Django may have created.
func TestConflictIsByteExact(t *testing.T) {
	for _, b := range mainBackends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.open(t, nil)
			opts := gormstore.Options{}
			if b.kind == "mysql" {
				opts.Table = freshTable()
				mustExec(t, db, "CREATE TABLE `"+opts.Table+"` (`session_key` varchar(40) NOT NULL PRIMARY KEY, `session_data` longtext NOT NULL, `expire_date` datetime(6) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci")
			}
			s := newStore(t, db, opts)
			ctx, k := t.Context(), newKey(t)
			exp := time.Now().Add(time.Hour)
			if err := s.Save(ctx, k, sessions.Record{Data: []byte("AbC"), Expiry: exp}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				t.Fatal(err)
			}
			for _, loaded := range []string{"abc", "ABC", "AbC ", "Ab"} {
				err := s.Save(ctx, k, sessions.Record{Data: []byte("new"), Expiry: exp}, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte(loaded)})
				if !errors.Is(err, sessions.ErrConflict) {
					t.Errorf("Loaded %q against stored %q: %v, want ErrConflict", loaded, "AbC", err)
				}
			}
			if got, err := s.Load(ctx, k); err != nil || string(got.Data) != "AbC" {
				t.Fatalf("Load = %q, %v", got.Data, err)
			}
		})
	}
}
