package echosession

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/sessionkit/sessionkit/core/lifecycle"
)

// Option configures Middleware.
type Option func(*options)

type options struct {
	httpError func(error) *echo.HTTPError
}

// WithHTTPError maps a commit error (a store failure, or
// sessions.ErrSessionDeleted) to the *echo.HTTPError handed to the app's
// HTTPErrorHandler. Keep err as Internal so errors.Is still finds it. A nil
// result falls back to the default: 400 for sessions.ErrSessionDeleted,
// 500 otherwise, with the status text as message.
func WithHTTPError(fn func(err error) *echo.HTTPError) Option {
	return func(o *options) { o.httpError = fn }
}

func (o *options) toHTTPError(err error) *echo.HTTPError {
	if o.httpError != nil {
		if he := o.httpError(err); he != nil {
			return he
		}
	}
	code := lifecycle.ErrorStatus(err)
	return &echo.HTTPError{Code: code, Message: http.StatusText(code), Internal: err}
}
