package ginsession

import "github.com/gin-gonic/gin"

// Option configures Middleware.
type Option func(*options)

type options struct {
	onError func(c *gin.Context, err error)
}

// WithErrorHandler renders the response for a failed commit (store down,
// or sessions.ErrSessionDeleted) instead of the manager's
// Config.ErrorHandler. The error is already in c.Errors and the chain is
// aborted. If fn writes nothing, the response is sent with status 400 for
// sessions.ErrSessionDeleted and 500 otherwise.
func WithErrorHandler(fn func(c *gin.Context, err error)) Option {
	return func(o *options) { o.onError = fn }
}
