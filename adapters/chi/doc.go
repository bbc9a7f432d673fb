// Package chisession connects sessionkit sessions to chi
// (github.com/go-chi/chi/v5) and any other net/http router.
//
// The package is called chisession, not chi like its folder, so that it
// does not clash with the chi package it is used with.
//
// chi middleware is plain func(http.Handler) http.Handler, so there is
// nothing to translate: Middleware is core's own net/http middleware
// (sessions.Manager.Middleware), and Get reads the session from the
// request context. The package exists for the chi-flavoured
// documentation, examples and tests.
//
//	r := chi.NewRouter()
//	r.Use(chisession.Middleware(manager))
//	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
//		s := chisession.Get(r)
//		s.Set("visits", s.GetInt("visits")+1)
//		w.Write([]byte("hello"))
//	})
//
// The session is committed (saved, cookie set, Vary added) just before the
// first byte of headers goes out, with their status, without buffering; a
// handler that writes nothing gets its cookie when it returns; a 5xx
// response saves nothing. Sub-routers made with Route, Group and Mount see
// the session of the router they hang from; use the middleware in a Group
// to give sessions to some routes only.
//
// # Order with other middleware
//
// middleware.Compress and middleware.Timeout work on either side. A request
// that runs into Timeout's deadline saves nothing and sends no cookie:
// inside, the 504 goes through the session's writer (a 5xx saves
// nothing); outside, the session is not committed once the request's
// context is done, and Timeout's 504 goes out.
//
// Store errors and sessions.ErrSessionDeleted are answered by
// sessions.Config.ErrorHandler (default: 400 for ErrSessionDeleted, 500
// otherwise), and what the handler writes afterwards is dropped.
package chisession
