// Package demo is the code the three example apps (examples/gin,
// examples/echo, examples/chi) share, so that each app's main.go holds only
// its framework's wiring: configuration from flags and environment
// variables (Config), store selection (Open), the HTML page, the route
// logic written against *sessions.Session (the App methods), and serving
// with graceful shutdown (Serve, Main).
//
// The routes behave the same in every app:
//
//	GET  /              HTML page: visit count, who is logged in, forms
//	GET  /api/session   JSON {"visits": N, "user": "NAME" or null}
//	POST /api/login     form field or JSON "user": cycles the key, logs in
//	POST /api/logout    flushes the session
//	GET  /healthz       "ok", without touching the session
//
// GET / and GET /api/session count a visit each. POST answers browsers
// (Accept: text/html) with a 303 redirect to /, and everything else (curl,
// fetch) with the JSON state. The POST routes sit behind
// http.CrossOriginProtection, which refuses cross-origin form posts: with
// SameSite=Lax cookies that is the CSRF defence the apps need.
package demo
