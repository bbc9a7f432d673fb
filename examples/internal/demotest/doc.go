// Package demotest holds the tests every example app runs: a smoke test of
// the whole route set through httptest (Smoke) and an end-to-end test in
// a real headless Chromium (Browser). Each app's main_test.go calls them
// with its own routes, so the three apps are held to the same behaviour.
package demotest
