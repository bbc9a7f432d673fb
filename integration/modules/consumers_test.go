package modules

// The program table: one consumer per row, each built in its own fresh
// module outside the repository. Edit the programs here when the API
// changes; nothing else in this package knows the API.
//
// get lists the sessionkit modules the consumer fetches with
// `go get <module>@v0.1.0`, as directories relative to the repository root
// (each must be a published module). Third-party modules the program
// imports come from the graph those modules bring (GOFLAGS=-mod=mod lets
// go build record them). The graph checks use module path prefixes.

// consumer is one row of the program table.
type consumer struct {
	name string
	get  []string // module dirs, relative to the repository root
	main string   // the consumer's main.go

	want     []string // module path prefixes the graph must hold
	wantNot  []string // module path prefixes the graph must not hold
	onlyOurs bool     // the graph holds nothing but the main module and sessionkit modules
}

// frameworks and drivers that an unrelated consumer must not drag in.
const (
	ginMod     = "github.com/gin-gonic/gin"
	echoMod    = "github.com/labstack/echo"
	chiMod     = "github.com/go-chi/chi"
	goRedisMod = "github.com/redis/go-redis"
	gormMods   = "gorm.io/"
)

var consumers = []consumer{
	{
		name: "gin+redis",
		get:  []string{"core", "adapters/gin", "stores/redis"},
		main: `package main

import (
	"log"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

func main() {
	st, err := redisstore.New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}), redisstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	m, err := sessions.New(sessions.Config{Store: st, Secret: "consumer-secret"})
	if err != nil {
		log.Fatal(err)
	}
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("k", 1)
	})
	_ = r // built, never run
}
`,
		want:    []string{ginMod, goRedisMod},
		wantNot: []string{gormMods, echoMod, chiMod},
	},
	{
		name: "net/http+cookie",
		get:  []string{"core", "stores/cookie"},
		main: `package main

import (
	"log"
	"net/http"

	sessions "github.com/sessionkit/sessionkit/core"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

func main() {
	cs, err := cookiestore.New(cookiestore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	m, err := sessions.New(sessions.Config{ClientStore: cs, Secret: "consumer-secret"})
	if err != nil {
		log.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		s.Set("k", 1)
	})
	http.Handle("/", m.Middleware(h)) // registered, never served
}
`,
		onlyOurs: true,
	},
	{
		name: "echo+memstore",
		get:  []string{"core", "adapters/echo"},
		main: `package main

import (
	"log"

	"github.com/labstack/echo/v4"

	echosession "github.com/sessionkit/sessionkit/adapters/echo"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

func main() {
	m, err := sessions.New(sessions.Config{Store: memstore.New(memstore.Options{}), Secret: "consumer-secret"})
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New()
	e.Use(echosession.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		s := echosession.From(c)
		s.Set("k", 1)
		return nil
	})
	_ = e // built, never run
}
`,
		want:    []string{echoMod},
		wantNot: []string{ginMod, chiMod, goRedisMod, gormMods},
	},
	{
		name: "gin",
		get:  []string{"core", "adapters/gin"},
		main: `package main

import (
	"log"

	"github.com/gin-gonic/gin"

	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

func main() {
	m, err := sessions.New(sessions.Config{Store: memstore.New(memstore.Options{}), Secret: "consumer-secret"})
	if err != nil {
		log.Fatal(err)
	}
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("k", 1)
	})
	_ = r // built, never run
}
`,
		want:    []string{ginMod},
		wantNot: []string{echoMod, chiMod, goRedisMod, gormMods},
	},
	{
		name: "gorm+sqlite",
		get:  []string{"core", "stores/gorm"},
		main: `package main

import (
	"log"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

func main() {
	db, err := gorm.Open(sqlite.Open("file::memory:"), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	st, err := gormstore.New(db, gormstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	m, err := sessions.New(sessions.Config{Store: st, Secret: "consumer-secret"})
	if err != nil {
		log.Fatal(err)
	}
	_ = m // built, never run
}
`,
		want:    []string{"gorm.io/gorm", "github.com/glebarez/sqlite"},
		wantNot: []string{ginMod, echoMod, chiMod, goRedisMod},
	},
	{
		name: "redis store alone",
		get:  []string{"core", "stores/redis"},
		main: `package main

import (
	"log"
	"net/http"

	"github.com/redis/go-redis/v9"

	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

func main() {
	st, err := redisstore.New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}), redisstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	m, err := sessions.New(sessions.Config{Store: st, Secret: "consumer-secret"})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/", m.Middleware(http.NotFoundHandler())) // registered, never served
}
`,
		want:    []string{goRedisMod},
		wantNot: []string{ginMod, echoMod, chiMod, gormMods},
	},
	{
		name: "gorm store alone",
		get:  []string{"core", "stores/gorm"},
		main: `package main

import (
	"gorm.io/gorm"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// newManager is all a program with its own *gorm.DB writes; no driver is
// linked in.
func newManager(db *gorm.DB) (*sessions.Manager, error) {
	st, err := gormstore.New(db, gormstore.Options{})
	if err != nil {
		return nil, err
	}
	return sessions.New(sessions.Config{Store: st, Secret: "consumer-secret"})
}

func main() {
	_ = newManager // built, never run
}
`,
		want:    []string{"gorm.io/gorm"},
		wantNot: []string{ginMod, echoMod, chiMod, goRedisMod},
	},
}
