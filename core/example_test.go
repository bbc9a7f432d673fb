package sessions_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

func Example() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: "change me"})
	if err != nil {
		panic(err)
	}
	app := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		s.Set("visits", s.GetInt("visits")+1)
		fmt.Fprintf(w, "visit %d", s.GetInt("visits"))
	}))

	var cookie string
	for range 3 {
		req := httptest.NewRequest("GET", "/", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		cookie = strings.SplitN(rec.Header().Get("Set-Cookie"), ";", 2)[0]
		fmt.Println(rec.Body.String())
	}
	// Output:
	// visit 1
	// visit 2
	// visit 3
}

// Login cycles the key against session fixation; logout flushes.
func ExampleSession_CycleKey() {
	store := memstore.New(memstore.Options{})
	m, _ := sessions.New(sessions.Config{Store: store, Secret: "change me"})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		if err := s.CycleKey(); err != nil {
			http.Error(w, "session unavailable", http.StatusInternalServerError)
			return
		}
		s.Set("user", r.FormValue("user"))
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := sessions.FromContext(r.Context()).Flush(); err != nil {
			http.Error(w, "session unavailable", http.StatusInternalServerError)
		}
	})
	app := m.Middleware(mux)

	post := func(path, cookie, body string) *http.Response {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		return rec.Result()
	}
	login := post("/login", "", "user=alice").Cookies()[0]
	fmt.Println("logged in:", len(login.Value) == 32)
	logout := post("/logout", "sessionid="+login.Value, "").Cookies()[0]
	fmt.Println("cookie deleted:", logout.Value == "" && logout.MaxAge < 0)
	ok, _ := store.Exists(context.Background(), login.Value)
	fmt.Println("record left:", ok)
	// Output:
	// logged in: true
	// cookie deleted: true
	// record left: false
}

// Open and Save use sessions outside an HTTP handler, for example in a
// background job that knows a session key.
func ExampleManager_Open() {
	store := memstore.New(memstore.Options{})
	m, _ := sessions.New(sessions.Config{Store: store, Secret: "change me"})
	ctx := context.Background()
	s := m.Open(ctx, "")
	s.Set("cart", []any{"apple", "pear"})
	if err := s.Save(); err != nil {
		panic(err)
	}
	again := m.Open(ctx, s.Key())
	fmt.Println(again.Get("cart"))
	// Output: [apple pear] true
}
