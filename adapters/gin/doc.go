// Package ginsession connects sessionkit sessions to gin.
//
// The package is called ginsession, not gin like its folder, so that it
// does not clash with the gin package it is used with.
//
//	r := gin.New()
//	r.Use(ginsession.Middleware(manager))
//	r.GET("/", func(c *gin.Context) {
//		s := ginsession.From(c)
//		s.Set("visits", s.GetInt("visits")+1)
//		c.String(http.StatusOK, "hello")
//	})
//
// # Commit before the headers
//
// All session logic lives in core; the middleware only opens the lazy
// session, puts it in c.Request's context and replaces c.Writer with a thin
// gin.ResponseWriter. gin's WriteHeader only records the status; the
// headers really leave at WriteHeaderNow, the first Write or WriteString, or
// Flush. Each of these first commits the session (save, Set-Cookie, Vary)
// with the status gin is about to send, so a cookie is never late and a
// 5xx response saves nothing. Nothing is buffered: c.File, c.Stream and
// server-sent events go straight through. A handler that writes nothing
// (c.Abort, c.Status only, a 304 from c.File) is committed when the chain
// returns, before gin writes the headers itself. Hijack skips the commit:
// whoever hijacks writes the response.
//
// # Errors
//
// A store error at load or save, or a session deleted by a concurrent
// logout, is added to c.Errors, the chain is aborted, and the response
// becomes an error response instead of the handler's: by default the
// manager's Config.ErrorHandler (400 for sessions.ErrSessionDeleted, 500
// otherwise); WithErrorHandler renders an application page instead. What
// the handler writes afterwards is dropped and its writes return an error
// wrapping the commit error.
package ginsession
