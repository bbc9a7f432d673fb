package sessions_test

import (
	"context"
	"fmt"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// A form handler adds messages and redirects; the next request shows them,
// once. They are stored as Django's messages framework stores them, so a
// Django view sharing the session shows them too.
func ExampleSession_AddFlash() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: "change me"})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	// POST /profile
	s := m.Open(ctx, "")
	s.AddFlash(sessions.LevelSuccess, "Profile saved.")
	s.AddFlash(sessions.LevelWarning, "Your password expires soon.", "password")
	if err := s.Save(); err != nil {
		panic(err)
	}
	stored, _ := s.Get(sessions.FlashKey)
	fmt.Println(stored)

	// GET / after the redirect
	next := m.Open(ctx, s.Key())
	for _, f := range next.Flashes() {
		fmt.Printf("<li class=%q>%s</li>\n", f.Tags(), f.Message)
	}
	fmt.Println(len(next.Flashes()), "left")
	// Output:
	// [["__json_message", 0, 25, "Profile saved.", ""], ["__json_message", 0, 30, "Your password expires soon.", "password"]]
	// <li class="success">Profile saved.</li>
	// <li class="password warning">Your password expires soon.</li>
	// 0 left
}
