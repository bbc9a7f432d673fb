package benchmarks_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessionkit/benchmarks"
)

// BenchmarkRoundTrips counts, for every Redis-backed target, the round
// trips and commands each request sends to Redis (through a counting
// proxy) and the commands the server executed (INFO commandstats deltas,
// which also count the commands Lua scripts run). Its timings include the
// proxy and mean nothing.
func BenchmarkRoundTrips(b *testing.B) {
	raw := requireEnv(b, "SESSIONKIT_REDIS_URL")
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, tg := range benchmarks.Targets() {
				if !tg.Redis {
					continue
				}
				b.Run(tg.Name(), func(b *testing.B) { countRoundTrips(b, raw, tg, sc.route) })
			}
			// A session tied to a user (the per-user index on): what the
			// index adds once the session is indexed.
			b.Run(benchmarks.RoundTripsUserName, func(b *testing.B) {
				countRoundTrips(b, raw, benchmarks.FeatureTarget(benchmarks.StoreRedis, benchmarks.FeatureUser), sc.route)
			})
		})
	}
}

// countRoundTrips serves route on tg through a counting proxy and reports
// round trips, commands and the server's command counts per request.
func countRoundTrips(b *testing.B, raw string, tg benchmarks.Target, route string) {
	p := startProxy(b, raw)
	in, err := benchmarks.Start(b.Context(), tg, benchmarks.Options{RedisURL: p.url, Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	tmpl := in.Request(b.Context(), route)
	srv := p.stats(b)
	var n int
	var rt, cmds int64
	var before map[string]int64
	serveCounted(b, in, tmpl, func() {
		// After the warm-up request: connections are open and scripts
		// cached.
		rt, cmds = p.rounds.Load(), p.cmds.Load()
		before = srv()
	}, func() { n++ })
	after := srv()
	b.ReportMetric(float64(p.rounds.Load()-rt)/float64(n), "roundtrips/op")
	b.ReportMetric(float64(p.cmds.Load()-cmds)/float64(n), "cmds/op")
	for name, calls := range after {
		if d := calls - before[name]; d > 0 && name != "info" {
			b.ReportMetric(float64(d)/float64(n), "srv-"+name+"/op")
		}
	}
}

// serveCounted is serve with a hook after the warm-up and one per
// iteration.
func serveCounted(b *testing.B, in *benchmarks.Instance, tmpl *http.Request, warm, each func()) {
	w := benchmarks.NewDiscardWriter()
	req := new(http.Request)
	*req = *tmpl
	in.Handler.ServeHTTP(w, req)
	if w.Status != http.StatusOK {
		b.Fatalf("warm-up: status %d", w.Status)
	}
	warm()
	for b.Loop() {
		w.Reset()
		*req = *tmpl
		in.Handler.ServeHTTP(w, req)
		if w.Status != http.StatusOK {
			b.Fatalf("status %d", w.Status)
		}
		each()
	}
}

// proxy forwards TCP connections to Redis, counting the commands clients
// send (RESP arrays) and the round trips (bursts of client bytes that
// follow a reply, so a pipeline counts once).
type proxy struct {
	ln     net.Listener
	target string
	url    string
	rounds atomic.Int64
	cmds   atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func startProxy(b *testing.B, rawURL string) *proxy {
	b.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	p := &proxy{ln: ln, target: u.Host}
	u.Host = ln.Addr().String()
	p.url = u.String()
	p.wg.Add(1)
	go p.accept()
	b.Cleanup(p.close)
	return p
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		replied := new(atomic.Bool)
		replied.Store(true)
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			defer s.Close()
			r := bufio.NewReader(io.TeeReader(&burstReader{r: c, replied: replied, rounds: &p.rounds}, s))
			for {
				if err := skipCommand(r); err != nil {
					return
				}
				p.cmds.Add(1)
			}
		}()
		go func() {
			defer p.wg.Done()
			defer c.Close()
			_, _ = io.Copy(&replyWriter{w: c, replied: replied}, s)
		}()
	}
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// stats returns a function reading the server's per-command call counts.
func (p *proxy) stats(b *testing.B) func() map[string]int64 {
	c := redis.NewClient(&redis.Options{Addr: p.target})
	b.Cleanup(func() { c.Close() })
	return func() map[string]int64 {
		info, err := c.Info(b.Context(), "commandstats").Result()
		if err != nil {
			b.Fatal(err)
		}
		return parseCommandStats(info)
	}
}

// parseCommandStats reads "cmdstat_get:calls=12,usec=..." lines.
func parseCommandStats(info string) map[string]int64 {
	out := make(map[string]int64)
	for line := range strings.Lines(info) {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(rest, "calls="), ",")
		if n, err := strconv.ParseInt(calls, 10, 64); err == nil {
			out[strings.ReplaceAll(strings.TrimPrefix(name, "cmdstat_"), "|", "-")] = n
		}
	}
	return out
}

// burstReader counts a round trip whenever the client sends after a reply.
type burstReader struct {
	r       io.Reader
	replied *atomic.Bool
	rounds  *atomic.Int64
}

func (b *burstReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 && b.replied.Swap(false) {
		b.rounds.Add(1)
	}
	return n, err
}

// replyWriter marks that the server answered.
type replyWriter struct {
	w       io.Writer
	replied *atomic.Bool
}

func (r *replyWriter) Write(p []byte) (int, error) {
	r.replied.Store(true)
	return r.w.Write(p)
}

// skipCommand reads one RESP command: an array of bulk strings, or an
// inline command line.
func skipCommand(r *bufio.Reader) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "*") {
		return nil // inline command
	}
	n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
	if err != nil {
		return err
	}
	for range n {
		h, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if !strings.HasPrefix(h, "$") {
			return errors.New("proxy: not a bulk string")
		}
		size, err := strconv.Atoi(strings.TrimSpace(h[1:]))
		if err != nil {
			return err
		}
		if _, err := r.Discard(size + 2); err != nil {
			return err
		}
	}
	return nil
}
