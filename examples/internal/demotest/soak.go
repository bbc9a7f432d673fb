package demotest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessionkit/examples/internal/demo"
)

// SoakEnv names the variable that turns the soak on and sets its length
// (a Go duration, e.g. "60s"): the soak is not part of the test command.
const SoakEnv = "SESSIONKIT_SOAK"

// The soak's load: connections concurrent clients spread over sessions,
// so that each session has writers/sessions clients counting visits at
// once, as tabs of one user would.
const (
	soakConns    = 64
	soakSessions = 8
	soakWindow   = 10 * time.Second // the first and last windows compared
)

// Soak runs the framework's demo app on each named store behind the demo's
// own server (its timeouts included) with soakConns clients for the
// duration SESSIONKIT_SOAK gives, and checks that every response was 2xx,
// that the visit counters (demo.App counts with Session.Incr) equal the
// number of visits answered, and that goroutines and resident memory are
// as flat in the last 10 s as in the first 10 s.
func Soak(t *testing.T, framework string, routes demo.Routes, stores ...string) {
	length := os.Getenv(SoakEnv)
	if length == "" {
		t.Skipf("%s is not set (e.g. %s=60s)", SoakEnv, SoakEnv)
	}
	d, err := time.ParseDuration(length)
	if err != nil || d < 2*soakWindow {
		t.Fatalf("%s=%q: want a duration of at least %v", SoakEnv, length, 2*soakWindow)
	}
	for _, store := range stores {
		t.Run(store, func(t *testing.T) { soak(t, framework, routes, store, d) })
	}
}

// soakSample is one reading of the process.
type soakSample struct {
	at         time.Duration
	goroutines int
	rss        int64 // bytes
}

func soak(t *testing.T, framework string, routes demo.Routes, store string, d time.Duration) {
	app := OpenApp(t, framework, store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- demo.Serve(ctx, ln, routes(app), slog.New(slog.DiscardHandler)) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	tr := &http.Transport{MaxIdleConns: soakConns, MaxIdleConnsPerHost: soakConns, MaxConnsPerHost: soakConns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	cookies := make([]string, soakSessions)
	for i := range cookies {
		cookies[i] = soakLogin(t, client, base, fmt.Sprintf("soak%d", i))
	}

	var (
		visits   [soakSessions]atomic.Int64 // 2xx visits answered, per session
		bad      atomic.Int64               // non-2xx answers and transport errors
		firstBad atomic.Value
		latMu    sync.Mutex
		lat      []time.Duration
	)
	baseline := runtime.NumGoroutine()
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := range soakConns {
		wg.Go(func() {
			sess := c % soakSessions
			var mine []time.Duration
			for time.Now().Before(deadline) {
				start := time.Now()
				code, err := soakVisit(client, base, cookies[sess])
				mine = append(mine, time.Since(start))
				if err != nil || code/100 != 2 {
					bad.Add(1)
					firstBad.CompareAndSwap(nil, fmt.Sprintf("status %d, error %v", code, err))
					continue
				}
				visits[sess].Add(1)
			}
			latMu.Lock()
			lat = append(lat, mine...)
			latMu.Unlock()
		})
	}

	// Sample the process once a second while the load runs.
	var samples []soakSample
	began := time.Now()
	tick := time.NewTicker(time.Second)
	for now := range tick.C {
		samples = append(samples, soakSample{at: now.Sub(began), goroutines: runtime.NumGoroutine(), rss: residentBytes(t)})
		if !now.Before(deadline) {
			break
		}
	}
	tick.Stop()
	wg.Wait()
	// Once the load is over and the clients' connections are closed,
	// every goroutine the load started must end.
	tr.CloseIdleConnections()
	settled := runtime.NumGoroutine()
	for wait := time.Now().Add(5 * time.Second); settled > baseline && time.Now().Before(wait); settled = runtime.NumGoroutine() {
		time.Sleep(50 * time.Millisecond)
	}
	if settled > baseline {
		t.Errorf("goroutines: %d before the load, %d after it settled", baseline, settled)
	}

	// Every visit answered 2xx is counted in the session exactly once.
	var total int64
	for i, cookie := range cookies {
		st := soakState(t, client, base, cookie)
		want := visits[i].Load() + 1 // and the visit that asked
		if int64(st.Visits) != want {
			t.Errorf("session %d: visits = %d, want %d (the 2xx visits)", i, st.Visits, want)
		}
		total += visits[i].Load()
	}
	if n := bad.Load(); n > 0 {
		t.Errorf("%d responses were not 2xx; first: %v", n, firstBad.Load())
	}

	first, last := window(samples, 0, soakWindow), window(samples, d-soakWindow, d+time.Second)
	slices.Sort(lat)
	t.Logf("%s on %s: %d visits in %v (%.0f/s) over %d connections and %d sessions; p50 %v, p99 %v, max %v; non-2xx %d",
		framework, store, total, d, float64(total)/d.Seconds(), soakConns, soakSessions,
		pct(lat, 50), pct(lat, 99), lat[len(lat)-1], bad.Load())
	t.Logf("first %v: goroutines %.0f, RSS %.1f MiB; last %v: goroutines %.0f, RSS %.1f MiB; goroutines before the load %d, after it %d",
		soakWindow, first.goroutines, first.rss/(1<<20), soakWindow, last.goroutines, last.rss/(1<<20), baseline, settled)
	// Flat: a leak of one goroutine or a few KiB per request would show as
	// thousands of goroutines or hundreds of MiB over a minute at this rate.
	// The means may differ by the work in flight (a store call's goroutine
	// per request at most), hence the margin of soakConns.
	if last.goroutines > first.goroutines+soakConns {
		t.Errorf("goroutines grew from %.0f to %.0f", first.goroutines, last.goroutines)
	}
	if last.rss > first.rss*1.25+32<<20 {
		t.Errorf("resident memory grew from %.1f to %.1f MiB", first.rss/(1<<20), last.rss/(1<<20))
	}
}

// meanSample is the mean of the samples of a window.
type meanSample struct{ goroutines, rss float64 }

func window(samples []soakSample, from, to time.Duration) meanSample {
	var m meanSample
	var n float64
	for _, s := range samples {
		if s.at >= from && s.at < to {
			m.goroutines += float64(s.goroutines)
			m.rss += float64(s.rss)
			n++
		}
	}
	if n > 0 {
		m.goroutines /= n
		m.rss /= n
	}
	return m
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100]
}

// residentBytes reads the process's resident set size (Linux).
func residentBytes(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	t.Fatal("VmRSS not found in /proc/self/status")
	return 0
}

// soakLogin logs a fresh client in through the JSON API and returns its
// session cookie ("sessionid=…").
func soakLogin(t *testing.T, c *http.Client, base, user string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/login", strings.NewReader(`{"user":"`+user+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.Name == cookieName && resp.StatusCode == http.StatusOK {
			return ck.Name + "=" + ck.Value
		}
	}
	t.Fatalf("login: status %d, no session cookie", resp.StatusCode)
	return ""
}

// soakVisit counts one visit of the session.
func soakVisit(c *http.Client, base, cookie string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, base+"/api/session", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Cookie", cookie)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// soakState makes one more visit and returns the state it answers.
func soakState(t *testing.T, c *http.Client, base, cookie string) demo.State {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/session", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", cookie)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st demo.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("final visit: status %d, %v", resp.StatusCode, err)
	}
	return st
}
