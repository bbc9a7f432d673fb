package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	sessions "github.com/sessionkit/sessionkit/core"
)

func clearFlags(fs *flag.FlagSet, o *options) {
	fs.IntVar(&o.batch, "batch", 0, "rows per DELETE (default gormstore's 1000): each batch is its own short statement")
}

// runClear deletes expired sessions, as Django's clearsessions. Redis
// expires keys itself.
func runClear(ctx context.Context, o *options, args []string, stdout io.Writer) error {
	if len(args) != 0 {
		return fmt.Errorf("%w: clear takes no arguments", errUsage)
	}
	st, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer st.close()
	d, ok := st.store.(sessions.ExpiredDeleter)
	if !ok {
		fmt.Fprintln(stdout, "nothing to clear: Redis expires sessions itself (each key has a TTL)")
		return nil
	}
	n, err := d.DeleteExpired(ctx)
	if err != nil {
		return fmt.Errorf("after %d deleted: %w", n, err)
	}
	if o.json {
		fmt.Fprintf(stdout, "{\"deleted\":%d}\n", n)
		return nil
	}
	fmt.Fprintf(stdout, "deleted %d expired sessions\n", n)
	return nil
}
