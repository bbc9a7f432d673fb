package memstore_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sessions.Store {
		s := memstore.New(memstore.Options{})
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestJanitor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := memstore.New(memstore.Options{CleanupInterval: time.Minute})
		defer s.Close()
		ctx := context.Background()
		_ = s.Save(ctx, "shortlived1", sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(30 * time.Second)}, sessions.Condition{Mode: sessions.CreateOnly})
		_ = s.Save(ctx, "longlived11", sessions.Record{Data: []byte("y"), Expiry: time.Now().Add(time.Hour)}, sessions.Condition{Mode: sessions.CreateOnly})
		if s.Len() != 2 {
			t.Fatalf("Len = %d, want 2", s.Len())
		}
		time.Sleep(61 * time.Second)
		synctest.Wait()
		if s.Len() != 1 {
			t.Fatalf("after one cleanup Len = %d, want 1", s.Len())
		}
		if _, err := s.Load(ctx, "longlived11"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCloseIdempotent(t *testing.T) {
	s := memstore.New(memstore.Options{CleanupInterval: time.Hour})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
