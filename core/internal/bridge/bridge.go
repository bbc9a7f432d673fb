// Package bridge lets package lifecycle reach the request lifecycle that
// package sessions implements, without sessions exporting adapter plumbing
// to applications. Package sessions fills Ops once, in its init function,
// before any other package can run; nothing writes it afterwards.
//
// The arguments are typed any because this package cannot import sessions
// (sessions imports it): m is a *sessions.Manager and s a *sessions.Session.
// A pointer in an interface costs no allocation.
package bridge

import (
	"context"
	"net/http"
)

// Ops are the lifecycle operations package sessions provides.
var Ops struct {
	// Begin opens the lazy session of r into s (the zero value, embedded
	// in the caller's per-request struct) and returns r with a context
	// carrying it.
	Begin func(m, s any, r *http.Request) *http.Request
	// Before commits s once, just before headers with status go out.
	Before func(s any, h http.Header, status int) error
	// Hijack marks s as handed over: it is never committed.
	Hijack func(s any)
	// Phase reports s's commit phase (see lifecycle.Phase).
	Phase func(s any) uint8
	// RenderError writes the error response of s's manager.
	RenderError func(s any, w http.ResponseWriter, r *http.Request, err error)
	// Lookup finds the innermost session in ctx; nil if there is none.
	Lookup func(ctx context.Context) any
	// ErrorStatus is the default status of a failed commit.
	ErrorStatus func(err error) int
}

// DropBodyHeaders removes the headers that describe a handler's body,
// before an error response replaces it.
func DropBodyHeaders(h http.Header) {
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	h.Del("Content-Type")
	h.Del("Etag")
}
