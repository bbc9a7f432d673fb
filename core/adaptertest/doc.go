// Package adaptertest is the behaviour table every framework adapter of
// sessionkit must pass: gin, echo and chi (on core's net/http middleware)
// run the same cases, so they stay interchangeable.
//
// An adapter's test calls Run with a function that registers Routes on its
// framework behind its middleware and returns the resulting http.Handler.
// Each Route is a plain function of the session; its Kind says how the
// framework answers (write a body, write nothing, fail with a 500 the
// framework's way, or stream), so the table can check each framework's own
// paths without knowing the framework.
//
// Run covers: untouched sessions (no store access, no cookie, no Vary),
// read-only access, writes and the cookie attributes, login (CycleKey) and
// logout (Flush), tampered and unknown cookies, 5xx responses, a store
// outage and recovery, streaming with flat memory, handlers that write
// nothing, and concurrent requests on one session.
//
// The package is part of the core module and uses only the standard
// library, so an adapter's tests import it without adding a requirement to
// the adapter's go.mod.
package adaptertest
