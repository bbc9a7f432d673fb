// Package readme checks that the README's code compiles: its "In your
// code" program is snippet/main.go.
package readme
