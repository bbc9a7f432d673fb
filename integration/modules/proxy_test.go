package modules

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is the machinery: finding the workspace's modules, deciding
// which are published, rewriting their go.mod files, and writing a
// file-based module proxy (the GOPROXY protocol, `go help goproxy`).

const (
	// modulePrefix is the path prefix of every sessionkit module.
	modulePrefix = "github.com/sessionkit/sessionkit"
	// publishVersion is the version every module is published at.
	publishVersion = "v0.1.0"
	// alsoPublishEnv names module dirs to publish although they would be
	// left out (see doc.go).
	alsoPublishEnv = "SESSIONKIT_MODULES_ALSO_PUBLISH"
)

// isSibling reports whether p is the path of a sessionkit module.
func isSibling(p string) bool {
	return p == modulePrefix || strings.HasPrefix(p, modulePrefix+"/")
}

// escapeModulePath escapes a module path or a version for the proxy's file
// names, as golang.org/x/mod/module.EscapePath and EscapeVersion do: each
// upper-case ASCII letter becomes '!' and its lower-case form. '!' and
// non-ASCII characters are never valid in a module path or version, so they
// are rejected rather than escaped.
func escapeModulePath(s string) (string, error) {
	if s == "" {
		return "", errors.New("escape: empty path")
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '!' || r >= utf8.RuneSelf:
			return "", fmt.Errorf("escape %q: invalid character %q", s, r)
		case 'A' <= r && r <= 'Z':
			b.WriteByte('!')
			b.WriteRune(r + ('a' - 'A'))
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

// moduleFiles returns the files of the module rooted at dir that belong in
// its zip, as sorted slash-separated paths relative to dir. As in the go
// command's own zips (golang.org/x/mod/zip) it leaves out nested modules
// (directories with their own go.mod), VCS directories and everything that
// is not a regular file (symlinks); testdata is kept. Vendor directories are
// left out whole: a published module has no use for one.
func moduleFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			switch d.Name() {
			case ".git", ".hg", ".svn", ".bzr", "vendor":
				return filepath.SkipDir
			}
			if fi, err := os.Lstat(filepath.Join(p, "go.mod")); err == nil && fi.Mode().IsRegular() {
				return filepath.SkipDir // a nested module
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, rel)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// writeModuleZip writes the zip of the module at dir to w: its files (see
// moduleFiles) under "<modPath>@<version>/", with goMod as the content of
// the go.mod at its root.
func writeModuleZip(w io.Writer, modPath, version, dir string, goMod []byte) error {
	files, err := moduleFiles(dir)
	if err != nil {
		return err
	}
	if !slices.Contains(files, "go.mod") {
		return fmt.Errorf("%s: no go.mod", dir)
	}
	prefix := modPath + "@" + version + "/"
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.Create(prefix + f)
		if err != nil {
			return err
		}
		if f == "go.mod" {
			_, err = fw.Write(goMod)
		} else {
			err = copyFile(fw, filepath.Join(dir, filepath.FromSlash(f)))
		}
		if err != nil {
			return fmt.Errorf("zip %s: %w", f, err)
		}
	}
	return zw.Close()
}

func copyFile(w io.Writer, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// publishModule adds modPath@version, from the module at dir with goMod as
// its go.mod, to the file proxy at proxyDir:
// <escaped path>/@v/{list, <v>.info, <v>.mod, <v>.zip}.
func publishModule(proxyDir, modPath, version, dir string, goMod []byte, published time.Time) error {
	escPath, err := escapeModulePath(modPath)
	if err != nil {
		return err
	}
	escVersion, err := escapeModulePath(version)
	if err != nil {
		return err
	}
	vdir := filepath.Join(proxyDir, filepath.FromSlash(escPath), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    string
	}{version, published.UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	var zbuf bytes.Buffer
	if err := writeModuleZip(&zbuf, modPath, version, dir, goMod); err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"list":               []byte(version + "\n"),
		escVersion + ".info": info,
		escVersion + ".mod":  goMod,
		escVersion + ".zip":  zbuf.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(vdir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// workModule is one module of the workspace.
type workModule struct {
	Dir  string // relative to the repository root, slash-separated ("stores/redis")
	Abs  string // absolute directory
	Path string // module path
	Mod  goMod  // its go.mod, as `go mod edit -json` gives it

	// Unpublished says why the module is not published; "" if it is.
	Unpublished string
}

// goMod is the part of `go mod edit -json` this test uses.
type goMod struct {
	Module  struct{ Path string }
	Require []struct {
		Path     string
		Version  string
		Indirect bool
	}
	Replace []struct {
		Old struct{ Path, Version string }
		New struct{ Path, Version string }
	}
}

// goCmd runs the go command in dir and returns its standard output; a
// failure's error holds the command line and its standard error.
func goCmd(ctx context.Context, goBin, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(stdout.String())
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", err, ctx.Err())
		}
		return stdout.Bytes(), fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, lastLines(msg, 40))
	}
	return stdout.Bytes(), nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return fmt.Sprintf("[%d lines cut]\n%s", len(lines)-n, strings.Join(lines[len(lines)-n:], "\n"))
}

// findRoot returns the nearest directory at or above dir that holds a go.work.
func findRoot(dir string) (string, error) {
	for d := dir; ; {
		if fi, err := os.Stat(filepath.Join(d, "go.work")); err == nil && !fi.IsDir() {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.work at or above %s", dir)
		}
		d = parent
	}
}

// unpublishedReason says why the module in dir (relative to the root) is
// not a library module that users get, or "" when it is one.
func unpublishedReason(dir string) string {
	top, _, _ := strings.Cut(dir, "/")
	switch top {
	case "examples", "integration", "benchmarks", "tools":
		return "not a library (" + top + ")"
	}
	// Test-support modules (adaptertest, storetest, ... as httptest and
	// fstest in the standard library) are for this repository's tests.
	if base := path.Base(dir); len(base) > len("test") && strings.HasSuffix(base, "test") {
		return "test-support module (its name ends in \"test\")"
	}
	return ""
}

// workspaceModules lists the modules that root's go.work uses, in go.work
// order, each with its parsed go.mod and whether it is published. Dirs in
// alsoPublish are published whatever unpublishedReason says.
func workspaceModules(ctx context.Context, goBin, root string, env []string, alsoPublish []string) ([]*workModule, error) {
	out, err := goCmd(ctx, goBin, root, env, "work", "edit", "-json", filepath.Join(root, "go.work"))
	if err != nil {
		return nil, err
	}
	var work struct{ Use []struct{ DiskPath string } }
	if err := json.Unmarshal(out, &work); err != nil {
		return nil, fmt.Errorf("go work edit -json: %w", err)
	}
	var mods []*workModule
	for _, u := range work.Use {
		abs := filepath.FromSlash(u.DiskPath)
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(root, abs)
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return nil, err
		}
		m := &workModule{Dir: filepath.ToSlash(rel), Abs: abs}
		out, err := goCmd(ctx, goBin, root, env, "mod", "edit", "-json", filepath.Join(abs, "go.mod"))
		if err != nil {
			return nil, fmt.Errorf("go.work uses %s: %w", u.DiskPath, err)
		}
		if err := json.Unmarshal(out, &m.Mod); err != nil {
			return nil, fmt.Errorf("%s/go.mod: %w", m.Dir, err)
		}
		m.Path = m.Mod.Module.Path
		if !slices.Contains(alsoPublish, m.Dir) {
			m.Unpublished = unpublishedReason(m.Dir)
		}
		mods = append(mods, m)
	}
	return mods, nil
}

// siblingProblems checks that each published module requires only published
// siblings: what a user who gets it could resolve. It returns, by module
// path, the problems of each published module whose own requirements or
// whose siblings' requirements (transitively) are not met; a module absent
// from the map is consistent.
func siblingProblems(mods []*workModule) map[string][]string {
	byPath := map[string]*workModule{}
	for _, m := range mods {
		byPath[m.Path] = m
	}
	own := map[string][]string{}
	for _, m := range mods {
		if m.Unpublished != "" {
			continue
		}
		for _, r := range m.Mod.Require {
			if !isSibling(r.Path) {
				continue
			}
			switch dep := byPath[r.Path]; {
			case dep == nil:
				own[m.Path] = append(own[m.Path], fmt.Sprintf(
					"%s (%s) requires %s, which is not a module of the workspace (go.work)",
					m.Dir, m.Path, r.Path))
			case dep.Unpublished != "":
				own[m.Path] = append(own[m.Path], fmt.Sprintf(
					"%s (%s) requires %s, which is not published: %s is a %s. "+
						"A user who gets %s could not resolve it; a library module may require only published modules "+
						"(move what it needs into one, or drop the requirement)",
					m.Dir, m.Path, r.Path, dep.Dir, dep.Unpublished, m.Path))
			}
		}
	}
	// Propagate: a module is broken if a sibling it requires is broken.
	problems := map[string][]string{}
	var visit func(p string, seen map[string]bool) []string
	visit = func(p string, seen map[string]bool) []string {
		if seen[p] {
			return nil
		}
		seen[p] = true
		probs := slices.Clone(own[p])
		if m := byPath[p]; m != nil {
			for _, r := range m.Mod.Require {
				if isSibling(r.Path) && byPath[r.Path] != nil && byPath[r.Path].Unpublished == "" {
					for _, q := range visit(r.Path, seen) {
						if !slices.Contains(probs, q) {
							probs = append(probs, q)
						}
					}
				}
			}
		}
		return probs
	}
	for _, m := range mods {
		if m.Unpublished != "" {
			continue
		}
		if probs := visit(m.Path, map[string]bool{}); len(probs) > 0 {
			problems[m.Path] = probs
		}
	}
	return problems
}

// publishedGoMod returns m's go.mod as published: without replace
// directives, and with every requirement of a sibling at version.
func publishedGoMod(ctx context.Context, goBin string, env []string, m *workModule, version, scratch string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(m.Abs, "go.mod"))
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(scratch, "gomod-")
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "go.mod")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return nil, err
	}
	args := []string{"mod", "edit"}
	for _, r := range m.Mod.Replace {
		old := r.Old.Path
		if r.Old.Version != "" {
			old += "@" + r.Old.Version
		}
		args = append(args, "-dropreplace="+old)
	}
	for _, r := range m.Mod.Require {
		if isSibling(r.Path) {
			args = append(args, "-require="+r.Path+"@"+version)
		}
	}
	if len(args) > 2 {
		if _, err := goCmd(ctx, goBin, dir, env, append(args, file)...); err != nil {
			return nil, err
		}
	}
	return os.ReadFile(file)
}
