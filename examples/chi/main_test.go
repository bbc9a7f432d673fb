package main

import (
	"testing"

	"github.com/sessionkit/sessionkit/examples/internal/demotest"
)

func TestSmoke(t *testing.T) { demotest.Smoke(t, "Chi", routes) }

func TestBrowser(t *testing.T) { demotest.Browser(t, "Chi", routes) }
