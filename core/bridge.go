package sessions

import (
	"context"
	"net/http"

	"github.com/sessionkit/sessionkit/core/internal/bridge"
)

// init hands package lifecycle, through internal/bridge, the operations
// adapters need, so that this package's API stays the application's.
func init() {
	bridge.Ops.Begin = func(m, s any, r *http.Request) *http.Request {
		return s.(*Session).begin(m.(*Manager), r)
	}
	bridge.Ops.Before = func(s any, h http.Header, status int) error {
		return s.(*Session).before(h, status)
	}
	bridge.Ops.Hijack = func(s any) { s.(*Session).hijack() }
	bridge.Ops.Phase = func(s any) uint8 {
		ss := s.(*Session)
		ss.mu.Lock()
		defer ss.mu.Unlock()
		return uint8(ss.phase)
	}
	bridge.Ops.RenderError = func(s any, w http.ResponseWriter, r *http.Request, err error) {
		s.(*Session).renderError(w, r, err)
	}
	bridge.Ops.ErrorStatus = errorStatus
	bridge.Ops.Lookup = func(ctx context.Context) any {
		if s, ok := ctx.Value(anyManagerKey{}).(*Session); ok {
			return s
		}
		return nil
	}
}
