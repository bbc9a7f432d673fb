// Package echosession connects sessionkit sessions to echo v4
// (github.com/labstack/echo/v4).
//
// The package is called echosession, not echo like its folder, so that it
// does not clash with the echo package it is used with.
//
//	e := echo.New()
//	e.Use(echosession.Middleware(manager))
//	e.GET("/", func(c echo.Context) error {
//		s := echosession.From(c)
//		s.Set("visits", s.GetInt("visits")+1)
//		return c.String(http.StatusOK, "hello")
//	})
//
// # When the session is committed
//
// All session logic lives in core; the middleware opens the lazy session,
// puts it in c.Request()'s context, and commits it (save, Set-Cookie, Vary)
// exactly once, just before the headers go out, with the status they
// carry:
//
//   - It wraps c.Response().Writer in a guard that commits on the first
//     WriteHeader, Write or Flush that reaches it. echo's
//     Response.WriteHeader runs the app's Before hooks and then the
//     writer's WriteHeader, so hooks can still change the session and the
//     headers; writes that skip echo's WriteHeader (Response.Flush before
//     anything else, or a write straight to Response().Writer) commit too.
//   - A handler that returns nil without writing is committed when it
//     returns, as a 200.
//   - A handler that returns an error without writing (or panics) leaves
//     the commit to a Before hook registered then: echo's HTTPErrorHandler
//     writes the error page after the middleware returned, maybe through a
//     writer an outer middleware put back, and the hook commits with the
//     page's real status, so a 500 page saves nothing and a 404 page keeps
//     its cookie. Commit is idempotent: never two Set-Cookie headers.
//
// Nothing is buffered; c.Stream, c.File and flushed writes pass straight
// through.
//
// # Errors
//
// A failed commit (store down at load or save, or sessions.ErrSessionDeleted
// after a concurrent logout) must become an error page rendered by the
// app's HTTPErrorHandler, as an *echo.HTTPError (400 for
// sessions.ErrSessionDeleted, 500 otherwise, Internal set to the error;
// see WithHTTPError). Neither a Before hook nor a writer can return an
// error to echo, so:
//
//   - When the commit fails while the handler runs (it started to write),
//     the guard swallows the status and every byte, so nothing reaches the
//     client, and the handler's writes return an error wrapping the commit
//     error. When the handler returns, the middleware resets
//     c.Response() to unwritten (Committed false, headers describing the
//     lost body removed, writers of inner middleware such as Gzip dropped)
//     and returns the *echo.HTTPError instead of the handler's result.
//     Echo then calls HTTPErrorHandler, which renders normally.
//   - When the handler returns an error and its session failed to load,
//     the commit cannot succeed whatever the page's status, so it fails
//     there and then, and the *echo.HTTPError replaces the handler's error.
//   - Only a save that fails while HTTPErrorHandler is already writing
//     (the handler returned an error, changed the session, and the store
//     went down at save) happens after the middleware returned. The guard
//     then calls HTTPErrorHandler again, with the *echo.HTTPError, on the
//     still unwritten response, and drops the interrupted page.
//
// After a panic that middleware.Recover turns into an error, a response
// dropped so far is reset the same way, so Recover's page goes out.
//
// Hijack skips the commit: whoever hijacks writes the response.
package echosession
