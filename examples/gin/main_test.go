package main

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/sessionkit/sessionkit/examples/internal/demotest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

func TestSmoke(t *testing.T) { demotest.Smoke(t, "Gin", routes) }

func TestBrowser(t *testing.T) { demotest.Browser(t, "Gin", routes) }

func TestSessions(t *testing.T) { demotest.Sessions(t, "Gin", routes) }

func TestBrowserSessions(t *testing.T) { demotest.BrowserSessions(t, "Gin", routes) }
