package echosession_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"
	echosession "github.com/sessionkit/sessionkit/adapters/echo"
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

	e := echo.New()
	e.Use(echosession.Middleware(m))
	e.GET("/visit", func(c echo.Context) error {
		s := echosession.From(c)
		n := s.GetInt("visits") + 1
		s.Set("visits", n)
		return c.String(http.StatusOK, fmt.Sprintf("visit %d", n))
	})

	// One browser, two visits: the second sends the cookie of the first.
	var cookie *http.Cookie
	for range 2 {
		req := httptest.NewRequest(http.MethodGet, "/visit", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		cookie = rec.Result().Cookies()[0]
		fmt.Println(rec.Body.String(), cookie.Name, cookie.HttpOnly)
	}
	// Output:
	// visit 1 sessionid true
	// visit 2 sessionid true
}

// Session errors reach the app's HTTPErrorHandler as *echo.HTTPError.
func ExampleMiddleware_errors() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: "change me: a long random secret"})
	if err != nil {
		fmt.Println(err)
		return
	}

	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if errors.Is(err, sessions.ErrSessionDeleted) {
			_ = c.String(http.StatusConflict, "signed out elsewhere")
			return
		}
		e.DefaultHTTPErrorHandler(err, c)
	}
	e.Use(echosession.Middleware(m))
	e.GET("/login", func(c echo.Context) error {
		echosession.From(c).Set("user", "alice")
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/cart", func(c echo.Context) error {
		s := echosession.From(c)
		s.GetString("user")
		// Meanwhile a logout in another tab deletes the session...
		_ = store.Delete(c.Request().Context(), s.Key())
		// ...so this change must not bring it back.
		s.Set("cart", []string{"book"})
		return c.String(http.StatusOK, "added")
	})

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	req := httptest.NewRequest(http.MethodGet, "/cart", nil)
	req.AddCookie(rec.Result().Cookies()[0])
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output: 409 signed out elsewhere
}
