//go:build linux

package faults_test

// Private server processes for the tests that freeze (SIGSTOP/SIGCONT)
// or kill and restart a server: the shared ones from /tmp/svc/env are
// used by every package's tests at once and are never signalled. Each
// server runs in the foreground on free ports under a temporary directory
// and is killed when its test ends, whatever the outcome.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds a server's start, InnoDB or WAL recovery included.
const startTimeout = 60 * time.Second

// server is one private server process.
type server struct {
	name  string
	argv  []string
	cred  *syscall.Credential // run as this user (PostgreSQL refuses root)
	log   string              // its stdout and stderr
	tree  bool                // signals reach its children too (PostgreSQL's backends)
	ready func(ctx context.Context) error
	cmd   *exec.Cmd
}

// requireBinary returns the path of the first of names found on PATH or
// as an absolute path. Without one the test is skipped, except under CI.
func requireBinary(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("none of %v found (required when CI is set)", names)
	}
	t.Skipf("none of %v found; skipping the test that starts its own server", names)
	return ""
}

// freePort returns a port that was free a moment ago on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// newServer registers a cleanup that kills the server, then starts it.
func newServer(t *testing.T, s *server) *server {
	t.Helper()
	t.Cleanup(s.stop)
	s.start(t)
	return s
}

// start runs the server and waits until it is ready.
func (s *server) start(t *testing.T) {
	t.Helper()
	log, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close() // the child has its own descriptor
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	// Pdeathsig: a test binary killed outright leaves no server behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	s.cmd = cmd
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := waitReady(ctx, s.ready); err != nil {
		b, _ := os.ReadFile(s.log)
		t.Fatalf("%s not ready after %v: %v\n%s", s.name, startTimeout, err, tail(b, 40))
	}
}

// waitReady polls ready until it succeeds or ctx ends.
func waitReady(ctx context.Context, ready func(context.Context) error) error {
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := ready(pctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// pids returns the server's process and, for a tree, its children.
func (s *server) pids() []int {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	pid := s.cmd.Process.Pid
	if !s.tree {
		return []int{pid}
	}
	return append([]int{pid}, childrenOf(pid)...)
}

// freeze stops the server (SIGSTOP) and returns once it is stopped. The
// parent is stopped first, and its children are listed only once it is
// stopped: a kill returns before the signal lands, and a parent still in
// fork at that moment would otherwise have a child nobody stopped (seen
// on CI: one escaped PostgreSQL backend served most of the load).
func (s *server) freeze(t *testing.T) {
	t.Helper()
	pid := s.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("%s: SIGSTOP: %v", s.name, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for procState(pid) != 'T' {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not stopped 5s after SIGSTOP", s.name)
		}
		time.Sleep(time.Millisecond)
	}
	for {
		all := s.pids()
		stopped := 0
		for _, p := range all {
			// A zombie is a child that exited, not reaped by the
			// stopped parent.
			if st := procState(p); st == 'T' || st == 'Z' || st == 0 {
				stopped++
			} else {
				_ = syscall.Kill(p, syscall.SIGSTOP)
			}
		}
		if stopped == len(all) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d of %d processes stopped after SIGSTOP", s.name, stopped, len(all))
		}
		time.Sleep(time.Millisecond)
	}
}

// thaw lets a frozen server go on (SIGCONT), children first. It may be
// called again, or on a server that is not frozen.
func (s *server) thaw() {
	all := s.pids()
	for i := len(all) - 1; i >= 0; i-- {
		_ = syscall.Kill(all[i], syscall.SIGCONT)
	}
}

// kill ends the server at once (SIGKILL), as a crash would, children
// included, and reaps it.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if s.cmd == nil {
		return
	}
	pid := s.cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGSTOP) // no new children meanwhile
	all := s.pids()
	for _, p := range all {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	_ = s.cmd.Wait()
	s.cmd = nil
	// Children, reparented now, must be gone before a restart, or
	// PostgreSQL finds its shared memory still in use.
	for deadline := time.Now().Add(10 * time.Second); ; {
		left := 0
		for _, p := range all[1:] {
			if st := procState(p); st != 0 && st != 'Z' {
				left++
			}
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d children still alive after SIGKILL", s.name, left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop kills the server if it runs; it is the cleanup.
func (s *server) stop() {
	if s.cmd == nil {
		return
	}
	all := s.pids()
	for _, p := range all {
		_ = syscall.Kill(p, syscall.SIGCONT)
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	_ = s.cmd.Wait()
	s.cmd = nil
}

// procState returns the state letter of /proc/pid/stat, 0 when the
// process is gone.
func procState(pid int) byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 || i+2 >= len(b) {
		return 0
	}
	return b[i+2]
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, p)
		}
	}
	return out
}

func tail(b []byte, lines int) string {
	ls := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// run runs a setup command and fails t with its output if it fails.
func run(t *testing.T, cred *syscall.Credential, argv ...string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, tail(out, 40))
	}
}

// ---- Redis ----

// redisServer starts redis-server on a free port in dir with args added.
func redisServer(t *testing.T, dir string, args ...string) *server {
	t.Helper()
	bin := requireBinary(t, "redis-server")
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	argv := append([]string{bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--daemonize", "no", "--save", ""}, args...)
	return newServer(t, &server{
		name: "redis " + addr, argv: argv, log: filepath.Join(dir, "redis.log"),
		ready: func(ctx context.Context) error { return redisPing(ctx, addr) },
	})
}

// redisAddr is the server's address.
func (s *server) redisAddr() string { return strings.TrimPrefix(s.name, "redis ") }

// redisPing sends PING and wants PONG (not LOADING).
func redisPing(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING: %q", strings.TrimSpace(line))
	}
	return nil
}

// ---- PostgreSQL ----

// postgresServer initialises a cluster in a fresh directory and starts
// it with the durable defaults (fsync, synchronous_commit). It returns
// the server and a DSN.
func postgresServer(t *testing.T) (*server, string) {
	t.Helper()
	bin := pgBin(t)
	var cred *syscall.Credential
	dir, err := os.MkdirTemp("", "sessionkit-faults-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("running as root without a postgres user: %v", err)
			}
			t.Skipf("running as root without a postgres user to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	// --no-sync only speeds up initdb; the server below syncs as usual.
	run(t, cred, filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
		"--locale=C.UTF-8", "--no-sync")
	port := strconv.Itoa(freePort(t))
	isready := filepath.Join(bin, "pg_isready")
	s := newServer(t, &server{
		name: "postgres 127.0.0.1:" + port,
		argv: []string{filepath.Join(bin, "postgres"), "-D", data, "-p", port, "-k", dir,
			"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=100"},
		cred: cred, log: filepath.Join(dir, "postgres.log"), tree: true,
		ready: func(ctx context.Context) error {
			return exec.CommandContext(ctx, isready, "-q", "-h", "127.0.0.1", "-p", port, "-t", "1").Run()
		},
	})
	return s, "host=127.0.0.1 port=" + port + " user=postgres dbname=postgres sslmode=disable"
}

// pgBin finds PostgreSQL's bin directory, the newest under
// /usr/lib/postgresql, or the one with initdb on PATH.
func pgBin(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return filepath.Dir(requireBinary(t, "initdb"))
}

// ---- MariaDB ----

// mariadbServer initialises a data directory and starts mariadbd with
// the durable defaults (innodb_flush_log_at_trx_commit=1), creates
// database "faults" and returns the server and a DSN for it.
func mariadbServer(t *testing.T) (*server, string) {
	t.Helper()
	bin := requireBinary(t, "mariadbd", "/usr/sbin/mariadbd", "mysqld", "/usr/sbin/mysqld")
	install := requireBinary(t, "mariadb-install-db", "mysql_install_db")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	var userArgs []string
	if os.Geteuid() == 0 {
		userArgs = []string{"--user=root"}
	}
	run(t, nil, append(append([]string{install, "--no-defaults"}, userArgs...),
		"--datadir="+data, "--auth-root-authentication-method=normal", "--skip-test-db")...)
	port := strconv.Itoa(freePort(t))
	addr := "127.0.0.1:" + port
	argv := append(append([]string{bin, "--no-defaults"}, userArgs...),
		"--datadir="+data, "--port="+port, "--bind-address=127.0.0.1", "--socket="+filepath.Join(dir, "sock"),
		"--pid-file="+filepath.Join(dir, "mariadbd.pid"), "--log-error="+filepath.Join(dir, "error.log"),
		"--skip-name-resolve", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
		"--innodb-buffer-pool-size=32M", "--max-connections=200")
	s := newServer(t, &server{
		name: "mariadb " + addr, argv: argv, log: filepath.Join(dir, "stdout.log"),
		ready: func(ctx context.Context) error { return mysqlGreets(ctx, addr) },
	})
	return s, "root@tcp(" + addr + ")/"
}

// mysqlGreets wants the server's greeting: a protocol-10 handshake
// packet, not an error packet.
func mysqlGreets(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	hdr := make([]byte, 5) // 3-byte length, sequence, first payload byte
	if _, err := io.ReadFull(c, hdr); err != nil {
		return err
	}
	if hdr[4] != 10 {
		return errors.New("mariadb answered with an error packet")
	}
	return nil
}
