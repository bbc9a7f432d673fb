package gormstore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

const sizeLimit = 1024

// plant writes data into key's row behind the store's back, as a writer
// without the limit (or Django) would. The row must exist.
func plant(t *testing.T, db *gorm.DB, table, key, data string) {
	t.Helper()
	mustExec(t, db, "UPDATE "+quoteIdent(db, table)+" SET session_data = ? WHERE session_key = ?", data, key)
}

// allocated returns the bytes allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestMaxRecordSize: a record over the limit, in bytes and not characters,
// is refused by the Load's own SELECT without reaching the process, and
// never written by Save; one at the limit goes both ways.
func TestMaxRecordSize(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			var pool *countingPool
			wrap := func(p gorm.ConnPool) gorm.ConnPool { pool = newCountingPool(p); return pool }
			if be.name == "sqlite-prepared" {
				wrap = nil // GORM's prepared-statement mode needs the *sql.DB itself
			}
			db := be.open(t, wrap)
			table := freshTable()
			s := newStore(t, db, gormstore.Options{Table: table, MaxRecordSize: sizeLimit})
			ctx := t.Context()
			cases := []struct {
				name     string
				data     string
				tooLarge bool
			}{
				{"one byte", "x", false},
				{"at the limit", strings.Repeat("x", sizeLimit), false},
				{"at the limit in 3-byte characters", strings.Repeat("€", sizeLimit/3) + "x", false},
				{"one byte over", strings.Repeat("x", sizeLimit+1), true},
				// 342 characters, 1026 bytes: a character count would let it in.
				{"over in bytes, not in characters", strings.Repeat("€", sizeLimit/3+1), true},
				{"a thousand times over", strings.Repeat("x", 1000*sizeLimit), true},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					k := newKey(t)
					rec := sessions.Record{Data: []byte(tc.data), Expiry: time.Now().Add(time.Hour)}
					err := s.Save(ctx, k, rec, sessions.Condition{Mode: sessions.CreateOnly})
					if tc.tooLarge {
						if !errors.Is(err, sessions.ErrRecordTooLarge) {
							t.Fatalf("Save of %d bytes = %v, want ErrRecordTooLarge", len(tc.data), err)
						}
						if ok, err := s.Exists(ctx, k); err != nil || ok {
							t.Fatalf("a refused Save wrote the row: Exists = %v, %v", ok, err)
						}
						if err := s.Save(ctx, k, sessions.Record{Data: []byte("small"), Expiry: rec.Expiry}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
							t.Fatal(err)
						}
						plant(t, db, table, k, tc.data)
					} else if err != nil {
						t.Fatalf("Save of %d bytes: %v", len(tc.data), err)
					}

					if pool != nil {
						pool.reset()
					}
					var r sessions.Record
					n := allocated(func() { r, err = s.Load(ctx, k) })
					if pool != nil && pool.count("SELECT") != 1 {
						t.Errorf("Load ran %d statements, want 1", pool.count("SELECT"))
					}
					if !tc.tooLarge {
						if err != nil || string(r.Data) != tc.data {
							t.Fatalf("Load of %d bytes = %d bytes, %v", len(tc.data), len(r.Data), err)
						}
						return
					}
					if !errors.Is(err, sessions.ErrRecordTooLarge) || !errors.Is(err, sessions.ErrNotFound) {
						t.Fatalf("Load of %d bytes = %v; want ErrRecordTooLarge and ErrNotFound", len(tc.data), err)
					}
					if r.Data != nil {
						t.Fatalf("Load of an oversized record returned %d bytes", len(r.Data))
					}
					// Had the record been read into the process, the
					// driver would have allocated at least its size.
					if len(tc.data) >= 1000*sizeLimit && n > uint64(len(tc.data))/8 {
						t.Errorf("Load of a %d-byte record allocated %d bytes", len(tc.data), n)
					}
					t.Logf("%d-byte record refused; Load allocated %d bytes", len(tc.data), n)
				})
			}
			t.Run("expired and oversized", func(t *testing.T) {
				k := newKey(t)
				if err := s.Save(ctx, k, live("small"), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
					t.Fatal(err)
				}
				plant(t, db, table, k, strings.Repeat("x", 2*sizeLimit))
				if err := s.Touch(ctx, k, time.Now().Add(-time.Hour)); err != nil {
					t.Fatal(err)
				}
				_, err := s.Load(ctx, k)
				if !errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrRecordTooLarge) {
					t.Fatalf("Load of an expired record = %v, want plain ErrNotFound", err)
				}
			})
			t.Run("updates over the limit", func(t *testing.T) {
				k := newKey(t)
				if err := s.Save(ctx, k, live("small"), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
					t.Fatal(err)
				}
				big := sessions.Record{Data: []byte(strings.Repeat("y", sizeLimit+1)), Expiry: time.Now().Add(time.Hour)}
				for _, cond := range []sessions.Condition{{Mode: sessions.UpdateOnly}, {Mode: sessions.UpdateIfUnchanged, Loaded: []byte("small")}} {
					if err := s.Save(ctx, k, big, cond); !errors.Is(err, sessions.ErrRecordTooLarge) {
						t.Fatalf("%v Save over the limit = %v, want ErrRecordTooLarge", cond.Mode, err)
					}
				}
				if r, err := s.Load(ctx, k); err != nil || string(r.Data) != "small" {
					t.Fatalf("after refused saves: %q, %v", r.Data, err)
				}
			})
		})
	}
}

func live(data string) sessions.Record {
	return sessions.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour)}
}

func TestMaxRecordSizeOption(t *testing.T) {
	db := openSQLiteMemory(t, nil)
	cases := []struct{ set, want int }{
		{0, sessions.DefaultMaxRecordSize},
		{-1, 0},
		{4096, 4096},
	}
	for _, tc := range cases {
		s, err := gormstore.New(db, gormstore.Options{MaxRecordSize: tc.set})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.MaxRecordSize(); got != tc.want {
			t.Errorf("MaxRecordSize %d: in force %d, want %d", tc.set, got, tc.want)
		}
	}
}

// TestNoSizeLimit: with a negative MaxRecordSize, records of any size go
// both ways.
func TestNoSizeLimit(t *testing.T) {
	for _, be := range mainBackends() {
		t.Run(be.name, func(t *testing.T) {
			s := newStore(t, be.open(t, nil), gormstore.Options{MaxRecordSize: -1})
			k := newKey(t)
			data := strings.Repeat("z", 2*sessions.DefaultMaxRecordSize)
			if err := s.Save(t.Context(), k, live(data), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				t.Fatal(err)
			}
			if r, err := s.Load(t.Context(), k); err != nil || string(r.Data) != data {
				t.Fatalf("Load = %d bytes, %v; want %d", len(r.Data), err, len(data))
			}
		})
	}
}

// TestOversizedRequest: through core, a session whose record is over the
// limit is a fresh session under a new key, not an error.
func TestOversizedRequest(t *testing.T) {
	for _, be := range mainBackends() {
		t.Run(be.name, func(t *testing.T) {
			db := be.open(t, nil)
			table := freshTable()
			s := newStore(t, db, gormstore.Options{Table: table, MaxRecordSize: sizeLimit})
			m, err := sessions.New(sessions.Config{Store: s, Secret: "size-limit-test-secret", MaxRecordSize: s.MaxRecordSize()})
			if err != nil {
				t.Fatal(err)
			}
			k := newKey(t)
			if err := s.Save(t.Context(), k, live("small"), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
				t.Fatal(err)
			}
			plant(t, db, table, k, strings.Repeat("x", 1<<20))
			h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sess := sessions.FromContext(r.Context())
				if v := sess.GetString("user"); v != "" {
					t.Errorf("oversized session read as %q", v)
				}
				sess.Set("user", "fresh")
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: k})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var nk string
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == sessions.DefaultCookieName {
					nk = ck.Value
				}
			}
			if nk == "" || nk == k {
				t.Fatalf("cookie %q: want a fresh key, not the oversized session's", nk)
			}
			if r, err := s.Load(context.Background(), nk); err != nil || len(r.Data) == 0 {
				t.Fatalf("the fresh session was not saved: %v", err)
			}
		})
	}
}
