package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// result is what one wrk run measured.
type result struct {
	rps      float64
	p99      time.Duration
	requests int64
	non2xx   int64 // responses other than 2xx and 3xx
	sockErrs int64 // connect, read and write errors and timeouts
}

// benchLine formats r as a Go benchmark result line.
func (r result) benchLine(name string) string {
	nsPerReq := 0.0
	if r.rps > 0 {
		nsPerReq = 1e9 / r.rps
	}
	return fmt.Sprintf("%s\t%d\t%.0f ns/op\t%.1f req/s\t%.1f p99-us\t%d non-2xx\t%d socket-errors",
		name, max(r.requests, 1), nsPerReq, r.rps, float64(r.p99)/float64(time.Microsecond), r.non2xx, r.sockErrs)
}

// luaScript builds every request once, in init, and cycles through them,
// one cookie each, so wrk does no per-request formatting.
func luaScript(route string, cookies []string) string {
	var b strings.Builder
	b.WriteString("local cookies = {\n")
	for _, c := range cookies {
		fmt.Fprintf(&b, "  %q,\n", c)
	}
	fmt.Fprintf(&b, `}
local reqs = {}
local i = 0
function init(args)
  for k, c in ipairs(cookies) do
    reqs[k] = wrk.format("GET", %q, { ["Cookie"] = c })
  end
  i = math.random(#reqs) - 1
end
function request()
  i = (i %% #reqs) + 1
  return reqs[i]
end
`, route)
	return b.String()
}

// runWrk runs wrk for cfg.duration, killing it if it overruns.
func runWrk(ctx context.Context, cfg config, url, script string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.duration+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cfg.wrk,
		"-t"+strconv.Itoa(cfg.threads), "-c"+strconv.Itoa(cfg.connections),
		"-d"+strconv.Itoa(int(cfg.duration.Seconds()))+"s", "--latency", "-s", script, url)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("wrk: %w: %s", err, errOut.String())
	}
	return parseWrk(out.String())
}

var (
	reRPS      = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reP99      = regexp.MustCompile(`(?m)^\s+99%\s+([0-9.]+)(us|ms|s)\s*$`)
	reRequests = regexp.MustCompile(`(?m)^\s+(\d+) requests in`)
	reNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	reSocket   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk reads wrk's report (run with --latency).
func parseWrk(s string) (result, error) {
	var r result
	m := reRPS.FindStringSubmatch(s)
	if m == nil {
		return r, fmt.Errorf("wrk: no Requests/sec in %q", s)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	m = reP99.FindStringSubmatch(s)
	if m == nil {
		return r, fmt.Errorf("wrk: no 99%% latency in %q", s)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[2]]
	r.p99 = time.Duration(v * float64(unit))
	if m = reRequests.FindStringSubmatch(s); m != nil {
		r.requests, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m = reNon2xx.FindStringSubmatch(s); m != nil {
		r.non2xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m = reSocket.FindStringSubmatch(s); m != nil {
		for _, f := range m[1:] {
			n, _ := strconv.ParseInt(f, 10, 64)
			r.sockErrs += n
		}
	}
	return r, nil
}
