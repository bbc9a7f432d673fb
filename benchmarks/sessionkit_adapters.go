package benchmarks

import (
	"net/http"

	"github.com/labstack/echo/v4"
	echosession "github.com/sessionkit/sessionkit/adapters/echo"
	sessions "github.com/sessionkit/sessionkit/core"
)

func sessionkitEcho(m *sessions.Manager) http.Handler {
	return echoHandler(echoOps{
		mw:     []echo.MiddlewareFunc{echosession.Middleware(m)},
		seed:   func(c echo.Context) error { return skSeed(echosession.From(c)) },
		user:   func(c echo.Context) (string, error) { return skUser(echosession.From(c)) },
		visits: func(c echo.Context) (int, error) { return skVisits(echosession.From(c)) },
		incr:   func(c echo.Context) error { return skIncr(echosession.From(c)) },
	})
}

// sessionkitChi serves the routes on chi with core's net/http middleware.
func sessionkitChi(m *sessions.Manager) http.Handler {
	ops := sessionkitHTTPOps(m.Middleware)
	get := func(r *http.Request) *sessions.Session { return sessions.FromContext(r.Context()) }
	ops.seed = func(_ http.ResponseWriter, r *http.Request) error { return skSeed(get(r)) }
	ops.user = func(_ http.ResponseWriter, r *http.Request) (string, error) { return skUser(get(r)) }
	ops.visits = func(_ http.ResponseWriter, r *http.Request) (int, error) { return skVisits(get(r)) }
	ops.incr = func(_ http.ResponseWriter, r *http.Request) error { return skIncr(get(r)) }
	return chiHandler(ops)
}
