package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// usersOpts are the flags of users revoke.
type usersOpts struct {
	all    bool
	except stringList
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return fmt.Sprint(*l) }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

var revokeOpts usersOpts

func usersFlags(fs *flag.FlagSet, o *options) {
	revokeOpts = usersOpts{}
	fs.BoolVar(&revokeOpts.all, "all", false, "users revoke: every session of the user")
	fs.Var(&revokeOpts.except, "except", "users revoke --all: keep the session with this ID (repeatable)")
}

// runUsers is "users list USER" and "users revoke USER ...".
func runUsers(ctx context.Context, o *options, args []string, stdout io.Writer) error {
	if len(args) < 2 || (args[0] != "list" && args[0] != "revoke") {
		return fmt.Errorf("%w: want users list USER, or users revoke USER (ID... | --all)", errUsage)
	}
	verb, user, ids := args[0], args[1], args[2:]
	switch {
	case verb == "list" && (len(ids) > 0 || revokeOpts.all || len(revokeOpts.except) > 0):
		return fmt.Errorf("%w: users list takes one user and no --all or --except", errUsage)
	case verb == "revoke" && revokeOpts.all == (len(ids) > 0):
		return fmt.Errorf("%w: users revoke takes session IDs or --all, not both", errUsage)
	case verb == "revoke" && len(revokeOpts.except) > 0 && !revokeOpts.all:
		return fmt.Errorf("%w: --except goes with --all", errUsage)
	}
	st, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer st.close()
	m, err := o.manager(st.store)
	if err != nil {
		return err
	}
	if verb == "list" {
		return listUser(ctx, m, user, o.json, stdout)
	}
	if revokeOpts.all {
		n, err := m.RevokeUser(ctx, user, revokeOpts.except...)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %d sessions of %s\n", n, user)
		return nil
	}
	for _, id := range ids {
		err := m.RevokeSession(ctx, user, id)
		if errors.Is(err, sessions.ErrNotFound) {
			return fmt.Errorf("%w: %s has no live session %s", errNotFound, user, id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s\n", id)
	}
	return nil
}

func listUser(ctx context.Context, m *sessions.Manager, user string, asJSON bool, stdout io.Writer) error {
	list, err := m.UserSessions(ctx, user)
	if err != nil {
		return err
	}
	if asJSON {
		if list == nil {
			list = []sessions.UserSession{}
		}
		return json.NewEncoder(stdout).Encode(list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDEVICE\tIP\tLOGIN\tLAST SEEN\tEXPIRES")
	for _, us := range list {
		fmt.Fprintf(tw, "%s\t%.40s\t%s\t%s\t%s\t%s\n", us.ID, us.UserAgent, us.IP, when(us.Login), when(us.LastSeen), when(us.Expiry))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d sessions\n", len(list))
	return nil
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
