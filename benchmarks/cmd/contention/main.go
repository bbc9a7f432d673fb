package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/sessionkit/sessionkit/benchmarks"
)

type config struct {
	writers, requests, rounds int
	redisURL                  string
	postgresDSN               string
}

// options are the servers the environment names.
func (c config) options() benchmarks.Options {
	return benchmarks.Options{RedisURL: c.redisURL, PostgresDSN: c.postgresDSN}
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("contention: ")
	var cfg config
	flag.IntVar(&cfg.writers, "writers", 32, "concurrent clients of the one session")
	flag.IntVar(&cfg.requests, "requests", 50, "increments per client and round")
	flag.IntVar(&cfg.rounds, "rounds", 3, "rounds over all targets (medians are taken by cmd/report)")
	flag.Parse()
	cfg.redisURL = os.Getenv("SESSIONKIT_REDIS_URL")
	cfg.postgresDSN = os.Getenv("SESSIONKIT_POSTGRES_DSN")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	dir, err := os.MkdirTemp("", "sessionkit-contention-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(out, "goos: linux\npkg: github.com/sessionkit/sessionkit/benchmarks/cmd/contention\n")
	fmt.Fprintf(out, "contention: %d writers × %d requests on one session, in process (ServeHTTP)\n", cfg.writers, cfg.requests)
	for round := range cfg.rounds {
		for _, t := range benchmarks.ContentionTargets() {
			if env := t.MissingEnv(cfg.options()); env != "" {
				if round == 0 {
					log.Printf("skipping %s: %s is not set", t.Name(), env)
				}
				continue
			}
			res, err := once(ctx, cfg, t, filepath.Join(dir, fmt.Sprintf("r%d", round)))
			if err != nil {
				return fmt.Errorf("%s: %w", t.Name(), err)
			}
			fmt.Fprintln(out, res.BenchLine("BenchmarkContention/"+t.Name()))
		}
	}
	return nil
}

// once runs the scenario on a fresh instance of t.
func once(ctx context.Context, cfg config, t benchmarks.ContentionTarget, dir string) (benchmarks.ContentionResult, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return benchmarks.ContentionResult{}, err
	}
	opts := cfg.options()
	opts.Dir = dir
	in, err := benchmarks.StartContention(ctx, t, opts)
	if err != nil {
		return benchmarks.ContentionResult{}, err
	}
	res, err := benchmarks.RunContention(ctx, in, cfg.writers, cfg.requests)
	return res, errors.Join(err, in.Close())
}
