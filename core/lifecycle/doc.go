// Package lifecycle is for authors of framework adapters, not for
// applications: it runs a session's request lifecycle (open the lazy
// session, commit it once just before the response headers, render the
// error response) for frameworks that own their response writer, as gin
// and echo do. Applications use package sessions and an adapter's
// middleware; net/http and chi need no adapter (m.Middleware).
//
// An adapter embeds a Request in its per-request writer, so that one
// allocation carries the session, its context and the writer:
//
//	type writer struct {
//		framework.ResponseWriter
//		lc lifecycle.Request
//	}
//
//	w := &writer{ResponseWriter: c.Writer}
//	c.Request = w.lc.Begin(m, c.Request)
//	// ... every path that sends headers first calls
//	if err := w.lc.Before(w.Header(), status); err != nil { /* render the error */ }
//
// The rules of when and what to commit (Django's, with informational
// statuses passing through and a hijacked connection never committed)
// live in package sessions; this package only exposes them, so every
// adapter and the net/http middleware behave alike.
package lifecycle
