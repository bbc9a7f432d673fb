package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/sessionkit/sessionkit/benchmarks"
)

type config struct {
	duration    time.Duration
	connections int
	threads     int
	rounds      int
	sessions    int
	route       string
	wrk         string
	redisURL    string
	postgresDSN string
	targets     []benchmarks.Target
}

// options are the servers the environment names.
func (c config) options() benchmarks.Options {
	return benchmarks.Options{RedisURL: c.redisURL, PostgresDSN: c.postgresDSN}
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("e2e: ")
	var cfg config
	flag.DurationVar(&cfg.duration, "duration", 3*time.Second, "wrk run time per target and round")
	flag.IntVar(&cfg.connections, "connections", 32, "wrk connections")
	flag.IntVar(&cfg.threads, "threads", 2, "wrk threads")
	flag.IntVar(&cfg.rounds, "rounds", 5, "rounds over all targets (medians are taken by cmd/report)")
	flag.IntVar(&cfg.sessions, "sessions", 1024, "sessions seeded per target; requests cycle through them")
	flag.StringVar(&cfg.route, "route", benchmarks.RouteC, "route to load")
	flag.StringVar(&cfg.wrk, "wrk", "wrk", "wrk binary")
	flag.Parse()
	cfg.redisURL = os.Getenv("SESSIONKIT_REDIS_URL")
	cfg.postgresDSN = os.Getenv("SESSIONKIT_POSTGRES_DSN")
	var err error
	if cfg.targets, err = selectTargets(flag.Args()); err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// defaultTargets are gin bare and gin's session targets, ordered so that
// each comparison of the issue runs back to back within a round.
var defaultTargets = []string{
	"gin/bare", "gin/sessionkit-cookie", "gin/gincontrib-cookie",
	"gin/sessionkit-redis", "gin/gincontrib-redis", "gin/scs-redis",
	"gin/sessionkit-memory", "gin/sessionkit-gorm", "gin/sessionkit-postgres",
}

// selectTargets returns the named targets, or defaultTargets.
func selectTargets(names []string) ([]benchmarks.Target, error) {
	if len(names) == 0 {
		names = defaultTargets
	}
	var ts []benchmarks.Target
	for _, n := range names {
		t, ok := benchmarks.LookupE2E(n)
		if !ok {
			return nil, fmt.Errorf("unknown target %q", n)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	dir, err := os.MkdirTemp("", "sessionkit-e2e-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(out, "goos: linux\npkg: github.com/sessionkit/sessionkit/benchmarks/cmd/e2e\n")
	fmt.Fprintf(out, "e2e: wrk -t%d -c%d -d%s --latency, %d sessions, route %s\n",
		cfg.threads, cfg.connections, cfg.duration, cfg.sessions, cfg.route)
	for round := range cfg.rounds {
		for _, t := range cfg.targets {
			if env := t.MissingEnv(cfg.options()); env != "" {
				log.Printf("skipping %s: %s is not set", t.Name(), env)
				continue
			}
			res, err := measure(ctx, cfg, t, filepath.Join(dir, fmt.Sprintf("r%d", round)))
			if err != nil {
				return fmt.Errorf("%s: %w", t.Name(), err)
			}
			fmt.Fprintln(out, res.benchLine("BenchmarkE2E/"+scenarioOf(cfg.route)+"/"+t.Name()))
		}
	}
	return nil
}

func scenarioOf(route string) string {
	switch route {
	case benchmarks.RouteA:
		return "A"
	case benchmarks.RouteB:
		return "B"
	}
	return "C"
}

// measure serves t on a fresh loopback listener and runs wrk against it.
func measure(ctx context.Context, cfg config, t benchmarks.Target, dir string) (result, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return result{}, err
	}
	opts := cfg.options()
	opts.Dir = dir
	in, err := benchmarks.Start(ctx, t, opts)
	if err != nil {
		return result{}, err
	}
	defer in.Close()
	cookies := make([]string, cfg.sessions)
	for i := range cookies {
		if cookies[i], err = in.Seed(ctx); err != nil {
			return result{}, err
		}
	}
	script := filepath.Join(dir, "cookies.lua")
	if err := os.WriteFile(script, []byte(luaScript(cfg.route, cookies)), 0o644); err != nil {
		return result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	srv := &http.Server{Handler: in.Handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	res, werr := runWrk(ctx, cfg, "http://"+ln.Addr().String()+cfg.route, script)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	serr := srv.Shutdown(sctx)
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		serr = errors.Join(serr, err)
	}
	return res, errors.Join(werr, serr)
}
