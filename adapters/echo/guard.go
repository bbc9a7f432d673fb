package echosession

import (
	"bufio"
	"fmt"
	"net"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/sessionkit/sessionkit/core/lifecycle"
)

// guard stands in as c.Response().Writer and commits the session on the
// first WriteHeader, Write or Flush that reaches it (echo's WriteHeader
// ends in the writer's, and writes that skip it commit too), so that a
// response whose commit failed never reaches the client. The commit rules
// are core's (lifecycle.Request); the guard only translates echo's
// response and routes a failed commit to echo's HTTPErrorHandler.
type guard struct {
	http.ResponseWriter
	c   echo.Context
	res *echo.Response
	lc  lifecycle.Request // the session lives here: one allocation per request
	o   *options

	open     bool  // an error page is being written after a failed commit: all passes
	returned bool  // the middleware has returned; echo's error handler may be writing
	err      error // the commit error
	dropped  error // what dropped writes return
}

// commit commits the session once, with the status about to be sent, and
// reports whether the caller may write.
func (g *guard) commit(status int) bool {
	if g.open {
		return true
	}
	if g.dropped != nil {
		return false
	}
	err := g.lc.Before(g.res.Header(), status)
	if err == nil {
		return true
	}
	g.err = err
	g.dropped = fmt.Errorf("echosession: response dropped after a failed session commit: %w", err)
	lifecycle.DropBodyHeaders(g.res.Header())
	if g.returned {
		g.renderLate()
	}
	return false
}

// finish runs when the handler returns: it commits for a handler that
// wrote nothing, and turns a commit that failed while the handler ran into
// an *echo.HTTPError, for the app's HTTPErrorHandler to render.
func (g *guard) finish(err error) error {
	if g.lc.Phase() == lifecycle.Pending {
		s := g.lc.Session()
		switch {
		case err == nil && !g.res.Committed:
			// Nothing was written and echo writes nothing more: net/http
			// sends 200 with the headers as they are.
			g.commit(http.StatusOK)
		case err != nil && s.Accessed() && s.Load() != nil:
			// The load failed: the commit will fail whatever the error page's
			// status, so fail now, while the error can still reach
			// HTTPErrorHandler.
			g.commit(http.StatusInternalServerError)
		case err != nil:
			// HTTPErrorHandler writes the page after we return, maybe
			// through a writer an outer middleware put back, below the
			// guard: commit from echo's Before hook then, with the page's
			// status. Registered only here: a hook on every request cost
			// two allocations.
			g.res.Before(g.beforeHook)
		}
	}
	g.returned = true
	if g.dropped == nil || g.open {
		// A pending session is committed when HTTPErrorHandler writes
		// the error response, with its real status.
		return err
	}
	g.reopen()
	return g.o.toHTTPError(g.err)
}

// unwind runs deferred, so after a panic too: what writes next is error
// handling (middleware.Recover), so a failed commit must render, not drop,
// and a response dropped so far must look unwritten.
func (g *guard) unwind() {
	if g.returned {
		return // finish ran
	}
	g.returned = true
	if g.dropped != nil && !g.open {
		g.reopen()
	}
	if g.lc.Phase() == lifecycle.Pending {
		// A panic: the recovering middleware's error page commits.
		g.res.Before(g.beforeHook)
	}
}

// beforeHook commits from echo's Response.WriteHeader (see finish).
func (g *guard) beforeHook() { g.commit(g.res.Status) }

// reopen makes echo see an unwritten response after a commit failed while
// the handler ran: nothing of it reached the client, so HTTPErrorHandler
// can render. Writers and responses that inner middleware put in place are
// done with; the error page goes through ours.
func (g *guard) reopen() {
	g.open = true
	lifecycle.DropBodyHeaders(g.res.Header())
	g.res.Writer = g
	g.res.Committed = false
	g.res.Status = http.StatusOK
	g.res.Size = 0
	if g.c.Response() != g.res {
		g.c.SetResponse(g.res)
	}
}

// renderLate handles a commit that failed after the middleware returned,
// while something (usually HTTPErrorHandler) was writing: the error goes to
// HTTPErrorHandler now, and the interrupted response is dropped.
func (g *guard) renderLate() {
	g.open = true // let the error page through; the hook must not commit again
	g.c.Echo().HTTPErrorHandler(g.o.toHTTPError(g.err), g.c)
	g.open = false
	// The interrupted write goes on through res.Writer: make sure it ends
	// here, whatever replaced the writer meanwhile.
	g.res.Writer = g
}

// WriteHeader commits, then writes the status.
func (g *guard) WriteHeader(code int) {
	if g.commit(code) {
		g.ResponseWriter.WriteHeader(code)
	}
}

// Write commits if nothing was sent yet (200 implied), then writes.
func (g *guard) Write(p []byte) (int, error) {
	if !g.commit(http.StatusOK) {
		return 0, g.dropped
	}
	return g.ResponseWriter.Write(p)
}

// Flush commits, then flushes: a first Flush sends the headers.
func (g *guard) Flush() {
	if !g.commit(http.StatusOK) {
		return
	}
	_ = http.NewResponseController(g.ResponseWriter).Flush()
}

// Hijack hands the connection over without committing: whoever hijacks
// writes the response.
func (g *guard) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	g.lc.Hijack()
	return http.NewResponseController(g.ResponseWriter).Hijack()
}

// Unwrap returns the writer below, for http.ResponseController.
func (g *guard) Unwrap() http.ResponseWriter { return g.ResponseWriter }
