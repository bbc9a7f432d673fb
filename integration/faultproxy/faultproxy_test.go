package faultproxy_test

import (
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessionkit/integration/faultproxy"
)

// echoServer echoes every connection until t ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = io.Copy(c, c)
				_ = c.Close()
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// roundTrip writes msg and reads it back within timeout.
func roundTrip(c net.Conn, msg string, timeout time.Duration) (string, error) {
	_ = c.SetDeadline(time.Now().Add(timeout))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	buf := make([]byte, len(msg))
	_, err := io.ReadFull(c, buf)
	return string(buf), err
}

func TestPass(t *testing.T) {
	p := faultproxy.New(t, echoServer(t))
	c := dial(t, p.Addr())
	if got, err := roundTrip(c, "hello", time.Second); err != nil || got != "hello" {
		t.Fatalf("round trip = %q, %v", got, err)
	}
	if p.Mode() != faultproxy.Pass || p.Conns() != 1 || p.Accepted() != 1 {
		t.Fatalf("mode %v, %d conns, %d accepted", p.Mode(), p.Conns(), p.Accepted())
	}
}

func TestDelay(t *testing.T) {
	p := faultproxy.New(t, echoServer(t))
	c := dial(t, p.Addr())
	p.Delay(100 * time.Millisecond)
	start := time.Now()
	if got, err := roundTrip(c, "slow", 2*time.Second); err != nil || got != "slow" {
		t.Fatalf("round trip = %q, %v", got, err)
	}
	// Delayed on the way there and on the way back.
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Fatalf("delayed round trip took %v, want >= 200ms", took)
	}
	p.Pass()
	start = time.Now()
	if _, err := roundTrip(c, "fast", time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("round trip after Pass: %v", time.Since(start))
}

func TestBlackhole(t *testing.T) {
	p := faultproxy.New(t, echoServer(t))
	c := dial(t, p.Addr())
	p.Blackhole()
	if _, err := roundTrip(c, "lost?", 200*time.Millisecond); !isTimeout(err) {
		t.Fatalf("round trip through a black hole = %v, want a timeout", err)
	}
	// New connections are accepted, and answer nothing either.
	c2 := dial(t, p.Addr())
	if _, err := roundTrip(c2, "x", 200*time.Millisecond); !isTimeout(err) {
		t.Fatalf("new connection through a black hole = %v, want a timeout", err)
	}
	// What was held is delivered once traffic passes again.
	p.Pass()
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "lost?" {
		t.Fatalf("held data = %q, %v", buf, err)
	}
}

func TestReset(t *testing.T) {
	p := faultproxy.New(t, echoServer(t))
	c := dial(t, p.Addr())
	if _, err := roundTrip(c, "a", time.Second); err != nil {
		t.Fatal(err)
	}
	p.Reset()
	if _, err := roundTrip(c, "b", time.Second); err == nil || isTimeout(err) {
		t.Fatalf("round trip after Reset = %v, want a connection error", err)
	}
	// New connections are reset at once.
	c2, err := net.DialTimeout("tcp", p.Addr(), time.Second)
	if err == nil {
		defer c2.Close()
		_, err = roundTrip(c2, "c", time.Second)
	}
	if err == nil || isTimeout(err) {
		t.Fatalf("new connection during Reset = %v, want a connection error", err)
	}
	t.Logf("error during Reset: %v", err)
	p.Pass()
	c3 := dial(t, p.Addr())
	if got, err := roundTrip(c3, "d", time.Second); err != nil || got != "d" {
		t.Fatalf("round trip after Pass = %q, %v", got, err)
	}
}

func TestCloseEndsGoroutines(t *testing.T) {
	target := echoServer(t)
	settle()
	before := runtime.NumGoroutine()
	p, err := faultproxy.Start(target)
	if err != nil {
		t.Fatal(err)
	}
	var cs []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
		if _, err := roundTrip(c, "x", time.Second); err != nil {
			t.Fatal(err)
		}
	}
	p.Blackhole()
	for _, c := range cs {
		_, _ = c.Write([]byte("held"))
	}
	p.Close()
	p.Close() // idempotent
	for _, c := range cs {
		_ = c.Close()
	}
	// The echo server's own goroutines for these connections end too.
	if n := settleTo(before); n > before {
		t.Fatalf("%d goroutines before, %d after Close", before, n)
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), 200*time.Millisecond); err == nil {
		t.Fatal("dial after Close succeeded")
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func settle() { time.Sleep(50 * time.Millisecond) }

// settleTo waits up to 2s for the goroutine count to fall to n and
// returns the last count.
func settleTo(n int) int {
	var got int
	for deadline := time.Now().Add(2 * time.Second); ; {
		got = runtime.NumGoroutine()
		if got <= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}
