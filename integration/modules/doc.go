// Package modules checks that sessionkit's modules can be consumed the way
// a user meets them: fetched at a release version through a module proxy,
// outside this repository, without go.work or replace directives.
//
// The package has no code of its own; its tests do the work:
//
//   - They publish every library module of the workspace (go.work, minus
//     examples, integration, benchmarks, tools and test-support modules) at
//     v0.1.0 to a file-based module proxy in a temporary directory, with
//     replace directives dropped and every requirement of a sibling set to
//     v0.1.0. A library module that requires an unpublished sibling (say an
//     adapter that requires a test-only helper module) fails the test: a
//     user could not resolve it.
//   - For each consumer in the program table (consumers_test.go), in a fresh
//     temporary directory outside the repository, they run go mod init,
//     go get of the published modules, write the consumer's main.go,
//     go build, and go list -m all, and check the module graph (a gin
//     consumer must not pull in gorm, a net/http + cookie consumer must pull
//     in nothing but sessionkit, and so on). Published adapters and stores
//     that no consumer covers get an import-only consumer.
//   - They log a compact report, consumer by consumer, of the graph and the
//     result.
//
// The programs are built, never run: no server is started. Third-party
// modules come through the ordinary GOPROXY, with checksums from GOSUMDB;
// see modules_test.go for the environment and why it is what it is.
//
// SESSIONKIT_MODULES_ALSO_PUBLISH="adapters/adaptertest" (module directories
// relative to the repository root, comma- or space-separated) publishes
// modules the test would leave out; it is meant for trying the machinery
// on a tree that is not consistent yet.
package modules
