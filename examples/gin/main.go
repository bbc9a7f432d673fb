// Command gin is the sessionkit demo on Gin: the routes of package demo,
// wired into a gin.Engine with the ginsession middleware.
//
//	go run ./examples/gin [-addr 127.0.0.1:8080] [-store sqlite|postgres|redis|cookie|cached|memory]
package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/examples/internal/demo"
)

func main() {
	gin.SetMode(gin.ReleaseMode)
	demo.Main("Gin", routes)
}

// routes wires the demo into Gin.
func routes(app *demo.App) http.Handler {
	r := gin.New()
	r.Use(gin.Recovery())
	// Registered before the session middleware: health checks never touch
	// sessions.
	r.GET("/healthz", gin.WrapF(demo.Healthz))

	s := r.Group("/", ginsession.Middleware(app.Manager))
	s.GET("/", withSession(app.Page))
	s.GET("/api/session", withSession(app.SessionJSON))
	// Cross-origin form posts are refused before the session is touched.
	s.POST("/api/login", crossOrigin(app.CSRF), withSession(app.Login))
	s.POST("/api/logout", crossOrigin(app.CSRF), withSession(app.Logout))
	s.GET("/sessions", withSession(app.Sessions))
	s.POST("/api/sessions/revoke", crossOrigin(app.CSRF), withSession(app.RevokeSession))
	s.POST("/api/sessions/revoke-others", crossOrigin(app.CSRF), withSession(app.RevokeOthers))
	return r
}

// withSession hands a demo route the request's session.
func withSession(h func(http.ResponseWriter, *http.Request, *sessions.Session)) gin.HandlerFunc {
	return func(c *gin.Context) {
		h(c.Writer, c.Request, ginsession.From(c))
	}
}

// crossOrigin is http.CrossOriginProtection as Gin middleware.
func crossOrigin(p *http.CrossOriginProtection) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := p.Check(c.Request); err != nil {
			c.String(http.StatusForbidden, "%s\n", err)
			c.Abort()
			return
		}
		c.Next()
	}
}
