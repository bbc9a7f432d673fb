package adaptertest

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Client sends requests to a real server (httptest.Server), so nothing
// between the handler and the connection buffers or reorders headers.
// It keeps no cookie jar and follows no redirect: tests say which cookie
// each request carries and see every response.
type Client struct {
	base string
	http *http.Client
}

// NewClient starts a server for h, closed when t ends.
func NewClient(t testing.TB, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DisableCompression = true
	t.Cleanup(tr.CloseIdleConnections)
	return &Client{base: srv.URL, http: &http.Client{
		Transport: tr,
		// Each response's own cookies matter: never follow redirects.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Response is what a request got back, body included.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// SetCookies returns the response's Set-Cookie lines, parsed.
func (r *Response) SetCookies() []*http.Cookie {
	var out []*http.Cookie
	for _, line := range r.Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// Get sends a GET for path with cookie ("name=value", or "" for none),
// reads the whole body, and fails t on a transport error.
func (c *Client) Get(t testing.TB, path, cookie string) *Response {
	t.Helper()
	return c.Send(t, http.MethodGet, path, CookieHeader(cookie))
}

// Send sends a request with header, reads the whole body, and fails t on a
// transport error.
func (c *Client) Send(t testing.TB, method, path string, header http.Header) *Response {
	t.Helper()
	resp, err := c.send(t.Context(), method, path, header)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TryGet is Get for goroutines other than the test's: it returns the error.
func (c *Client) TryGet(ctx context.Context, path, cookie string) (*Response, error) {
	return c.send(ctx, http.MethodGet, path, CookieHeader(cookie))
}

func (c *Client) send(ctx context.Context, method, path string, header http.Header) (*Response, error) {
	resp, err := c.Do(ctx, method, path, header)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}, nil
}

// Do sends a request and returns the response with its body unread; the
// caller closes it.
func (c *Client) Do(ctx context.Context, method, path string, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	maps.Copy(req.Header, header)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return resp, nil
}

// CookieHeader returns a header sending cookie ("name=value"), or none
// for "".
func CookieHeader(cookie string) http.Header {
	if cookie == "" {
		return nil
	}
	return http.Header{"Cookie": {cookie}}
}

// hasVaryCookie reports whether h varies on Cookie.
func hasVaryCookie(h http.Header) bool {
	for _, line := range h.Values("Vary") {
		for part := range strings.SplitSeq(line, ",") {
			if strings.EqualFold(strings.TrimSpace(part), "Cookie") {
				return true
			}
		}
	}
	return false
}
