// Package chi tests sessionkit under chi. chi middleware is plain
// func(http.Handler) http.Handler, so chi needs no adapter module:
// r.Use(m.Middleware) installs core's net/http middleware, and handlers
// call sessions.FromContext(r.Context()). These tests run the shared
// adapter behaviour table and chi's own paths (Group, Mount, With,
// Compress, Timeout) against it.
package chi
