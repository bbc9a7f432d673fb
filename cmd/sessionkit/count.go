package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

var countUser string

func countFlags(fs *flag.FlagSet, o *options) {
	countUser = ""
	fs.StringVar(&countUser, "user", "", "count this user's live sessions (needs SESSIONKIT_SECRET)")
}

// runCount counts live sessions: one COUNT on SQL; on Redis a SCAN of the
// prefix, which visits every key of the server (an operator's command,
// not one to run on every request).
func runCount(ctx context.Context, o *options, args []string, stdout io.Writer) error {
	if len(args) != 0 {
		return fmt.Errorf("%w: count takes no arguments", errUsage)
	}
	st, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer st.close()
	var n int64
	switch {
	case countUser != "":
		m, err := o.manager(st.store)
		if err != nil {
			return err
		}
		list, err := m.UserSessions(ctx, countUser)
		if err != nil {
			return err
		}
		n = int64(len(list))
	case st.db != nil:
		if n, err = countSQL(ctx, o, st); err != nil {
			return err
		}
	default:
		if n, err = countRedis(ctx, st); err != nil {
			return err
		}
	}
	if o.json {
		fmt.Fprintf(stdout, "{\"sessions\":%d}\n", n)
		return nil
	}
	fmt.Fprintf(stdout, "%d live sessions\n", n)
	return nil
}

// countSQL counts the rows whose expire_date is after the database's
// now. The stores write UTC (Django's USE_TZ = True); with USE_TZ = False
// naive times are local to TIME_ZONE and the count is off by its offset.
func countSQL(ctx context.Context, o *options, st *opened) (int64, error) {
	table := st.store.(*gormstore.Store).Table()
	quoted := `"` + strings.ReplaceAll(table, ".", `"."`) + `"`
	now := "CURRENT_TIMESTAMP"
	switch o.store {
	case "sqlite":
		now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
	case "mysql":
		quoted = "`" + strings.ReplaceAll(table, ".", "`.`") + "`"
		now = "UTC_TIMESTAMP(6)"
	}
	var n int64
	err := st.db.WithContext(ctx).Raw("SELECT COUNT(*) FROM " + quoted + " WHERE expire_date > " + now).Row().Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}

// countRedis scans the store's prefix on every master, leaving out the
// per-user index's keys.
func countRedis(ctx context.Context, st *opened) (int64, error) {
	prefix := st.rs.Prefix()
	var n int64
	scan := func(ctx context.Context, c *redis.Client) error {
		it := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for it.Next(ctx) {
			k := strings.TrimPrefix(it.Val(), prefix)
			if !strings.HasPrefix(k, "user:") && !strings.HasPrefix(k, "gen:") {
				n++
			}
		}
		return it.Err()
	}
	var err error
	switch c := st.redis.(type) {
	case *redis.ClusterClient:
		var mu sync.Mutex
		err = c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			mu.Lock() // n is shared; the scans are short
			defer mu.Unlock()
			return scan(ctx, node)
		})
	case *redis.Client:
		err = scan(ctx, c)
	default:
		err = fmt.Errorf("count: cannot scan a %T", st.redis)
	}
	if err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}
