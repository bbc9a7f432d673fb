package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1 // the store failed
	exitUsage    = 2
	exitNotFound = 3
)

// errUsage and errNotFound pick the exit code of an error.
var (
	errUsage    = errors.New("usage")
	errNotFound = errors.New("not found")
)

// env looks up an environment variable ("" when unset); tests pass their
// own.
type env func(string) string

// command is one subcommand.
type command struct {
	name    string
	summary string
	example string
	run     func(ctx context.Context, o *options, args []string, stdout io.Writer) error
	flags   func(fs *flag.FlagSet, o *options)
}

func commands() []command {
	return []command{
		{name: "clear", summary: "delete expired sessions, in batches (Django's clearsessions)",
			example: "SESSIONKIT_SECRET=... sessionkit clear --store postgres --dsn \"$DATABASE_URL\" --batch 1000",
			run:     runClear, flags: clearFlags},
		{name: "show", summary: "show one session, decoded and verified with the secret",
			example: "SESSIONKIT_SECRET=... sessionkit show --store redis --redis-url redis://127.0.0.1:6379/0 KEY",
			run:     runShow},
		{name: "users", summary: "list or revoke a user's sessions: users list USER | users revoke USER (ID... | --all) [--except ID]",
			example: "SESSIONKIT_SECRET=... sessionkit users list --store sqlite --dsn app.db alice\n      SESSIONKIT_SECRET=... sessionkit users revoke --store sqlite --dsn app.db alice --all",
			run:     runUsers, flags: usersFlags},
		{name: "count", summary: "count live sessions, or a user's with --user",
			example: "sessionkit count --store mysql --dsn 'user:pass@tcp(127.0.0.1:3306)/app?parseTime=true'",
			run:     runCount, flags: countFlags},
	}
}

// run is the command: it returns the exit code.
func run(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == args[0] {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "sessionkit: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	o := &options{}
	fs := flag.NewFlagSet("sessionkit "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.register(fs, getenv)
	if cmd.flags != nil {
		cmd.flags(fs, o)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "sessionkit %s: %s\n\nExample:\n      %s\n\nFlags:\n", cmd.name, cmd.summary, cmd.example)
		fs.PrintDefaults()
	}
	pos, err := parse(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return exitOK
	}
	if err != nil {
		return exitUsage // flag printed the error and the usage
	}
	if o.secret == "" {
		o.secret = getenv("SESSIONKIT_SECRET")
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if err := cmd.run(ctx, o, pos, stdout); err != nil {
		fmt.Fprintf(stderr, "sessionkit %s: %v\n", cmd.name, err)
		switch {
		case errors.Is(err, errUsage):
			return exitUsage
		case errors.Is(err, errNotFound):
			return exitNotFound
		}
		return exitFailure
	}
	return exitOK
}

// parse parses flags wherever they stand among the positional arguments
// ("users revoke alice --all" as well as "users revoke --all alice").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `sessionkit: the operator's command for sessionkit's session stores.

Usage:
      sessionkit COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-7s %s\n          e.g. %s\n", c.name, c.summary, strings.ReplaceAll(c.example, "\n      ", "\n               "))
	}
	fmt.Fprint(w, `
The store: --store sqlite|postgres|mysql|redis|redis-cluster with --dsn,
--redis-url or --redis-addrs (or SESSIONKIT_STORE, SESSIONKIT_DSN,
SESSIONKIT_REDIS_URL, SESSIONKIT_REDIS_ADDRS). The secret that signs the
sessions: SESSIONKIT_SECRET. "sessionkit COMMAND --help" lists every flag.

Exit codes: 0 done, 1 the store failed, 2 usage error, 3 not found.
`)
}

// defaultTimeout bounds a whole run unless --timeout says otherwise.
const defaultTimeout = 5 * time.Minute
