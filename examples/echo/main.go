// Command echo is the sessionkit demo on Echo: the routes of package demo,
// wired into an echo.Echo with the echosession middleware.
//
//	go run ./examples/echo [-addr 127.0.0.1:8080] [-store sqlite|postgres|redis|cookie|cached|memory]
package main

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	echosession "github.com/sessionkit/sessionkit/adapters/echo"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/examples/internal/demo"
)

func main() { demo.Main("Echo", routes) }

// routes wires the demo into Echo.
func routes(app *demo.App) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover())
	// Outside the session group: health checks never touch sessions.
	e.GET("/healthz", echo.WrapHandler(http.HandlerFunc(demo.Healthz)))

	s := e.Group("", echosession.Middleware(app.Manager))
	s.GET("/", withSession(app.Page))
	s.GET("/api/session", withSession(app.SessionJSON))
	// Cross-origin form posts are refused before the session is touched.
	csrf := echo.WrapMiddleware(app.CSRF.Handler)
	s.POST("/api/login", withSession(app.Login), csrf)
	s.POST("/api/logout", withSession(app.Logout), csrf)
	s.GET("/sessions", withSession(app.Sessions))
	s.POST("/api/sessions/revoke", withSession(app.RevokeSession), csrf)
	s.POST("/api/sessions/revoke-others", withSession(app.RevokeOthers), csrf)
	return e
}

// withSession hands a demo route the request's session.
func withSession(h func(http.ResponseWriter, *http.Request, *sessions.Session)) echo.HandlerFunc {
	return func(c echo.Context) error {
		h(c.Response(), c.Request(), echosession.From(c))
		return nil
	}
}
