// Package faultproxy is a TCP proxy for tests that makes a healthy server
// misbehave on demand: its mode, switchable at any time, passes traffic
// through, delays it, black-holes it (connections stay open, nothing is
// forwarded) or resets every connection. It uses the standard library
// only.
//
//	p := faultproxy.New(t, "127.0.0.1:6379") // closed when t ends
//	client := connect(p.Addr())
//	p.Blackhole()  // the server seems frozen
//	p.Pass()       // and is back
package faultproxy

import (
	"net"
	"sync"
	"testing"
	"time"
)

// Mode is what the proxy does with traffic.
type Mode int

const (
	// Pass forwards every byte as it comes.
	Pass Mode = iota
	// Delay forwards each chunk read after a delay.
	Delay
	// Blackhole accepts connections and keeps them open but forwards
	// nothing: what was read is held, and delivered once the mode changes
	// back, as a frozen server's kernel buffers would.
	Blackhole
	// Reset closes every connection with a TCP RST and resets new ones at
	// once, until the mode changes.
	Reset
)

// String names the mode.
func (m Mode) String() string {
	switch m {
	case Pass:
		return "pass"
	case Delay:
		return "delay"
	case Blackhole:
		return "blackhole"
	case Reset:
		return "reset"
	}
	return "invalid"
}

// Proxy forwards connections accepted on 127.0.0.1 to a target address.
// Its methods are safe for concurrent use.
type Proxy struct {
	target string
	ln     net.Listener

	mu      sync.Mutex
	mode    Mode
	delay   time.Duration
	changed chan struct{} // closed and replaced at every mode change
	links   map[*link]struct{}
	closed  bool
	total   int // connections accepted

	wg sync.WaitGroup
}

// New starts a proxy to target on 127.0.0.1:0 in Pass mode and closes it
// when t ends. It fails t if it cannot listen.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	p, err := Start(target)
	if err != nil {
		t.Fatalf("faultproxy: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// Start is New without a testing.TB: the caller must call Close.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, ln: ln, changed: make(chan struct{}), links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the address to connect to instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Mode returns the mode in force.
func (p *Proxy) Mode() Mode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// Conns returns how many proxied connections are open.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

// Accepted returns how many connections the proxy has accepted in all.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// Pass forwards traffic again, including what a black hole held.
func (p *Proxy) Pass() { p.set(Pass, 0) }

// Delay delays each chunk of traffic, in both directions, by d.
func (p *Proxy) Delay(d time.Duration) { p.set(Delay, d) }

// Blackhole stops forwarding; connections stay open and new ones are
// accepted.
func (p *Proxy) Blackhole() { p.set(Blackhole, 0) }

// Reset closes every open connection with a RST, on both sides, and
// resets new ones until the mode changes.
func (p *Proxy) Reset() { p.set(Reset, 0) }

func (p *Proxy) set(m Mode, d time.Duration) {
	p.mu.Lock()
	p.mode, p.delay = m, d
	close(p.changed)
	p.changed = make(chan struct{})
	var doomed []*link
	if m == Reset {
		for l := range p.links {
			doomed = append(doomed, l)
		}
	}
	p.mu.Unlock()
	for _, l := range doomed {
		l.close(true)
	}
}

// Close stops listening, closes every connection and waits for all the
// proxy's goroutines to return. It is idempotent.
func (p *Proxy) Close() {
	p.mu.Lock()
	already := p.closed
	p.closed = true
	var all []*link
	for l := range p.links {
		all = append(all, l)
	}
	p.mu.Unlock()
	if !already {
		_ = p.ln.Close()
	}
	for _, l := range all {
		l.close(false)
	}
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		p.total++
		if p.closed || p.mode == Reset {
			p.mu.Unlock()
			rst(c)
			continue
		}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.handle(c)
	}
}

// handle dials the target for the accepted connection c and pumps both
// ways until either side ends or the link is closed.
func (p *Proxy) handle(c net.Conn) {
	defer p.wg.Done()
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		rst(c)
		return
	}
	l := &link{p: p, down: c, up: up, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed || p.mode == Reset {
		p.mu.Unlock()
		rst(c)
		rst(up)
		return
	}
	p.links[l] = struct{}{}
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		l.pump(up, c)
	}()
	l.pump(c, up)
}

// link is one proxied connection: down is the client's, up the target's.
type link struct {
	p        *Proxy
	down, up net.Conn
	once     sync.Once
	done     chan struct{}
}

// close closes both sides, with a RST when reset is set, and forgets l.
func (l *link) close(reset bool) {
	l.once.Do(func() {
		close(l.done)
		if reset {
			rst(l.down)
			rst(l.up)
		} else {
			_ = l.down.Close()
			_ = l.up.Close()
		}
		l.p.mu.Lock()
		delete(l.p.links, l)
		l.p.mu.Unlock()
	})
}

// pump copies src to dst, chunk by chunk, as the mode allows.
func (l *link) pump(dst, src net.Conn) {
	defer l.close(false)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !l.wait() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF or error: the whole link ends (no half-close)
		}
	}
}

// wait blocks until a chunk read may be forwarded, and reports false when
// the link ended meanwhile.
func (l *link) wait() bool {
	for {
		p := l.p
		p.mu.Lock()
		mode, d, changed := p.mode, p.delay, p.changed
		p.mu.Unlock()
		switch mode {
		case Pass:
			return true
		case Delay:
			t := time.NewTimer(d)
			select {
			case <-t.C:
				return true
			case <-l.done:
				t.Stop()
				return false
			}
		case Blackhole:
			select {
			case <-changed:
			case <-l.done:
				return false
			}
		default: // Reset: the link is being closed
			return false
		}
	}
}

// rst closes c with a TCP RST instead of a FIN.
func rst(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
