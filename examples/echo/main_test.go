package main

import (
	"testing"

	"github.com/sessionkit/sessionkit/examples/internal/demotest"
)

func TestSmoke(t *testing.T) { demotest.Smoke(t, "Echo", routes) }

func TestBrowser(t *testing.T) { demotest.Browser(t, "Echo", routes) }

func TestSessions(t *testing.T) { demotest.Sessions(t, "Echo", routes) }

func TestBrowserSessions(t *testing.T) { demotest.BrowserSessions(t, "Echo", routes) }
