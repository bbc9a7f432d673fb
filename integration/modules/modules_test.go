package modules

import (
	"cmp"
	"context"
	"fmt"
	"go/build"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The consumers' environment, and why:
//
//   - GOPROXY=file://<our proxy>,file://<shared cache>/cache/download,<go env GOPROXY>.
//     Our modules come from the first; a 404 there falls through (the comma
//     separator) to the next. The second is the user's own module cache,
//     whose download directory is itself a valid file proxy: third-party
//     modules already downloaded (by this repository's own builds) are
//     served from disk. The ordinary proxy, which may be a list, comes last;
//     it also serves the checksum database.
//   - GOMODCACHE=<fresh dir under t.TempDir()>, with GOFLAGS=-modcacherw so
//     that the test's cleanup can delete it. The module cache trusts what it
//     holds: a shared cache would keep github.com/sessionkit/...@v0.1.0 from
//     an earlier run, with other content, and serve it again without asking
//     our proxy (go.sum cannot catch it, as our modules skip the checksum
//     database and every consumer's go.sum is new). Deleting those entries
//     from the user's cache instead would touch state that is not the test's
//     and race with other runs. With the shared cache as a proxy behind ours,
//     a fresh cache costs only unzipping. go build runs with -trimpath, so
//     that its build cache keys name module@version rather than the fresh
//     cache's directory, and packages compiled in an earlier run are reused.
//   - GONOSUMDB=github.com/sessionkit/sessionkit: our v0.1.0 is in no
//     checksum database; go get still records its hashes in go.sum. GOSUMDB
//     stays as it is for third-party modules. GOPRIVATE and GONOPROXY are
//     cleared, and not used instead: GOPRIVATE is the default of GONOPROXY,
//     and modules matching GONOPROXY are fetched directly from their VCS,
//     bypassing every proxy, our file proxy included
//     (TestPrivateBypassesProxy shows it). There is no GONOSUMCHECK, and
//     -insecure is gone from go get; neither is needed.
//   - GOWORK=off, and GOFLAGS=-mod=mod (never -mod=vendor): a consumer is a
//     plain module outside any workspace, whose go.mod go get and go build
//     may update.
//   - GOTOOLCHAIN=local: the consumers use the go on PATH, and never download
//     another toolchain.

// TestConsumers publishes the library modules to a file proxy and builds
// each consumer of the program table (consumers_test.go) against it.
func TestConsumers(t *testing.T) {
	goBin := needGo(t)
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip("-short: skipping the module consumer builds")
	}
	start := time.Now()
	ctx := testContext(t)

	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := findRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	userEnv := os.Environ()

	// 1. The workspace's modules, and which are published.
	also := splitList(os.Getenv(alsoPublishEnv))
	mods, err := workspaceModules(ctx, goBin, root, userEnv, also)
	if err != nil {
		t.Fatal(err)
	}
	byDir := map[string]*workModule{}
	var published, left []string
	for _, m := range mods {
		byDir[m.Dir] = m
		if m.Unpublished == "" {
			published = append(published, m.Dir)
		} else {
			left = append(left, m.Dir+" ("+m.Unpublished+")")
		}
	}
	for _, d := range also {
		if byDir[d] == nil {
			t.Errorf("%s names %s, which is not a module of go.work", alsoPublishEnv, d)
		} else {
			t.Logf("%s: publishing %s although it would be left out", alsoPublishEnv, d)
		}
	}
	problems := siblingProblems(mods)
	var allProblems []string
	for _, probs := range problems {
		for _, p := range probs {
			if !slices.Contains(allProblems, p) {
				allProblems = append(allProblems, p)
			}
		}
	}
	slices.Sort(allProblems)
	if len(allProblems) > 0 {
		t.Errorf("published modules require unpublished siblings; their consumers are not run:\n\t%s",
			strings.Join(allProblems, "\n\t"))
	}

	// 2. The proxy.
	tmp := t.TempDir()
	if rel, err := filepath.Rel(root, tmp); err == nil && !strings.HasPrefix(rel, "..") {
		t.Fatalf("the temporary directory %s is inside the repository %s: set TMPDIR elsewhere", tmp, root)
	}
	proxyDir := filepath.Join(tmp, "proxy")
	releaseTime := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range published {
		m := byDir[d]
		gomod, err := publishedGoMod(ctx, goBin, userEnv, m, publishVersion, tmp)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if err := publishModule(proxyDir, m.Path, publishVersion, m.Abs, gomod, releaseTime); err != nil {
			t.Fatalf("publish %s: %v", d, err)
		}
	}
	t.Logf("published at %s: %s", publishVersion, strings.Join(published, ", "))
	t.Logf("not published: %s", strings.Join(left, ", "))

	// 3. The consumers' environment (see the comment at the top).
	userProxy := strings.TrimSpace(string(mustGo(t, ctx, goBin, root, userEnv, "env", "GOPROXY")))
	sharedCache := strings.TrimSpace(string(mustGo(t, ctx, goBin, root, userEnv, "env", "GOMODCACHE")))
	proxies := []string{fileURL(proxyDir)}
	if dl := filepath.Join(sharedCache, "cache", "download"); sharedCache != "" && isDir(dl) {
		proxies = append(proxies, fileURL(dl))
	}
	if userProxy != "" {
		proxies = append(proxies, userProxy)
	}
	probeProxy(t, userProxy)
	env := withEnv(userEnv, map[string]string{
		"GOWORK":      "off",
		"GOFLAGS":     "-mod=mod -modcacherw",
		"GOPROXY":     strings.Join(proxies, ","),
		"GONOSUMDB":   modulePrefix,
		"GOPRIVATE":   "",
		"GONOPROXY":   "",
		"GOMODCACHE":  filepath.Join(tmp, "modcache"),
		"GOTOOLCHAIN": "local",
	})
	// A go env file (go env -w) can still set GONOPROXY or GOPRIVATE.
	if np := strings.TrimSpace(string(mustGo(t, ctx, goBin, tmp, env, "env", "GONOPROXY"))); matchesPrefixPatterns(np, modulePrefix+"/core") {
		t.Fatalf("GONOPROXY (or GOPRIVATE) is %q, from the go env file (%s); it makes the go command bypass "+
			"the proxy for sessionkit's modules. Unset it with go env -u GOPRIVATE GONOPROXY to run this test",
			np, strings.TrimSpace(string(mustGo(t, ctx, goBin, tmp, env, "env", "GOENV"))))
	}
	t.Logf("consumer env: GOPROXY=%s GONOSUMDB=%s GOFLAGS=%q GOWORK=off GOTOOLCHAIN=local GOMODCACHE=<fresh>",
		strings.Join(proxies, ","), modulePrefix, "-mod=mod -modcacherw")

	// 4. The consumers: the table, then an import-only one for every
	// published module that no row gets.
	all := slices.Clone(consumers)
	covered := map[string]bool{}
	for _, c := range consumers {
		for _, d := range c.get {
			covered[d] = true
		}
	}
	var programs []string
	for _, d := range published {
		if isProgram(byDir[d].Abs) {
			programs = append(programs, d) // installed below, not imported
			continue
		}
		if !covered[d] && hasRootPackage(byDir[d].Abs) {
			all = append(all, consumer{
				name: d + " (import only)",
				get:  []string{d},
				main: fmt.Sprintf("package main\n\nimport _ %q\n\nfunc main() {}\n", byDir[d].Path),
			})
		}
	}
	var results []outcome
	for _, c := range all {
		o := outcome{name: c.name, status: "FAIL (see the subtest)"}
		t.Run(c.name, func(t *testing.T) {
			var broken []string
			for _, d := range c.get {
				switch m := byDir[d]; {
				case m == nil:
					t.Fatalf("the program table gets %s, which is not a module of go.work", d)
				case m.Unpublished != "":
					t.Fatalf("the program table gets %s, which is not published (%s)", d, m.Unpublished)
				case problems[m.Path] != nil:
					broken = append(broken, d)
				}
			}
			if len(broken) > 0 {
				o.status = "NOT RUN: " + strings.Join(broken, ", ") + " requires unpublished siblings"
				t.Skip(o.status)
			}
			o = runConsumer(t, ctx, goBin, env, c, byDir)
		})
		results = append(results, o)
	}

	// A command module is what an operator go installs: install it from
	// the proxy into an empty GOBIN and run it.
	for _, d := range programs {
		o := outcome{name: d + " (go install)", status: "ok"}
		t.Run(o.name, func(t *testing.T) {
			start := time.Now()
			defer func() { o.took = time.Since(start) }()
			bin := t.TempDir()
			if _, err := goCmd(ctx, goBin, t.TempDir(), append(slices.Clone(env), "GOBIN="+bin), "install", byDir[d].Path+"@"+publishVersion); err != nil {
				o.status = "FAIL at go install"
				t.Fatalf("go install: %v", err)
			}
			out, err := exec.CommandContext(ctx, filepath.Join(bin, path.Base(d)), "--help").CombinedOutput()
			if err != nil {
				o.status = "FAIL at --help"
				t.Fatalf("%s --help: %v\n%s", path.Base(d), err, out)
			}
		})
		results = append(results, o)
	}

	// 5. The report.
	var b strings.Builder
	fmt.Fprintf(&b, "module consumers (%s, %d consumers, %s in all):", publishVersion, len(results), time.Since(start).Round(100*time.Millisecond))
	for _, o := range results {
		fmt.Fprintf(&b, "\n%-26s %s", o.name, o.status)
		if o.took > 0 {
			fmt.Fprintf(&b, " (%s)", o.took.Round(100*time.Millisecond))
		}
		if o.graph > 0 {
			fmt.Fprintf(&b, "\n    graph: %d modules; sessionkit: %s", o.graph, strings.Join(o.ours, " "))
			if len(o.others) > 0 {
				fmt.Fprintf(&b, "\n    third-party (%d): %s", len(o.others), strings.Join(o.others, " "))
			} else {
				b.WriteString("\n    third-party: none")
			}
		}
		for _, line := range o.notes {
			fmt.Fprintf(&b, "\n    %s", line)
		}
	}
	t.Log(b.String())
}

// outcome is one consumer's line in the report.
type outcome struct {
	name   string
	status string // "ok", "FAIL at <step>", "NOT RUN: ..."
	took   time.Duration
	graph  int      // modules in go list -m all, main module included
	ours   []string // sessionkit modules, as dir@version
	others []string // third-party modules, as path@version
	notes  []string // what failed, briefly
}

// runConsumer builds one consumer in a fresh module and checks its graph.
func runConsumer(t *testing.T, ctx context.Context, goBin string, env []string, c consumer, byDir map[string]*workModule) (o outcome) {
	start := time.Now()
	o = outcome{name: c.name, status: "ok"}
	defer func() { o.took = time.Since(start) }()
	fail := func(step string, err error) {
		t.Errorf("%s: %v", step, err)
		if o.status == "ok" {
			o.status = "FAIL at " + step
		}
		msg := strings.TrimSpace(err.Error())
		if lines := strings.Split(msg, "\n"); len(lines) > 8 {
			msg = strings.Join(lines[:8], "\n    ") + "\n    ..."
		} else {
			msg = strings.Join(lines, "\n    ")
		}
		o.notes = append(o.notes, step+": "+msg)
	}

	dir := filepath.Join(t.TempDir(), "consumer")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := goCmd(ctx, goBin, dir, env, "mod", "init", "example.com/consumer"); err != nil {
		fail("go mod init", err)
		return o
	}
	args := []string{"get"}
	for _, d := range c.get {
		args = append(args, byDir[d].Path+"@"+publishVersion)
	}
	if _, err := goCmd(ctx, goBin, dir, env, args...); err != nil {
		fail("go get", err)
		return o
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(c.main), 0o644); err != nil {
		t.Fatal(err)
	}
	// A build failure (say the API changed) still leaves a graph to check.
	if _, err := goCmd(ctx, goBin, dir, env, "build", "-trimpath", "./..."); err != nil {
		fail("go build", err)
	}
	out, err := goCmd(ctx, goBin, dir, env, "list", "-m", "all")
	if err != nil {
		fail("go list -m all", err)
		return o
	}
	dirOf := map[string]string{}
	for _, m := range byDir {
		dirOf[m.Path] = m.Dir
	}
	var graph [][2]string // path, version
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case len(f) == 1:
			if f[0] != "example.com/consumer" {
				fail("graph", fmt.Errorf("module %s has no version", f[0]))
			}
		default:
			graph = append(graph, [2]string{f[0], f[1]})
			if isSibling(f[0]) {
				o.ours = append(o.ours, cmp.Or(dirOf[f[0]], f[0])+"@"+f[1])
			} else {
				o.others = append(o.others, f[0]+"@"+f[1])
			}
			if len(f) > 2 {
				fail("graph", fmt.Errorf("module %s is replaced: %s", f[0], strings.Join(f[2:], " ")))
			}
		}
	}
	o.graph = len(graph) + 1
	has := func(prefix string) []string {
		var hits []string
		for _, m := range graph {
			if matchesPrefix(m[0], prefix) {
				hits = append(hits, m[0])
			}
		}
		return hits
	}
	var graphErrs, foreign []string
	for _, m := range graph {
		switch {
		case !isSibling(m[0]):
			foreign = append(foreign, m[0])
		case m[1] != publishVersion:
			graphErrs = append(graphErrs, fmt.Sprintf("holds %s at %s, not %s", m[0], m[1], publishVersion))
		case dirOf[m[0]] == "" || byDir[dirOf[m[0]]].Unpublished != "":
			graphErrs = append(graphErrs, "holds "+m[0]+", which is not published")
		}
	}
	if c.onlyOurs && len(foreign) > 0 {
		graphErrs = append(graphErrs, fmt.Sprintf("holds %d third-party modules (must hold none): %s",
			len(foreign), strings.Join(foreign, " ")))
	}
	for _, d := range c.get {
		if len(has(byDir[d].Path)) == 0 {
			graphErrs = append(graphErrs, "lacks "+byDir[d].Path)
		}
	}
	for _, p := range c.want {
		if len(has(p)) == 0 {
			graphErrs = append(graphErrs, "lacks "+p)
		}
	}
	for _, p := range c.wantNot {
		if hits := has(p); len(hits) > 0 {
			graphErrs = append(graphErrs, "holds "+strings.Join(hits, ", ")+" (must not hold "+p+")")
		}
	}
	if len(graphErrs) > 0 {
		fail("graph check", fmt.Errorf("%s", strings.Join(graphErrs, "; ")))
	}
	return o
}

// matchesPrefix reports whether module path p is prefix, or lies under it
// ("gorm.io/" covers gorm.io/gorm, "github.com/labstack/echo" covers
// github.com/labstack/echo/v4).
func matchesPrefix(p, prefix string) bool {
	if strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(p, prefix)
	}
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// matchesPrefixPatterns reports whether a GONOPROXY-style list of glob
// patterns matches module path p, as golang.org/x/mod/module's
// MatchPrefixPatterns does: a pattern matches p when it matches a prefix of
// p made of as many path elements as the pattern has.
func matchesPrefixPatterns(patterns, p string) bool {
	for _, pat := range strings.Split(patterns, ",") {
		pat = strings.Trim(strings.TrimSpace(pat), "/")
		if pat == "" {
			continue
		}
		n := strings.Count(pat, "/") + 1
		elems := strings.Split(p, "/")
		if len(elems) < n {
			continue
		}
		if ok, _ := path.Match(pat, strings.Join(elems[:n], "/")); ok {
			return true
		}
	}
	return false
}

// probeProxy fails the test when the first HTTP proxy of the ordinary
// GOPROXY list cannot be reached: third-party modules and the checksum
// database come through it. Any HTTP answer counts as reachable.
func probeProxy(t *testing.T, list string) {
	t.Helper()
	for _, p := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '|' }) {
		if !strings.HasPrefix(p, "https://") && !strings.HasPrefix(p, "http://") {
			continue
		}
		client := &http.Client{Timeout: 20 * time.Second}
		resp, err := client.Get(strings.TrimSuffix(p, "/") + "/")
		if err != nil {
			t.Fatalf("the module proxy %s (go env GOPROXY=%s) is unreachable: %v\n"+
				"this test gets third-party modules and their checksums through it", p, list, err)
		}
		resp.Body.Close()
		return
	}
	t.Logf("GOPROXY=%s has no HTTP proxy: third-party modules must come from the module cache or their VCS", list)
}

// needGo returns the go command on PATH, or skips the test without one
// (and fails it under CI).
func needGo(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("go is not on PATH (under CI this test does not skip): %v", err)
		}
		t.Skipf("go is not on PATH: %v", err)
	}
	return goBin
}

// testContext ends a little before the test's deadline, so that a hung go
// command fails the test with its output rather than panicking it.
func testContext(t *testing.T) context.Context {
	ctx := t.Context()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-30*time.Second))
		t.Cleanup(cancel)
	}
	return ctx
}

func mustGo(t *testing.T, ctx context.Context, goBin, dir string, env []string, args ...string) []byte {
	t.Helper()
	out, err := goCmd(ctx, goBin, dir, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withEnv returns env with the variables in set replaced.
func withEnv(env []string, set map[string]string) []string {
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	slices.Sort(out[len(out)-len(set):])
	return out
}

// fileURL returns the file:// URL of the absolute directory dir.
func fileURL(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	return "file://" + p
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// hasRootPackage reports whether the module at dir has a package at its
// root (a non-test .go file there).
// isProgram reports whether dir's root package, as the go command builds
// it (go:build ignore files left out), is a command (package main).
func isProgram(dir string) bool {
	p, err := build.ImportDir(dir, 0)
	return err == nil && p.Name == "main"
}

func hasRootPackage(dir string) bool {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}

// splitList splits a comma- or space-separated list.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}
