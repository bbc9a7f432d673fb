// Command report turns benchmark output into RESULTS.md: it parses the
// output of several `go test -bench` runs (and of cmd/e2e, which prints
// the same format), takes medians per benchmark and unit, computes the
// ratios to the bare frameworks, to the best peer and to the floors, and
// checks each performance target of the issue.
//
// Usage:
//
//	report -bench bench.txt [-bench more.txt ...] [-env env.txt] -o RESULTS.md
//
// The env file holds "key: value" lines (machine, Go version, module
// versions, command, run time) printed at the top as they are.
//
// Ratios between two benchmarks are medians of per-round ratios: the
// n-th result of one benchmark is paired with the n-th of the other, which
// ran in the same round, minutes apart at most, so load that drifts
// between rounds cancels out.
package main
