// Command snippet is the README's "In your code" program, kept here so
// that it compiles with the rest of the module; readme_test.go checks that
// the README shows exactly this file.
package main

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/glebarez/sqlite"
	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	"gorm.io/gorm"
)

func main() {
	db, err := gorm.Open(sqlite.Open("sessions.db"), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	store, err := gormstore.New(db, gormstore.Options{}) // or redisstore.New, memstore.New
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(context.Background()); err != nil { // creates django_session if missing
		log.Fatal(err)
	}
	m, err := sessions.New(sessions.Config{Store: store, Secret: os.Getenv("SECRET_KEY")})
	if err != nil {
		log.Fatal(err)
	}

	r := gin.New()
	r.Use(ginsession.Middleware(m)) // net/http and chi: m.Middleware(mux); echo: e.Use(echosession.Middleware(m))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c) // net/http, chi: sessions.FromContext(r.Context()); echo: echosession.From(c)
		n := s.GetInt("visits") + 1
		s.Set("visits", n)
		c.String(http.StatusOK, "visit %d", n)
	})
	r.POST("/login", func(c *gin.Context) {
		s := ginsession.From(c)
		if err := s.CycleKey(); err != nil { // on login: new key, same data (no session fixation)
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		s.Set("user", c.PostForm("user"))
		s.AddFlash(sessions.LevelSuccess, "Welcome back") // shown once, on the next page
		c.Redirect(http.StatusSeeOther, "/")
	})
	r.POST("/logout", func(c *gin.Context) {
		if err := ginsession.From(c).Flush(); err != nil { // record deleted now, cookie deleted
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/")
	})
	log.Fatal(r.Run("127.0.0.1:8080"))
}
