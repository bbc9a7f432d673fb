// Package benchmarks measures sessionkit beside the session libraries Go
// users would pick instead (gin-contrib/sessions, alexedwards/scs,
// gorilla/sessions, echo-contrib/session) and beside the bare frameworks,
// in the same process, on the same requests and with the same response
// writer.
//
// The package holds the harness: every configuration under test is a
// Target that builds an http.Handler serving the same four routes (see
// Route*), seeded with the same session data. The Go benchmarks in this
// package's test files drive the targets through ServeHTTP; cmd/e2e serves
// them on 127.0.0.1 under wrk; cmd/report turns the output of both into
// RESULTS.md. run.sh runs everything; it is not part of the default test
// run, which only checks that every target behaves as the scenarios
// assume.
//
// This module is never imported by the others: it is the only place that
// depends on the peer libraries.
package benchmarks
