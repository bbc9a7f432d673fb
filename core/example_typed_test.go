package sessions_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

type Cart struct {
	Items []string `json:"items"`
	Total float64  `json:"total"`
}

// A struct stored by one request comes back from the store as JSON types
// (map[string]any); Get converts it back to the struct on the next.
func ExampleGet() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: "change me"})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cart", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		s.Set("cart", Cart{Items: []string{"apple", "pear"}, Total: 3.5})
	})
	mux.HandleFunc("GET /cart", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		raw, _ := s.Get("cart")
		fmt.Printf("stored as %T\n", raw)

		cart, err := sessions.Get[Cart](s, "cart")
		switch {
		case errors.Is(err, sessions.ErrNotSet):
			fmt.Println("no cart yet")
		case errors.Is(err, sessions.ErrWrongType):
			fmt.Println("not a cart:", err)
		case err != nil: // the store is down
			http.Error(w, "session unavailable", http.StatusServiceUnavailable)
		default:
			fmt.Printf("%d items, total %.2f\n", len(cart.Items), cart.Total)
		}

		_, err = sessions.Get[int](s, "cart")
		fmt.Println(err)
	})
	app := m.Middleware(mux)

	serve := func(method, cookie string) string {
		req := httptest.NewRequest(method, "/cart", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		return strings.SplitN(rec.Header().Get("Set-Cookie"), ";", 2)[0]
	}
	cookie := serve("POST", "")
	serve("GET", cookie)
	// Output:
	// stored as map[string]interface {}
	// 2 items, total 3.50
	// sessions: "cart" holds map[string]interface {}, not int: not a number
}
