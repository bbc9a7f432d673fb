package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// results holds every value of every benchmark, per unit, in the order
// the runs printed them (the n-th value is from the n-th round).
type results struct {
	order  []string
	values map[string]map[string][]float64
	// config holds the "key: value" header lines of go test output
	// (goos, goarch, cpu...), first seen wins.
	config map[string]string
}

func newResults() *results {
	return &results{values: make(map[string]map[string][]float64), config: make(map[string]string)}
}

// parse reads go test -bench output (or anything in the same format).
func (r *results) parse(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if !strings.HasPrefix(line, "Benchmark") {
			if k, v, ok := strings.Cut(line, ":"); ok && !strings.ContainsAny(k, " \t") && k != "" {
				if _, seen := r.config[k]; !seen {
					r.config[k] = strings.TrimSpace(v)
				}
			}
			continue
		}
		if err := r.parseLine(line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

// parseLine reads "BenchmarkName-2  N  v unit  v unit ...". Lines that
// are not results (a benchmark name alone, printed before its output)
// are skipped.
func (r *results) parseLine(line string) error {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return nil
	}
	iters, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return nil
	}
	name := trimProcs(f[0])
	m := r.values[name]
	if m == nil {
		m = make(map[string][]float64)
		r.values[name] = m
		r.order = append(r.order, name)
	}
	m[unitIters] = append(m[unitIters], float64(iters))
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return fmt.Errorf("%s: value %q: %w", name, f[i], err)
		}
		m[f[i+1]] = append(m[f[i+1]], v)
	}
	return nil
}

// trimProcs removes the -GOMAXPROCS suffix go test appends.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 || i == len(name)-1 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

// unitIters holds the iteration count of each result line.
const unitIters = "iterations"

// get returns the values of name in unit.
func (r *results) get(name, unit string) []float64 { return r.values[name][unit] }

// has reports whether name has values in unit.
func (r *results) has(name, unit string) bool { return len(r.values[name][unit]) > 0 }
