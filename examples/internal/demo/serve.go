package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// shutdownTimeout bounds how long in-flight requests may take to finish
// once a shutdown signal came.
const shutdownTimeout = 10 * time.Second

// timeouts are the server's limits on a connection and a request. A
// production server needs all of them: without ReadTimeout a client that
// sends a body slowly holds a connection for ever, without IdleTimeout
// kept-alive connections pile up, and without a request deadline a store
// call has only the store's own per-operation bound.
type timeouts struct {
	ReadHeader time.Duration // the request line and headers
	Read       time.Duration // the whole request, body included
	Write      time.Duration // from the end of the headers to the end of the response
	Idle       time.Duration // a kept-alive connection between requests
	Request    time.Duration // the deadline of each request's context
}

// defaultTimeouts are the demo servers' limits: generous for a page and
// its API calls, short enough that a stuck client or store is let go.
func defaultTimeouts() timeouts {
	return timeouts{
		ReadHeader: 5 * time.Second,
		Read:       10 * time.Second,
		Write:      15 * time.Second,
		Idle:       60 * time.Second,
		Request:    10 * time.Second,
	}
}

// withDeadline gives each request's context a deadline, so every store
// call the request makes ends by then (the stores honour ctx).
func withDeadline(h http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Routes builds an app's HTTP handler: the framework wiring each example's
// main.go provides.
type Routes func(*App) http.Handler

// Main runs an example app: it reads the flags and the environment, serves
// until SIGINT or SIGTERM, shuts down gracefully and exits. framework names
// the app on its page.
func Main(framework string, routes Routes) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one kills the process as usual.
	context.AfterFunc(ctx, stop)
	err := Run(ctx, framework, os.Args[1:], os.Getenv, os.Stderr, routes)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Run is Main without the process: it parses args, opens the app, listens
// on the configured address and serves until ctx is done, then shuts the
// server down and closes the store.
func Run(ctx context.Context, framework string, args []string, getenv func(string) string, stderr io.Writer, routes Routes) (err error) {
	cfg, err := ParseConfig(framework, args, getenv, stderr)
	if err != nil {
		return err
	}
	app, err := Open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	// Deferred, so the store is closed only once the server is done with it.
	defer func() { err = errors.Join(err, app.Close()) }()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	app.Log.Info("listening", "url", "http://"+ln.Addr().String()+"/", "framework", framework, "store", cfg.Store)
	err = Serve(ctx, ln, routes(app), app.Log)
	app.Log.Info("stopped")
	return err
}

// Serve serves h on ln until ctx is done, then stops accepting connections
// and waits (up to shutdownTimeout) for the requests in flight to finish,
// so that no session save is cut off half-way. It closes ln.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	return serve(ctx, ln, h, log, defaultTimeouts())
}

func serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, tm timeouts) error {
	srv := &http.Server{
		Handler:           withDeadline(h, tm.Request),
		ReadHeaderTimeout: tm.ReadHeader,
		ReadTimeout:       tm.Read,
		WriteTimeout:      tm.Write,
		IdleTimeout:       tm.Idle,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// Requests get their own context, not ctx: a shutdown signal must
		// not cancel the store calls of a request that is finishing.
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("demo: serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-served // http.ErrServerClosed once Shutdown began
	if err != nil {
		// Requests still running after the timeout are cut off.
		return errors.Join(fmt.Errorf("demo: shutdown: %w", err), srv.Close())
	}
	return nil
}
