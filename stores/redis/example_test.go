package redisstore_test

import (
	"fmt"
	"log"
	"net/http"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// Example wires the store into a Manager. It needs a Redis server, so it
// is compiled but not run.
func Example() {
	// A UniversalClient: one address gives a *redis.Client, several a
	// *redis.ClusterClient, and a MasterName a Sentinel failover client.
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: []string{"127.0.0.1:6379"},
		// Required: without it go-redis ignores context deadlines on its
		// sockets, and New refuses the client.
		ContextTimeoutEnabled: true,
	})
	defer client.Close() // the store never closes it

	store, err := redisstore.New(client, redisstore.Options{Prefix: "myapp:session:"})
	if err != nil {
		log.Fatal(err)
	}
	m, err := sessions.New(sessions.Config{Store: store, Secret: "change me: a long random secret"})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		n := s.GetInt("visits") + 1
		s.Set("visits", n)
		fmt.Fprintf(w, "visit %d\n", n)
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", m.Middleware(mux)))
}
