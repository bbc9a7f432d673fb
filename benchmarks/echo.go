package benchmarks

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// echoOps is what an echo session library does in the routes. Libraries
// that need an explicit save do it inside incr and seed.
type echoOps struct {
	mw     []echo.MiddlewareFunc
	seed   func(echo.Context) error
	user   func(echo.Context) (string, error)
	visits func(echo.Context) (int, error)
	incr   func(echo.Context) error
}

// echoHandler returns an echo instance serving the routes behind the
// library's middleware.
func echoHandler(o echoOps) http.Handler {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Use(o.mw...)
	chunk := newChunk()
	e.GET(RouteSeed, func(c echo.Context) error {
		if err := o.seed(c); err != nil {
			return err
		}
		return c.String(http.StatusOK, okBody)
	})
	e.GET(RouteA, func(c echo.Context) error { return c.String(http.StatusOK, okBody) })
	e.GET(RouteB, func(c echo.Context) error {
		u, err := o.user(c)
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, u)
	})
	e.GET(RouteC, func(c echo.Context) error {
		if err := o.incr(c); err != nil {
			return err
		}
		return c.String(http.StatusOK, okBody)
	})
	e.GET(RouteVisits, func(c echo.Context) error {
		n, err := o.visits(c)
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, strconv.Itoa(n))
	})
	e.GET(RouteStream, func(c echo.Context) error {
		size, err := streamSize(c.Request())
		if err == nil {
			err = o.incr(c)
		}
		if err != nil {
			return err
		}
		c.Response().WriteHeader(http.StatusOK)
		return writeStream(c.Response(), chunk, size)
	})
	return e
}
