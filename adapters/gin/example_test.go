package ginsession_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

func Example() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: "change me: a long random secret"})
	if err != nil {
		fmt.Println(err)
		return
	}

	r := gin.New()
	r.Use(ginsession.Middleware(m))
	r.GET("/visit", func(c *gin.Context) {
		s := ginsession.From(c)
		n := s.GetInt("visits") + 1
		s.Set("visits", n)
		c.String(http.StatusOK, "visit %d", n)
	})

	// One browser, two visits: the second sends the cookie of the first.
	var cookie *http.Cookie
	for range 2 {
		req := httptest.NewRequest(http.MethodGet, "/visit", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		cookie = rec.Result().Cookies()[0]
		fmt.Println(rec.Body.String(), cookie.Name, cookie.HttpOnly)
	}
	// Output:
	// visit 1 sessionid true
	// visit 2 sessionid true
}

func ExampleWithErrorHandler() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: "change me: a long random secret"})
	if err != nil {
		fmt.Println(err)
		return
	}

	r := gin.New()
	r.Use(ginsession.Middleware(m, ginsession.WithErrorHandler(func(c *gin.Context, err error) {
		// err is in c.Errors too, for logging middleware.
		if errors.Is(err, sessions.ErrSessionDeleted) {
			c.JSON(http.StatusConflict, gin.H{"error": "signed out elsewhere"})
			return
		}
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "try again later"})
	})))
	r.GET("/login", func(c *gin.Context) {
		ginsession.From(c).Set("user", "alice")
		c.Status(http.StatusNoContent)
	})
	r.GET("/cart", func(c *gin.Context) {
		s := ginsession.From(c)
		s.GetString("user")
		// Meanwhile a logout in another tab deletes the session...
		_ = store.Delete(c, s.Key())
		// ...so this change must not bring it back.
		s.Set("cart", []string{"book"})
		c.String(http.StatusOK, "added")
	})

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	req := httptest.NewRequest(http.MethodGet, "/cart", nil)
	req.AddCookie(rec.Result().Cookies()[0])
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output: 409 {"error":"signed out elsewhere"}
}
