package benchmarks

import (
	"context"
	"net/http"

	gsessions "github.com/gorilla/sessions"
	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"
)

// echoContribTarget is github.com/labstack/echo-contrib/session with a
// gorilla CookieStore, as its README shows it: session.Middleware,
// session.Get, an explicit Save.
func echoContribTarget() Target {
	return Target{Framework: FwEcho, Library: LibEchoContrib, Store: StoreCookie,
		build: func(context.Context, *Instance) (http.Handler, error) {
			st := newGorillaCookieStore(false)
			get := func(c echo.Context) (*gsessions.Session, error) { return session.Get(CookieName, c) }
			return echoHandler(echoOps{
				mw: []echo.MiddlewareFunc{session.Middleware(st)},
				seed: func(c echo.Context) error {
					s, err := get(c)
					if err != nil {
						return err
					}
					s.Values[UserKey] = UserValue
					s.Values[VisitsKey] = VisitsStart
					return s.Save(c.Request(), c.Response())
				},
				user: func(c echo.Context) (string, error) {
					s, err := get(c)
					if err != nil {
						return "", err
					}
					u, _ := s.Values[UserKey].(string)
					return u, nil
				},
				visits: func(c echo.Context) (int, error) {
					s, err := get(c)
					if err != nil {
						return 0, err
					}
					n, _ := s.Values[VisitsKey].(int)
					return n, nil
				},
				incr: func(c echo.Context) error {
					s, err := get(c)
					if err != nil {
						return err
					}
					n, _ := s.Values[VisitsKey].(int)
					s.Values[VisitsKey] = n + 1
					return s.Save(c.Request(), c.Response())
				},
			}), nil
		}}
}
