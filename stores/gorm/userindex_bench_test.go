package gormstore_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	"gorm.io/gorm"
)

// BenchmarkUserSessions lists and revokes the sessions of one user with 1,
// 10 and 1,000 of them, alone and among 100,000 sessions of other users,
// through a Manager on PostgreSQL and SQLite: the cost must follow the
// user's sessions, not the table's.
//
//	go test -run '^$' -bench UserSessions -benchtime 20x ./stores/gorm
func BenchmarkUserSessions(b *testing.B) {
	for _, be := range backends() {
		if be.name != "postgres" && be.name != "sqlite-file" {
			continue
		}
		for _, others := range []int{0, 100_000} {
			db := be.open(b, nil)
			s := newStore(b, db, gormstore.Options{})
			m, err := sessions.New(sessions.Config{Store: s, Secret: "bench-users-secret-0123456789"})
			if err != nil {
				b.Fatal(err)
			}
			seedOtherRows(b, db, s, m, others)
			for _, n := range []int{1, 10, 1000} {
				user := fmt.Sprintf("bench-%d", n)
				loginN(b, m, user, n)
				b.Run(fmt.Sprintf("%s/list/sessions=%d/others=%d", be.name, n, others), func(b *testing.B) {
					for b.Loop() {
						if got, err := m.UserSessions(b.Context(), user); err != nil || len(got) != n {
							b.Fatalf("UserSessions = %d, %v", len(got), err)
						}
					}
				})
				b.Run(fmt.Sprintf("%s/revoke/sessions=%d/others=%d", be.name, n, others), func(b *testing.B) {
					for range b.N {
						b.StopTimer()
						loginN(b, m, user+"-r", n)
						b.StartTimer()
						if got, err := m.RevokeUser(b.Context(), user+"-r"); err != nil || got != n {
							b.Fatalf("RevokeUser = %d, %v", got, err)
						}
					}
				})
			}
		}
	}
}

func loginN(b *testing.B, m *sessions.Manager, user string, n int) {
	b.Helper()
	for i := range n {
		s := m.Open(b.Context(), "")
		if err := s.SetUser(user, sessions.Device{UserAgent: fmt.Sprint("bench ", i)}); err != nil {
			b.Fatal(err)
		}
		if err := s.Save(); err != nil {
			b.Fatal(err)
		}
	}
}

// seedOtherRows inserts n sessions of n other users, with their index
// rows, 1,000 rows per statement.
func seedOtherRows(b *testing.B, db *gorm.DB, s *gormstore.Store, m *sessions.Manager, n int) {
	b.Helper()
	if n == 0 {
		return
	}
	one := m.Open(b.Context(), "")
	if err := one.SetUser("someone", sessions.Device{UserAgent: "other"}); err != nil {
		b.Fatal(err)
	}
	if err := one.Save(); err != nil {
		b.Fatal(err)
	}
	rec, err := s.Load(b.Context(), one.Key())
	if err != nil {
		b.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).UTC()
	var expArg any = exp
	if db.Dialector.Name() != "postgres" {
		expArg = exp.Format("2006-01-02 15:04:05.000000")
	}
	for start := 0; start < n; start += 1000 {
		var rows, idx []string
		var args, iargs []any
		for i := start; i < min(start+1000, n); i++ {
			k, _ := sessions.NewKey()
			rows = append(rows, "(?, ?, ?)")
			args = append(args, k, string(rec.Data), expArg)
			idx = append(idx, "(?, ?, ?)")
			iargs = append(iargs, fmt.Sprintf("other-%d", i), k, expArg)
		}
		if err := db.Exec("INSERT INTO "+s.Table()+" (session_key, session_data, expire_date) VALUES "+strings.Join(rows, ", "), args...).Error; err != nil {
			b.Fatal(err)
		}
		if err := db.Exec("INSERT INTO "+s.Table()+"_user (user_id, session_key, expire_date) VALUES "+strings.Join(idx, ", "), iargs...).Error; err != nil {
			b.Fatal(err)
		}
	}
}
