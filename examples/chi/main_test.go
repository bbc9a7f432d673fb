package main

import (
	"testing"

	"github.com/sessionkit/sessionkit/examples/internal/demo"
	"github.com/sessionkit/sessionkit/examples/internal/demotest"
)

func TestSmoke(t *testing.T) { demotest.Smoke(t, "Chi", routes) }

func TestBrowser(t *testing.T) { demotest.Browser(t, "Chi", routes) }

func TestSessions(t *testing.T) { demotest.Sessions(t, "Chi", routes) }

func TestBrowserSessions(t *testing.T) { demotest.BrowserSessions(t, "Chi", routes) }

// TestSoak is the bounded soak (scripts/soak.sh): 64 connections for
// SESSIONKIT_SOAK against this app on Redis and on PostgreSQL.
func TestSoak(t *testing.T) { demotest.Soak(t, "Chi", routes, demo.StoreRedis, demo.StorePostgres) }
