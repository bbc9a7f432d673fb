package demo

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestServeDrains checks the graceful shutdown: a request in flight when
// the signal comes is answered in full, and Serve returns only after it.
func TestServeDrains(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, h, slog.New(slog.DiscardHandler)) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	stop() // the signal, while the request runs
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: %q, %v", r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Error("the listener still accepts connections after shutdown")
	}
}

// TestRun starts an app through Run as main does, and stops it.
func TestRun(t *testing.T) {
	ctx, stop := context.WithCancel(t.Context())
	var app *App
	routes := func(a *App) http.Handler {
		app = a
		stop() // shut down as soon as the server is up
		return http.NotFoundHandler()
	}
	var stderr strings.Builder
	err := Run(ctx, "Chi", []string{"-addr", "127.0.0.1:0", "-store", "memory"}, func(string) string { return "" }, &stderr, routes)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, stderr.String())
	}
	if app == nil {
		t.Fatal("routes was not called")
	}
	for _, s := range []string{"SECRET_KEY is not set", "listening", "store=memory", "shutting down", "stopped"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
		}
	}
	if err := app.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"help", []string{"-h"}, flag.ErrHelp.Error()},
		{"bad address", []string{"-store", "memory", "-addr", "127.0.0.1:-1"}, "invalid port"},
		{"bad Redis URL", []string{"-store", "redis", "-redis", "http://x"}, "Redis URL"},
		{"unreachable Redis", []string{"-store", "redis", "-redis", "redis://127.0.0.1:1/0"}, "connecting to 127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			routes := func(*App) http.Handler {
				t.Error("routes called")
				return http.NotFoundHandler()
			}
			env := func(k string) string {
				if k == "SECRET_KEY" {
					return "test"
				}
				return ""
			}
			err := Run(t.Context(), "Chi", tt.args, env, io.Discard, routes)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if tt.name == "help" && !errors.Is(err, flag.ErrHelp) {
				t.Errorf("err = %v, want flag.ErrHelp", err)
			}
		})
	}
}
