package sessions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestDefaultErrorHandler: the status, the body and the log level of each
// kind of failure. The body never carries the store's error.
func TestDefaultErrorHandler(t *testing.T) {
	storeErr := errors.New("dial tcp 10.0.0.7:6379: connection refused")
	cancelled := func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}
	expired := func() context.Context {
		ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
		t.Cleanup(cancel)
		return ctx
	}
	for _, tt := range []struct {
		name   string
		ctx    func() context.Context
		err    error
		status int
		level  string
		body   string
	}{
		{"store outage", context.Background, storeErr, http.StatusInternalServerError, "ERROR", "Internal Server Error"},
		{"deleted by a concurrent request", context.Background, fmt.Errorf("save: %w", ErrSessionDeleted), http.StatusBadRequest, "WARN", "deleted before the request completed"},
		{"client went away", cancelled, fmt.Errorf("load: %w", context.Canceled), http.StatusInternalServerError, "INFO", "Internal Server Error"},
		{"client went away, driver's own error", cancelled, storeErr, http.StatusInternalServerError, "INFO", "Internal Server Error"},
		{"request deadline passed", expired, fmt.Errorf("load: %w", context.DeadlineExceeded), http.StatusInternalServerError, "ERROR", "Internal Server Error"},
		{"store's own cancellation, client still there", context.Background, fmt.Errorf("load: %w", context.Canceled), http.StatusInternalServerError, "ERROR", "Internal Server Error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			h := defaultErrorHandler(slog.New(slog.NewTextHandler(&logged, nil)))
			rec := httptest.NewRecorder()
			h(rec, httptest.NewRequest(http.MethodGet, "/p", nil).WithContext(tt.ctx()), tt.err)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			if body := rec.Body.String(); !strings.Contains(body, tt.body) || strings.Contains(body, "10.0.0.7") {
				t.Errorf("body %q: want %q and nothing of the store's error", body, tt.body)
			}
			if line := logged.String(); !strings.Contains(line, "level="+tt.level+" ") || !strings.Contains(line, "path=/p") {
				t.Errorf("logged %q, want level %s with the path", line, tt.level)
			}
		})
	}
}
