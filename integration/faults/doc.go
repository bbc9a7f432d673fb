// Package faults checks, against the real Redis, PostgreSQL and MariaDB
// the test command starts (scripts/services.sh), that store calls end
// within the request's deadline, on cancellation and within
// Options.OpTimeout when the server stops answering or resets its
// connections, that they recover when it is back, and that nothing
// acknowledged is lost. Faults are made by integration/faultproxy between
// the client and the server. Its tests only; no exported API.
package faults
