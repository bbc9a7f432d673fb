package sessions_test

import (
	"context"
	"fmt"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// Two requests increment one counter concurrently: both increments count,
// where Set would keep only the later one.
func ExampleSession_Incr() {
	m, _ := sessions.New(sessions.Config{Store: memstore.New(memstore.Options{})})
	ctx := context.Background()
	seed := m.Open(ctx, "")
	seed.Set("views", 0)
	_ = seed.Save()

	a, b := m.Open(ctx, seed.Key()), m.Open(ctx, seed.Key())
	a.Incr("views", 1) // both requests read 0
	b.Incr("views", 1)
	_ = a.Save()
	_ = b.Save() // meets a's save and re-applies its increment to it

	n, _ := sessions.Get[int](m.Open(ctx, seed.Key()), "views")
	fmt.Println(n)
	// Output: 2
}
