package echosession_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	echosession "github.com/sessionkit/sessionkit/adapters/echo"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/adaptertest"
)

// newEcho returns an echo whose logger is quiet.
func newEcho() *echo.Echo {
	e := echo.New()
	e.Logger.SetOutput(io.Discard)
	return e
}

// TestResponsePaths checks that every way echo sends headers carries the
// cookie once, and that a 5xx saves nothing.
func TestResponsePaths(t *testing.T) {
	file := filepath.Join(t.TempDir(), "page.txt")
	if err := os.WriteFile(file, []byte("file body"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		method     string
		handle     echo.HandlerFunc
		wantStatus int
		wantBody   string // substring
		wantSave   bool
	}{
		{name: "String", handle: func(c echo.Context) error { return c.String(http.StatusOK, "hi") },
			wantStatus: 200, wantBody: "hi", wantSave: true},
		{name: "JSON", handle: func(c echo.Context) error { return c.JSON(http.StatusCreated, map[string]bool{"ok": true}) },
			wantStatus: 201, wantBody: `{"ok":true}`, wantSave: true},
		{name: "NoContent", handle: func(c echo.Context) error { return c.NoContent(http.StatusNoContent) },
			wantStatus: 204, wantSave: true},
		{name: "Redirect", handle: func(c echo.Context) error { return c.Redirect(http.StatusFound, "/next") },
			wantStatus: 302, wantSave: true},
		{name: "File", handle: func(c echo.Context) error { return c.File(file) },
			wantStatus: 200, wantBody: "file body", wantSave: true},
		{name: "File HEAD", method: http.MethodHead, handle: func(c echo.Context) error { return c.File(file) },
			wantStatus: 200, wantSave: true},
		{name: "Stream", handle: func(c echo.Context) error {
			return c.Stream(http.StatusOK, "text/plain", strings.NewReader("streamed"))
		}, wantStatus: 200, wantBody: "streamed", wantSave: true},
		{name: "Flush first", handle: func(c echo.Context) error {
			// echo's Flush sends the headers without its WriteHeader, so no
			// Before hook runs: the writer guard commits.
			c.Response().Flush()
			_, err := c.Response().Writer.Write([]byte("after flush"))
			return err
		}, wantStatus: 200, wantBody: "after flush", wantSave: true},
		{name: "straight to the writer", handle: func(c echo.Context) error {
			_, err := c.Response().Writer.Write([]byte("raw"))
			return err
		}, wantStatus: 200, wantBody: "raw", wantSave: true},
		{name: "return nil", handle: func(echo.Context) error { return nil },
			wantStatus: 200, wantSave: true},
		{name: "HTTPError 404", handle: func(echo.Context) error { return echo.ErrNotFound },
			wantStatus: 404, wantBody: "Not Found", wantSave: true},
		{name: "plain error", handle: func(echo.Context) error { return errHandler },
			wantStatus: 500, wantBody: "Internal Server Error"},
		{name: "String 503", handle: func(c echo.Context) error { return c.String(http.StatusServiceUnavailable, "down") },
			wantStatus: 503, wantBody: "down"},
		{name: "write then error", handle: func(c echo.Context) error {
			if err := c.String(http.StatusOK, "partial"); err != nil {
				return err
			}
			return errHandler // too late for HTTPErrorHandler: the 200 stands
		}, wantStatus: 200, wantBody: "partial", wantSave: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := adaptertest.NewStore(t)
			m := adaptertest.NewManager(t, st, nil)
			e := newEcho()
			e.Use(echosession.Middleware(m))
			e.Add(cmpOr(tc.method, http.MethodGet), "/", func(c echo.Context) error {
				echosession.From(c).Set("k", "v")
				return tc.handle(c)
			})
			resp := adaptertest.NewClient(t, e).Send(t, cmpOr(tc.method, http.MethodGet), "/", nil)
			if resp.Status != tc.wantStatus || !strings.Contains(resp.Body, tc.wantBody) {
				t.Errorf("got %d %q, want %d containing %q", resp.Status, resp.Body, tc.wantStatus, tc.wantBody)
			}
			checkSaved(t, resp, st, tc.wantSave)
		})
	}
}

func checkSaved(t *testing.T, resp *adaptertest.Response, st *adaptertest.Store, want bool) {
	t.Helper()
	cookies := resp.Header.Values("Set-Cookie")
	saves := st.Calls().Save
	if want && (len(cookies) != 1 || saves != 1) {
		t.Errorf("want exactly one Set-Cookie and one save, got %q and %d saves", cookies, saves)
	}
	if !want && (len(cookies) != 0 || saves != 0) {
		t.Errorf("a %d response must save nothing, got %q and %d saves", resp.Status, cookies, saves)
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestBeforeHook: the session commits below echo's WriteHeader, after the
// app's Before hooks, so a hook can still change the session and the
// headers, and exactly one Set-Cookie goes out.
func TestBeforeHook(t *testing.T) {
	st := adaptertest.NewStore(t)
	m := adaptertest.NewManager(t, st, nil)
	e := newEcho()
	e.Use(echosession.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		echosession.From(c).Set("k", "v")
		c.Response().Before(func() {
			echosession.From(c).Set("hook", "ran")
			c.Response().Header().Set("X-Hook", "ran")
		})
		return c.String(http.StatusOK, "ok")
	})
	e.GET("/read", func(c echo.Context) error {
		return c.String(http.StatusOK, echosession.From(c).GetString("hook"))
	})
	client := adaptertest.NewClient(t, e)
	resp := client.Get(t, "/", "")
	checkSaved(t, resp, st, true)
	if got := resp.Header.Get("X-Hook"); got != "ran" {
		t.Errorf("X-Hook = %q, want the hook's header", got)
	}
	cookies := resp.SetCookies()
	if len(cookies) != 1 {
		t.Fatalf("Set-Cookie %v", cookies)
	}
	if read := client.Get(t, "/read", cookies[0].Name+"="+cookies[0].Value); read.Body != "ran" {
		t.Errorf("the hook's write to the session: read back %d %q, want ran", read.Status, read.Body)
	}
}

// TestErrorHandlerPath: a handler's error is rendered by HTTPErrorHandler
// after the middleware returned, from outside (echo's ServeHTTP) or from
// a middleware such as Logger that calls c.Error inside the chain; the
// commit happens then, once, with the page's status.
func TestErrorHandlerPath(t *testing.T) {
	for _, tc := range []struct {
		name       string
		outer      echo.MiddlewareFunc
		err        error
		wantStatus int
		wantSave   bool
	}{
		{"ServeHTTP 404", nil, echo.ErrNotFound, 404, true},
		{"ServeHTTP 500", nil, errHandler, 500, false},
		{"Logger 404", middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{LogStatus: true, LogValuesFunc: func(echo.Context, middleware.RequestLoggerValues) error { return nil }}), echo.ErrNotFound, 404, true},
		{"Logger 500", middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{LogStatus: true, LogValuesFunc: func(echo.Context, middleware.RequestLoggerValues) error { return nil }}), errHandler, 500, false},
		{"Recover 500", middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}), nil, 500, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := adaptertest.NewStore(t)
			m := adaptertest.NewManager(t, st, nil)
			e := newEcho()
			calls := 0
			e.HTTPErrorHandler = func(err error, c echo.Context) {
				calls++
				e.DefaultHTTPErrorHandler(err, c)
			}
			if tc.outer != nil {
				e.Use(tc.outer)
			}
			e.Use(echosession.Middleware(m))
			e.GET("/", func(c echo.Context) error {
				echosession.From(c).Set("k", "v")
				if tc.err == nil {
					panic("boom")
				}
				return tc.err
			})
			resp := adaptertest.NewClient(t, e).Get(t, "/", "")
			if resp.Status != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.Status, tc.wantStatus)
			}
			checkSaved(t, resp, st, tc.wantSave)
			if calls != 1 {
				t.Errorf("HTTPErrorHandler ran %d times, want 1", calls)
			}
		})
	}
}

// TestGzip: echo's Gzip middleware, outside or inside the session
// middleware, and on the error handler path.
func TestGzip(t *testing.T) {
	body := strings.Repeat("compress me ", 200)
	for _, tc := range []struct {
		name   string
		inside bool
		err    error
		status int
	}{
		{"outside", false, nil, 200},
		{"inside", true, nil, 200},
		{"outside, error page", false, echo.NewHTTPError(http.StatusTeapot, body), 418},
		{"inside, error page", true, echo.NewHTTPError(http.StatusTeapot, body), 418},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := adaptertest.NewStore(t)
			m := adaptertest.NewManager(t, st, nil)
			e := newEcho()
			gz := middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 10})
			if !tc.inside {
				e.Use(gz)
			}
			e.Use(echosession.Middleware(m))
			if tc.inside {
				e.Use(gz)
			}
			e.GET("/", func(c echo.Context) error {
				echosession.From(c).Set("k", "v")
				if tc.err != nil {
					return tc.err
				}
				return c.String(http.StatusOK, body)
			})
			resp := adaptertest.NewClient(t, e).Send(t, http.MethodGet, "/", http.Header{"Accept-Encoding": {"gzip"}})
			if resp.Status != tc.status {
				t.Errorf("status %d, want %d", resp.Status, tc.status)
			}
			checkSaved(t, resp, st, true)
			got := resp.Body
			if resp.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader([]byte(resp.Body)))
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if !strings.Contains(got, "compress me compress me") {
				t.Errorf("body %.60q... lost its content", got)
			}
		})
	}
}

func TestFrom(t *testing.T) {
	e := newEcho()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	for name, c := range map[string]echo.Context{"nil context": nil, "no request": e.NewContext(nil, nil), "no middleware": e.NewContext(req, nil)} {
		msg := panicMessage(func() { echosession.From(c) })
		if !strings.Contains(msg, "echosession.Middleware(m)") {
			t.Errorf("%s: From panics with %q, want a message naming echosession.Middleware(m)", name, msg)
		}
	}

	m := adaptertest.NewManager(t, adaptertest.NewStore(t), nil)
	e.Use(echosession.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		s := echosession.From(c)
		if s == nil || s != sessions.FromContext(c.Request().Context()) || s != m.FromContext(c.Request().Context()) {
			t.Error("Get and the request context disagree")
		}
		return c.NoContent(http.StatusNoContent)
	})
	adaptertest.NewClient(t, e).Get(t, "/", "")
}

// tagged is a net/http middleware, for echo.WrapMiddleware: it hands the
// handler its own writer and a new echo.Response.
func tagged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Tagged", "1")
		next.ServeHTTP(struct{ http.ResponseWriter }{w}, r)
	})
}

// TestWrapMiddleware: net/http middleware inside or outside ours, through
// echo.WrapMiddleware, which replaces c.Response().
func TestWrapMiddleware(t *testing.T) {
	for _, inside := range []bool{false, true} {
		t.Run(map[bool]string{false: "outside", true: "inside"}[inside], func(t *testing.T) {
			st := adaptertest.NewStore(t)
			m := adaptertest.NewManager(t, st, nil)
			e := newEcho()
			if !inside {
				e.Use(echo.WrapMiddleware(tagged))
			}
			e.Use(echosession.Middleware(m))
			if inside {
				e.Use(echo.WrapMiddleware(tagged))
			}
			e.GET("/", func(c echo.Context) error {
				echosession.From(c).Set("k", "v")
				return c.String(http.StatusOK, "ok")
			})
			e.GET("/err", func(c echo.Context) error {
				echosession.From(c).Set("k", "v")
				return echo.ErrNotFound
			})
			client := adaptertest.NewClient(t, e)
			resp := client.Get(t, "/", "")
			if resp.Status != http.StatusOK || resp.Header.Get("X-Tagged") != "1" {
				t.Errorf("got %d, X-Tagged %q", resp.Status, resp.Header.Get("X-Tagged"))
			}
			checkSaved(t, resp, st, true)
			st.ResetCalls()
			resp = client.Get(t, "/err", "")
			if resp.Status != http.StatusNotFound {
				t.Errorf("error page: got %d", resp.Status)
			}
			checkSaved(t, resp, st, true)
		})
	}
}

// panicMessage runs fn and returns what it panicked with, as a string.
func panicMessage(fn func()) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	fn()
	return "no panic"
}
