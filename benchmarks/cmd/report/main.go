package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// files is a repeatable flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	log.SetFlags(0)
	log.SetPrefix("report: ")
	var bench files
	flag.Var(&bench, "bench", "go test -bench output (repeatable; cmd/e2e output too)")
	envFile := flag.String("env", "", `"key: value" lines about the run, printed at the top`)
	out := flag.String("o", "RESULTS.md", "output file")
	chartDir := flag.String("charts", "charts", "directory of the SVG charts, relative to the output file's")
	flag.Parse()
	if len(bench) == 0 {
		log.Fatal("no -bench file")
	}
	r := newResults()
	for _, name := range bench {
		if err := parseFile(r, name); err != nil {
			log.Fatal(err)
		}
	}
	env, err := readEnv(*envFile)
	if err != nil {
		log.Fatal(err)
	}
	rp := &report{r: r, targets: benchmarks.Targets(), chartDir: *chartDir}
	if err := rp.writeCharts(filepath.Join(filepath.Dir(*out), *chartDir)); err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := errors.Join(rp.write(f, env), f.Close()); err != nil {
		log.Fatal(err)
	}
}

func parseFile(r *results, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := r.parse(f); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// kv is one line of the env file.
type kv struct{ key, value string }

func readEnv(name string) ([]kv, error) {
	if name == "" {
		return nil, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []kv
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok {
			out = append(out, kv{strings.TrimSpace(k), strings.TrimSpace(v)})
		}
	}
	return out, sc.Err()
}

// write renders RESULTS.md.
func (rp *report) write(w io.Writer, env []kv) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# sessionkit benchmark results\n\n")
	p("Written by `benchmarks/cmd/report` from the raw output in `benchmarks/results/`; do not edit by hand. ")
	p("Regenerate with `./benchmarks/run.sh` (see benchmarks/README.md).\n\n")
	p("## Machine and run\n\n")
	t := &table{head: []string{"", ""}}
	for _, e := range env {
		t.add(e.key, e.value)
	}
	if cpu, ok := rp.r.config["cpu"]; ok {
		t.add("cpu (go test)", cpu)
	}
	p("%s\n", t)
	p("Every number is a median over the rounds; every ratio is the median of per-round ratios (the two ")
	p("benchmarks of a ratio ran in the same round, side by side). This machine is shared and loaded: ")
	p("absolute times move from run to run, ratios much less. CPU/op is the process's CPU time per request ")
	p("(time spent waiting for a core is not in it; for Redis and SQLite the server's work is not in it either). ")
	p("benchstat's view of the same runs, with confidence intervals, is in `results/benchstat.txt`.\n\n")

	p("## Targets\n\n%s\n", rp.checksTable())
	p("Why each miss happens, and the changes proposed for it, are in `benchmarks/FINDINGS.md`.\n\n")
	p("## Paired comparisons\n\nThe tight targets, measured side by side: each iteration runs a chunk of ")
	p("sessionkit requests and then a chunk of the reference (bare framework, peer or floor), so both see ")
	p("the same load. Ratio and difference are medians of per-round values.\n\n%s\n", rp.pairedTable())

	titles := map[string]string{
		"A": "Scenario A: the handler never touches the session",
		"B": "Scenario B: the handler reads one string key",
		"C": "Scenario C: the handler increments a counter; the session is saved",
	}
	for _, sc := range scenarioNames {
		p("## %s\n\n", titles[sc])
		p("%s", rp.chartLink("scenario-"+sc+".svg"))
		p("Every request carries a valid session cookie for {\"user\": \"alice\", \"visits\": 41}. ")
		p("\"× bare\" divides by the same framework without sessions; \"best peer ÷ this\" is how many ")
		p("times faster sessionkit is than the fastest peer on the same kind of store.\n\n")
		p("%s\n", rp.scenarioTable(sc))
	}
	p("## What the features cost\n\n")
	p("sessionkit on gin with each optional feature on, beside the plain configuration on the same store in the ")
	p("same round: median time, then (in brackets) the median per-round difference and ratio to plain, and the ")
	p("allocations it adds. Timeouts are long enough that nothing ends or renews during a run; the user rows' ")
	p("sessions are tied to a user with SetUser at seeding. Redis WAIT needs a replica: its rows appear when ")
	p("run.sh could start one (redis-replicated, plain beside wait on that pair).\n\n%s\n", rp.featuresTable())
	p("## Contention: %s writers on one session\n\n", rp.contentionWriters())
	if hdr, ok := rp.r.config["contention"]; ok {
		p("Load: %s. ", hdr)
	}
	p("Every request increments one counter of the same session on gin, with the increment each library's API ")
	p("offers: sessionkit's Session.Incr (applied again at save time when another request saved first), ")
	p("the peers' get, add one, put. A lost update is a 2xx increment the final counter does not contain. ")
	p("Cookie stores are not in it: concurrent requests carrying one cookie cannot see each other's writes, ")
	p("whatever the library does.\n\n%s%s\n", rp.chartLink("contention.svg"), rp.contentionTable())
	p("## Store round trips per request (Redis)\n\n")
	p("Counted by a proxy between client and server (a pipeline counts once); the last column lists the ")
	p("server's INFO commandstats deltas, which include the commands run inside Lua scripts.\n\n%s\n", rp.roundTripTable())
	p("## Cookie size for the same data\n\n%s\n", rp.cookieTable())
	p("## Floors\n\nWhat no session library can avoid, for the same session.\n\n%s\n", rp.listTable("BenchmarkFloor/"))
	p("The memory and cookie stores' floors, with sessionkit's own code paths (core's codec and signer, the ")
	p("cookie store's Encode and Decode, memstore): B verifies and decodes, C also encodes, signs, saves ")
	p("(memory) and writes the Set-Cookie line.\n\n%s\n", rp.listTable("BenchmarkFloorStores/"))
	p("## sessionkit stores alone\n\nLoad, and conditional save (update-if-unchanged), of the same record.\n\n%s\n",
		rp.listTable("BenchmarkStore/"))
	p("## End to end (wrk on 127.0.0.1)\n\n")
	if hdr, ok := rp.r.config["e2e"]; ok {
		p("Load: %s.\n\n", hdr)
	}
	p("Each gin configuration serves scenario C as a real server; requests cycle over many seeded ")
	p("sessions. wrk runs on the same two cores as the server.\n\n%s%s\n", rp.chartLink("e2e.svg"), rp.e2eTable())
	p("## Streaming\n\nA body streamed in 32 KB writes to a discarding writer, after a session change.\n\n%s\n", rp.streamTable())
	p("## Signing and compression\n\n`core-*` is core/signing's Dumps as shipped; `zlib-level*` is only the ")
	p("compression attempt with a pooled writer (level 6 is CPython's default, level 1 is BestSpeed).\n\n%s\n",
		rp.listTable("BenchmarkDumps/", unitOut))
	_, err := io.WriteString(w, b.String())
	return err
}
