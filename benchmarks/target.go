package benchmarks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
)

// ErrNoRedis is returned by Start for a target that needs Redis when
// Options.RedisURL is empty.
var ErrNoRedis = errors.New("benchmarks: target needs Redis (set SESSIONKIT_REDIS_URL)")

// Target is one configuration under test: a framework, a session library
// and a store.
type Target struct {
	// Framework is gin, echo, chi or nethttp.
	Framework string
	// Library is bare (no sessions), sessionkit or the peer's name.
	Library string
	// Store is the session store ("" for bare).
	Store string
	// Redis reports whether the target needs Options.RedisURL.
	Redis bool
	// Postgres reports whether the target needs Options.PostgresDSN.
	Postgres bool

	build func(ctx context.Context, in *Instance) (http.Handler, error)
}

// Name is the target's benchmark name: framework/library[-store].
func (t Target) Name() string { return t.Framework + "/" + t.Impl() }

// Impl is the library and store part of Name.
func (t Target) Impl() string {
	if t.Store == "" {
		return t.Library
	}
	return t.Library + "-" + t.Store
}

// IsBare reports whether the target is a framework without sessions.
func (t Target) IsBare() bool { return t.Library == LibBare }

// Libraries.
const (
	LibBare        = "bare"
	LibSessionkit  = "sessionkit"
	LibGinContrib  = "gincontrib"
	LibEchoContrib = "echocontrib"
	LibSCS         = "scs"
	LibGorilla     = "gorilla"
)

// Frameworks.
const (
	FwGin     = "gin"
	FwEcho    = "echo"
	FwChi     = "chi"
	FwNetHTTP = "nethttp"
)

// Stores.
const (
	StoreMemory    = "memory"
	StoreCookie    = "cookie"
	StoreCookieEnc = "cookieenc" // signed and encrypted
	StoreRedis     = "redis"
	StoreGorm      = "gorm"
)

// Targets returns every configuration, baselines first.
func Targets() []Target {
	var ts []Target
	for _, fw := range []string{FwGin, FwEcho, FwChi, FwNetHTTP} {
		ts = append(ts, bareTarget(fw))
	}
	for _, fw := range sessionkitFrameworks() {
		for _, st := range []string{StoreMemory, StoreCookie, StoreCookieEnc, StoreRedis, StoreGorm} {
			ts = append(ts, sessionkitTarget(fw, st))
		}
	}
	ts = append(ts,
		ginContribTarget(StoreCookie),
		ginContribTarget(StoreRedis),
		echoContribTarget(),
		scsTarget(StoreMemory),
		scsTarget(StoreRedis),
		gorillaTarget(StoreCookie),
		gorillaTarget(StoreCookieEnc),
	)
	return ts
}

// Lookup returns the target called name.
func Lookup(name string) (Target, bool) {
	ts := Targets()
	i := slices.IndexFunc(ts, func(t Target) bool { return t.Name() == name })
	if i < 0 {
		return Target{}, false
	}
	return ts[i], true
}

// Options configures Start.
type Options struct {
	// RedisURL is redis://host:port/db. Targets with Redis fail with
	// ErrNoRedis when it is empty.
	RedisURL string
	// Dir holds SQLite databases. Required by the gorm targets.
	Dir string
	// PostgresDSN is the PostgreSQL database of PostgresTarget.
	PostgresDSN string
}

// MissingEnv returns the environment variable of the server t needs and
// o lacks (SESSIONKIT_REDIS_URL, SESSIONKIT_POSTGRES_DSN), or "" when o
// has what t needs: the commands and tests skip t then.
func (t Target) MissingEnv(o Options) string {
	switch {
	case t.Redis && o.RedisURL == "":
		return "SESSIONKIT_REDIS_URL"
	case t.Postgres && o.PostgresDSN == "":
		return "SESSIONKIT_POSTGRES_DSN"
	}
	return ""
}

// Instance is a started target: its handler, serving the Route*
// routes, and the cookie of the session it was seeded with.
type Instance struct {
	Target  Target
	Handler http.Handler
	// Cookie is the Cookie request header carrying the seeded session
	// ({"user": "alice", "visits": 41}).
	Cookie string

	opts    Options
	prefix  string  // Redis key prefix of this instance
	sqlDB   *sql.DB // the database of a gorm or PostgreSQL target
	table   string  // a PostgreSQL target's session table
	closers []func() error
}

// SQLDB returns the database of a gorm target, or nil.
func (in *Instance) SQLDB() *sql.DB { return in.sqlDB }

// Start builds t and seeds its session. Close the instance when done.
func Start(ctx context.Context, t Target, o Options) (*Instance, error) {
	if t.Redis && o.RedisURL == "" {
		return nil, ErrNoRedis
	}
	in := &Instance{Target: t, opts: o}
	h, err := t.build(ctx, in)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("benchmarks: start %s: %w", t.Name(), err), in.Close())
	}
	in.Handler = h
	if in.Cookie, err = in.Seed(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("benchmarks: seed %s: %w", t.Name(), err), in.Close())
	}
	return in, nil
}

// bareCookie is what requests to a bare framework carry: a cookie of the
// size of a session cookie, which nobody reads.
const bareCookie = CookieName + "=eyJ1c2VyIjoiYWxpY2UiLCJ2aXNpdHMiOjQxfQ:1vGmZD:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

// Seed creates another session holding the starting data and returns the
// Cookie header that carries it. Bare targets get a cookie nobody reads.
func (in *Instance) Seed(ctx context.Context) (string, error) {
	if in.Target.IsBare() {
		return bareCookie, nil
	}
	w := NewDiscardWriter()
	in.Handler.ServeHTTP(w, httptest.NewRequestWithContext(ctx, http.MethodGet, RouteSeed, nil))
	if w.Status != http.StatusOK {
		return "", fmt.Errorf("status %d", w.Status)
	}
	c := w.SessionCookie()
	if c == "" {
		return "", fmt.Errorf("no %s cookie in %q", CookieName, w.Header()["Set-Cookie"])
	}
	return c, nil
}

// Request returns a GET of route carrying the seeded session cookie. The
// request may be reused: copy it (req := *tmpl) for every ServeHTTP, since
// some libraries store state in the request they are given.
func (in *Instance) Request(ctx context.Context, route string) *http.Request {
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, route, nil)
	r.Header.Set("Cookie", in.Cookie)
	return r
}

// Close releases what the target opened, in reverse order.
func (in *Instance) Close() error {
	var errs []error
	for i := len(in.closers) - 1; i >= 0; i-- {
		errs = append(errs, in.closers[i]())
	}
	in.closers = nil
	return errors.Join(errs...)
}

func (in *Instance) onClose(f func() error) { in.closers = append(in.closers, f) }
