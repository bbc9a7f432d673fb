package ginsession_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/adaptertest"
)

// serve runs one route behind the middleware on a real server.
func serve(t *testing.T, m *sessions.Manager, register func(r *gin.Engine), opts ...ginsession.Option) *adaptertest.Client {
	t.Helper()
	r := gin.New()
	r.Use(ginsession.Middleware(m, opts...))
	register(r)
	return adaptertest.NewClient(t, r)
}

// TestResponsePaths checks that every way gin sends headers carries the
// cookie, and that a 5xx saves nothing.
func TestResponsePaths(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "page.txt")
	if err := os.WriteFile(file, []byte("file body"), 0o600); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)

	cases := []struct {
		name       string
		method     string
		header     http.Header
		handle     gin.HandlerFunc
		wantStatus int
		wantBody   string // substring
		wantSave   bool
	}{
		{name: "String", handle: func(c *gin.Context) { c.String(http.StatusOK, "hi %s", "there") },
			wantStatus: 200, wantBody: "hi there", wantSave: true},
		{name: "JSON", handle: func(c *gin.Context) { c.JSON(http.StatusCreated, gin.H{"ok": true}) },
			wantStatus: 201, wantBody: `{"ok":true}`, wantSave: true},
		{name: "Data", handle: func(c *gin.Context) { c.Data(http.StatusOK, "application/octet-stream", []byte("raw")) },
			wantStatus: 200, wantBody: "raw", wantSave: true},
		{name: "WriteString", handle: func(c *gin.Context) { _, _ = c.Writer.WriteString("direct") },
			wantStatus: 200, wantBody: "direct", wantSave: true},
		{name: "WriteHeaderNow", handle: func(c *gin.Context) {
			c.Status(http.StatusAccepted)
			c.Writer.WriteHeaderNow()
		}, wantStatus: 202, wantSave: true},
		{name: "Status only", handle: func(c *gin.Context) { c.Status(http.StatusNoContent) },
			wantStatus: 204, wantSave: true},
		{name: "Abort", handle: func(c *gin.Context) { c.Abort() },
			wantStatus: 200, wantSave: true},
		{name: "AbortWithStatus 401", handle: func(c *gin.Context) { c.AbortWithStatus(http.StatusUnauthorized) },
			wantStatus: 401, wantSave: true},
		{name: "AbortWithStatus 500", handle: func(c *gin.Context) { c.AbortWithStatus(http.StatusInternalServerError) },
			wantStatus: 500},
		{name: "String 503", handle: func(c *gin.Context) { c.String(http.StatusServiceUnavailable, "down") },
			wantStatus: 503, wantBody: "down"},
		{name: "Redirect", handle: func(c *gin.Context) { c.Redirect(http.StatusFound, "/next") },
			wantStatus: 302, wantSave: true},
		{name: "File", handle: func(c *gin.Context) { c.File(file) },
			wantStatus: 200, wantBody: "file body", wantSave: true},
		{name: "File not modified", header: http.Header{"If-Modified-Since": {future}},
			handle: func(c *gin.Context) { c.File(file) }, wantStatus: 304, wantSave: true},
		{name: "File HEAD", method: http.MethodHead, handle: func(c *gin.Context) { c.File(file) },
			wantStatus: 200, wantSave: true},
		{name: "Stream", handle: func(c *gin.Context) {
			n := 0
			c.Stream(func(w io.Writer) bool {
				_, _ = io.WriteString(w, "chunk;")
				n++
				return n < 3
			})
		}, wantStatus: 200, wantBody: "chunk;chunk;chunk;", wantSave: true},
		{name: "SSE", handle: func(c *gin.Context) {
			c.SSEvent("greeting", "hello")
			c.Writer.Flush()
		}, wantStatus: 200, wantBody: "event:greeting\ndata:hello", wantSave: true},
		{name: "ResponseController Flush", handle: func(c *gin.Context) {
			if err := http.NewResponseController(c.Writer).Flush(); err != nil {
				t.Error(err)
			}
			_, _ = c.Writer.Write([]byte("after flush"))
		}, wantStatus: 200, wantBody: "after flush", wantSave: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := adaptertest.NewStore(t)
			m := adaptertest.NewManager(t, st, nil)
			client := serve(t, m, func(r *gin.Engine) {
				r.Handle(cmpOr(tc.method, http.MethodGet), "/", func(c *gin.Context) {
					ginsession.From(c).Set("k", "v")
					tc.handle(c)
				})
			})
			resp := client.Send(t, cmpOr(tc.method, http.MethodGet), "/", tc.header)
			if resp.Status != tc.wantStatus || !strings.Contains(resp.Body, tc.wantBody) {
				t.Errorf("got %d %q, want %d containing %q", resp.Status, resp.Body, tc.wantStatus, tc.wantBody)
			}
			cookies := resp.Header.Values("Set-Cookie")
			saves := st.Calls().Save
			if tc.wantSave && (len(cookies) != 1 || saves != 1) {
				t.Errorf("want one cookie and one save, got cookies %q, %d saves", cookies, saves)
			}
			if !tc.wantSave && (len(cookies) != 0 || saves != 0) {
				t.Errorf("a %d response must save nothing, got cookies %q, %d saves", resp.Status, cookies, saves)
			}
		})
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestNoRoute: gin's 404 path runs the middleware and writes after the
// chain; the cookie still goes out with the 404.
func TestNoRoute(t *testing.T) {
	st := adaptertest.NewStore(t)
	m := adaptertest.NewManager(t, st, nil)
	client := serve(t, m, func(r *gin.Engine) {
		r.NoRoute(func(c *gin.Context) { ginsession.From(c).Set("missed", c.Request.URL.Path) })
	})
	resp := client.Get(t, "/nowhere", "")
	if resp.Status != http.StatusNotFound || len(resp.SetCookies()) != 1 || st.Calls().Save != 1 {
		t.Errorf("got %d %q with cookies %q and %d saves", resp.Status, resp.Body, resp.Header.Values("Set-Cookie"), st.Calls().Save)
	}
}

// TestRecoveryPanic: a panic answered 500 by gin.Recovery saves nothing.
func TestRecoveryPanic(t *testing.T) {
	st := adaptertest.NewStore(t)
	m := adaptertest.NewManager(t, st, nil)
	r := gin.New()
	r.Use(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, _ any) {
		c.AbortWithStatus(http.StatusInternalServerError)
	}))
	r.Use(ginsession.Middleware(m))
	r.GET("/", func(c *gin.Context) {
		ginsession.From(c).Set("k", "v")
		panic("boom")
	})
	resp := adaptertest.NewClient(t, r).Get(t, "/", "")
	if resp.Status != http.StatusInternalServerError || len(resp.SetCookies()) != 0 || st.Calls().Save != 0 {
		t.Errorf("got %d with cookies %q and %d saves, want a bare 500", resp.Status, resp.Header.Values("Set-Cookie"), st.Calls().Save)
	}
}

func TestFrom(t *testing.T) {
	c, _ := gin.CreateTestContext(nil)
	for name, c := range map[string]*gin.Context{"nil context": nil, "no request": c, "no middleware": withRequest(t, c)} {
		msg := panicMessage(func() { ginsession.From(c) })
		if !strings.Contains(msg, "ginsession.Middleware(m)") {
			t.Errorf("%s: From panics with %q, want a message naming ginsession.Middleware(m)", name, msg)
		}
	}

	m := adaptertest.NewManager(t, adaptertest.NewStore(t), nil)
	client := serve(t, m, func(r *gin.Engine) {
		r.GET("/", func(c *gin.Context) {
			s := ginsession.From(c)
			if s == nil || s != sessions.FromContext(c.Request.Context()) || s != m.FromContext(c.Request.Context()) {
				t.Error("Get and the request context disagree")
			}
			c.Status(http.StatusNoContent)
		})
	})
	client.Get(t, "/", "")
}

func withRequest(t *testing.T, c *gin.Context) *gin.Context {
	cc := c.Copy()
	cc.Request, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	return cc
}

// panicMessage runs fn and returns what it panicked with, as a string.
func panicMessage(fn func()) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	fn()
	return "no panic"
}
