package benchmarks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/signing"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

// countingStore counts the calls that reach a server-side store.
type countingStore struct {
	sessions.Store
	loads, saves atomic.Int64
}

func (s *countingStore) Load(ctx context.Context, key string) (sessions.Record, error) {
	s.loads.Add(1)
	return s.Store.Load(ctx, key)
}

func (s *countingStore) Save(ctx context.Context, key string, rec sessions.Record, c sessions.Condition) error {
	s.saves.Add(1)
	return s.Store.Save(ctx, key, rec, c)
}

// countingClient counts the decodes and encodes of a client-side store.
type countingClient struct {
	sessions.ClientStore
	loads, saves atomic.Int64
}

func (s *countingClient) Decode(sg *signing.Signer, v string, maxAge time.Duration, now time.Time) ([]byte, error) {
	s.loads.Add(1)
	return s.ClientStore.Decode(sg, v, maxAge, now)
}

func (s *countingClient) Encode(sg *signing.Signer, data []byte, now time.Time) (string, error) {
	s.saves.Add(1)
	return s.ClientStore.Encode(sg, data, now)
}

// TestScenarioStoreCalls checks on every adapter what the A target of the
// issue asks and what B and C may cost: A reaches neither the store nor the
// decoder and sets no cookie; B loads once and saves nothing; C loads once
// and saves once.
func TestScenarioStoreCalls(t *testing.T) {
	cs, err := cookiestore.New(cookiestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, fw := range sessionkitFrameworks() {
		for _, kind := range []string{"server", "client"} {
			t.Run(fw+"/"+kind, func(t *testing.T) {
				cfg := sessions.Config{Cookie: sessions.CookieConfig{Name: CookieName}}
				var loads, saves *atomic.Int64
				if kind == "server" {
					ms := memstore.New(memstore.Options{})
					defer ms.Close()
					st := &countingStore{Store: ms}
					cfg.Store, cfg.Secret, loads, saves = st, Secret, &st.loads, &st.saves
				} else {
					st := &countingClient{ClientStore: cs}
					cfg.ClientStore, cfg.Secret, loads, saves = st, Secret, &st.loads, &st.saves
				}
				m, err := sessions.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				h := sessionkitHandler(fw, m)
				w := NewDiscardWriter()
				h.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), http.MethodGet, RouteSeed, nil))
				cookie := w.SessionCookie()
				if cookie == "" {
					t.Fatal("seed set no cookie")
				}
				for _, tc := range []struct {
					route              string
					loads, saves, sets int
				}{
					{RouteA, 0, 0, 0},
					{RouteB, 1, 0, 0},
					{RouteC, 1, 1, 1},
				} {
					loads.Store(0)
					saves.Store(0)
					w.Reset()
					r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, tc.route, nil)
					r.Header.Set("Cookie", cookie)
					h.ServeHTTP(w, r)
					got := []int{int(loads.Load()), int(saves.Load()), len(w.Header()["Set-Cookie"])}
					if w.Status != http.StatusOK || got[0] != tc.loads || got[1] != tc.saves || got[2] != tc.sets {
						t.Errorf("%s: status %d, loads/saves/Set-Cookie = %v, want %v", tc.route, w.Status,
							got, []int{tc.loads, tc.saves, tc.sets})
					}
				}
			})
		}
	}
}
