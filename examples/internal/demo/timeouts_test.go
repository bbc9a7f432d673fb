package demo

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

// startWith serves h with tm on a loopback port until the test ends.
func startWith(t *testing.T, h http.Handler, tm timeouts) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, h, slog.New(slog.DiscardHandler), tm) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// closedWithin reports whether the server closes c before limit: a read
// returns EOF (or a reset) instead of timing out on our own deadline.
func closedWithin(t *testing.T, c net.Conn, limit time.Duration) bool {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

// Each limit of the demo servers is in force: a client that never
// finishes its headers, or that sends its body too slowly, is dropped, a
// kept-alive connection is closed once idle, and a handler's context has a
// deadline.
func TestServerTimeouts(t *testing.T) {
	short := timeouts{ReadHeader: 200 * time.Millisecond, Read: 300 * time.Millisecond, Write: time.Second, Idle: 200 * time.Millisecond, Request: 500 * time.Millisecond}
	deadline := make(chan time.Duration, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d, ok := r.Context().Deadline(); ok {
			deadline <- time.Until(d)
		} else {
			deadline <- 0
		}
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "ok")
	})
	addr := startWith(t, h, short)
	const limit = 5 * time.Second // far beyond every timeout above

	t.Run("slow headers", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n") // never ends
		if !closedWithin(t, c, limit) {
			t.Fatal("a client that never finished its headers kept its connection")
		}
	})
	t.Run("slow body", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, _ = io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
		<-deadline // the handler started and waits for the rest
		if !closedWithin(t, c, limit) {
			t.Fatal("a client that never finished its body kept its connection")
		}
	})
	t.Run("idle", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if d := <-deadline; d <= 0 || d > short.Request {
			t.Errorf("handler's deadline %v from now, want within %v", d, short.Request)
		}
		if !closedWithin(t, c, limit) {
			t.Fatal("an idle kept-alive connection was not closed")
		}
	})
}

// The defaults set every limit.
func TestDefaultTimeoutsAllSet(t *testing.T) {
	tm := defaultTimeouts()
	for name, d := range map[string]time.Duration{"ReadHeader": tm.ReadHeader, "Read": tm.Read, "Write": tm.Write, "Idle": tm.Idle, "Request": tm.Request} {
		if d <= 0 {
			t.Errorf("%s is unset", name)
		}
	}
}
