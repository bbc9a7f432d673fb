package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// shown is what show prints of a session.
type shown struct {
	ID     string         `json:"id"`
	User   string         `json:"user,omitempty"`
	Expiry time.Time      `json:"expiry"`
	Data   map[string]any `json:"data"`
}

// runShow loads one session with the application's secret and prints it.
// A key that is unknown, expired or whose data does not verify is "not
// found": the same answer the application would give.
func runShow(ctx context.Context, o *options, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: show takes one session key", errUsage)
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
	s := m.Open(ctx, args[0])
	if err := s.Load(); err != nil {
		return err
	}
	if s.Key() == "" {
		// Never echo the key: it logs its holder in.
		return fmt.Errorf("%w: no valid session under that key (unknown, expired, or signed with another secret)", errNotFound)
	}
	out := shown{ID: s.ID(), User: s.User(), Expiry: s.ExpiryTime().UTC(), Data: s.Values()}
	if o.json {
		return json.NewEncoder(stdout).Encode(out)
	}
	fmt.Fprintf(stdout, "id:      %s\n", out.ID)
	if out.User != "" {
		fmt.Fprintf(stdout, "user:    %s\n", out.User)
	}
	fmt.Fprintf(stdout, "expiry:  %s\n", out.Expiry.Format(time.RFC3339))
	data, err := json.MarshalIndent(out.Data, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "data:    %s\n", data)
	return nil
}
