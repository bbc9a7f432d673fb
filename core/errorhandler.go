package sessions

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/sessionkit/sessionkit/core/internal/bridge"
)

// defaultErrorHandler logs the error and answers with a generic body: the
// client learns nothing of the store, and the operator sees every outage
// in the logs, on every framework. A request whose client went away is
// logged at Info, not Error.
func defaultErrorHandler(log *slog.Logger) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		code := errorStatus(err)
		level := slog.LevelError
		msg := http.StatusText(code)
		switch {
		case code == http.StatusBadRequest:
			level = slog.LevelWarn
			msg = "The session was deleted before the request completed."
		case errors.Is(r.Context().Err(), context.Canceled):
			// The client went away (or the server is shutting down) while
			// the store was called: nobody reads this answer, and it says
			// nothing about the store's health, so it is no alert. A
			// deadline is different: a slow store is worth an error.
			level = slog.LevelInfo
		}
		log.LogAttrs(r.Context(), level, "sessions: request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", code), slog.Any("error", err))
		http.Error(w, msg, code)
	}
}

// errorStatus is the status a failed commit answers with by default: 400
// for ErrSessionDeleted (Django's SessionInterrupted), 500 otherwise.
func errorStatus(err error) int {
	if errors.Is(err, ErrSessionDeleted) {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// renderError replaces the response with the manager's error response.
func (s *Session) renderError(w http.ResponseWriter, r *http.Request, err error) {
	bridge.DropBodyHeaders(w.Header())
	s.m.cfg.ErrorHandler(w, r, err)
}
