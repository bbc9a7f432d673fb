package modules

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEscapeModulePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"github.com/sessionkit/sessionkit/core", "github.com/sessionkit/sessionkit/core"},
		{"github.com/BurntSushi/toml", "github.com/!burnt!sushi/toml"},
		{"github.com/Azure/ABC", "github.com/!azure/!a!b!c"},
		{"v0.1.0", "v0.1.0"},
		{"v1.0.0-RC1", "v1.0.0-!r!c1"},
	} {
		got, err := escapeModulePath(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("escapeModulePath(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "a!b", "example.com/ünï"} {
		if got, err := escapeModulePath(bad); err == nil {
			t.Errorf("escapeModulePath(%q) = %q, want an error", bad, got)
		}
	}
}

// writeTree creates files (slash paths relative to dir) with their content.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWriteModuleZip(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"go.mod":                 "module example.com/m\n\nreplace example.com/x => ../x\n",
		"a.go":                   "package m\n",
		"LICENSE":                "license\n",
		"sub/b.go":               "package sub\n",
		"testdata/t.txt":         "kept\n",
		"nested/go.mod":          "module example.com/m/nested\n",
		"nested/c.go":            "package nested\n",
		"sub/nested2/go.mod":     "module example.com/m/sub/nested2\n",
		"sub/nested2/d.go":       "package nested2\n",
		"vendor/modules.txt":     "# vendor\n",
		"vendor/example.com/x/x": "package x\n",
		".git/config":            "[core]\n",
	})
	if err := os.Symlink("a.go", filepath.Join(dir, "link.go")); err != nil {
		t.Logf("no symlink (%v): not checking that symlinks are left out", err)
	}
	goMod := []byte("module example.com/m\n")
	var buf bytes.Buffer
	if err := writeModuleZip(&buf, "example.com/m", "v0.1.0", dir, goMod); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == "example.com/m@v0.1.0/go.mod" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, goMod) {
				t.Errorf("zipped go.mod = %q, want the rewritten %q", got, goMod)
			}
		}
	}
	want := []string{
		"example.com/m@v0.1.0/LICENSE",
		"example.com/m@v0.1.0/a.go",
		"example.com/m@v0.1.0/go.mod",
		"example.com/m@v0.1.0/sub/b.go",
		"example.com/m@v0.1.0/testdata/t.txt",
	}
	if !slices.Equal(names, want) {
		t.Errorf("zip entries:\n\t%s\nwant:\n\t%s", strings.Join(names, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestPublishModuleLayout(t *testing.T) {
	src, proxy := t.TempDir(), t.TempDir()
	writeTree(t, src, map[string]string{"go.mod": "module example.com/Up/m\n", "m.go": "package m\n"})
	when := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := publishModule(proxy, "example.com/Up/m", "v0.1.0", src, []byte("module example.com/Up/m\n"), when); err != nil {
		t.Fatal(err)
	}
	vdir := filepath.Join(proxy, "example.com", "!up", "m", "@v")
	for _, name := range []string{"list", "v0.1.0.info", "v0.1.0.mod", "v0.1.0.zip"} {
		if _, err := os.Stat(filepath.Join(vdir, name)); err != nil {
			t.Errorf("proxy lacks %s: %v", name, err)
		}
	}
	var info struct{ Version, Time string }
	data, _ := os.ReadFile(filepath.Join(vdir, "v0.1.0.info"))
	if err := json.Unmarshal(data, &info); err != nil || info.Version != "v0.1.0" || info.Time != "2025-01-01T00:00:00Z" {
		t.Errorf("info = %s (%v)", data, err)
	}
	if list, _ := os.ReadFile(filepath.Join(vdir, "list")); string(list) != "v0.1.0\n" {
		t.Errorf("list = %q", list)
	}
}

// TestProxyServesGoCommand has the real go command download a module with
// upper-case letters in its path from a proxy written by publishModule,
// offline. It also shows why the consumers' environment uses GONOSUMDB and
// not GOPRIVATE: GOPRIVATE makes the go command skip every proxy.
func TestProxyServesGoCommand(t *testing.T) {
	goBin := needGo(t)
	ctx := testContext(t)
	tmp := t.TempDir()
	src, proxy := filepath.Join(tmp, "src"), filepath.Join(tmp, "proxy")
	modPath := modulePrefix + "/internal/ZipProbe"
	writeTree(t, src, map[string]string{
		"go.mod":           "module " + modPath + "\n\ngo 1.21\n\nreplace example.com/x => ../x\n",
		"probe.go":         "package probe\n",
		"testdata/in.txt":  "kept\n",
		"nested/go.mod":    "module " + modPath + "/nested\n",
		"nested/nested.go": "package nested\n",
	})
	goMod := []byte("module " + modPath + "\n\ngo 1.21\n")
	if err := publishModule(proxy, modPath, "v0.1.0", src, goMod, time.Now()); err != nil {
		t.Fatal(err)
	}
	base := withEnv(os.Environ(), map[string]string{
		"GOWORK":      "off",
		"GOFLAGS":     "-modcacherw",
		"GOPROXY":     fileURL(proxy),
		"GOMODCACHE":  filepath.Join(tmp, "modcache"),
		"GOTOOLCHAIN": "local",
		"GOVCS":       "*:off", // never run git: the GOPRIVATE case must fail offline
	})

	t.Run("GONOSUMDB", func(t *testing.T) {
		env := withEnv(base, map[string]string{"GONOSUMDB": modulePrefix, "GOPRIVATE": "", "GONOPROXY": ""})
		out, err := goCmd(ctx, goBin, tmp, env, "mod", "download", "-json", modPath+"@v0.1.0")
		if err != nil {
			t.Fatal(err)
		}
		var dl struct{ Dir, GoMod, Error string }
		if err := json.Unmarshal(out, &dl); err != nil || dl.Error != "" {
			t.Fatalf("go mod download: %s (%v)", out, err)
		}
		files, err := moduleFiles(dl.Dir)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"go.mod", "probe.go", "testdata/in.txt"}; !slices.Equal(files, want) {
			t.Errorf("extracted files %v, want %v", files, want)
		}
		if got, _ := os.ReadFile(dl.GoMod); !bytes.Equal(got, goMod) {
			t.Errorf("downloaded go.mod %q, want %q", got, goMod)
		}
	})

	t.Run("GOPRIVATE", func(t *testing.T) {
		env := withEnv(base, map[string]string{
			"GOPRIVATE": modulePrefix, "GONOPROXY": "", "GONOSUMDB": "",
			"GOMODCACHE": filepath.Join(tmp, "modcache-private"),
		})
		_, err := goCmd(ctx, goBin, tmp, env, "mod", "download", "-json", modPath+"@v0.1.0")
		if err == nil {
			t.Fatal("with GOPRIVATE set, the go command got the module from the file proxy; " +
				"GOPRIVATE no longer implies GONOPROXY, and the comment on the consumers' environment is out of date")
		}
		if !strings.Contains(err.Error(), "GOVCS") {
			t.Fatalf("with GOPRIVATE set, go mod download failed, but not by going to the VCS (GOVCS=*:off): %v", err)
		}
		t.Logf("as expected, GOPRIVATE bypasses the proxy: %v", lastLines(err.Error(), 3))
	})
}

func TestUnpublishedReason(t *testing.T) {
	for dir, published := range map[string]bool{
		"core": true, "stores/redis": true, "adapters/gin": true, "core/lifecycle": true,
		"adapters/adaptertest": false, "examples": false, "integration": false,
		"benchmarks": false, "tools": false, "examples/gin": false,
	} {
		if got := unpublishedReason(dir) == ""; got != published {
			t.Errorf("unpublishedReason(%q) = %q", dir, unpublishedReason(dir))
		}
	}
}

func TestSiblingProblems(t *testing.T) {
	mod := func(dir string, unpublished string, requires ...string) *workModule {
		m := &workModule{Dir: dir, Path: modulePrefix + "/" + dir, Unpublished: unpublished}
		for _, r := range requires {
			m.Mod.Require = append(m.Mod.Require, struct {
				Path     string
				Version  string
				Indirect bool
			}{Path: r, Version: "v0.0.0-00010101000000-000000000000"})
		}
		return m
	}
	p := func(dir string) string { return modulePrefix + "/" + dir }
	mods := []*workModule{
		mod("core", ""),
		mod("adapters/adaptertest", "test-support module", p("core")),
		mod("adapters/gin", "", p("core"), p("adapters/adaptertest"), "github.com/gin-gonic/gin"),
		mod("stores/redis", "", p("core")),
		mod("stores/extra", "", p("adapters/gin")),
		mod("stores/ghost", "", p("stores/missing")),
	}
	got := siblingProblems(mods)
	for _, ok := range []string{"core", "stores/redis"} {
		if got[p(ok)] != nil {
			t.Errorf("%s: unexpected problems %q", ok, got[p(ok)])
		}
	}
	for dir, want := range map[string]string{
		"adapters/gin": "requires " + p("adapters/adaptertest") + ", which is not published",
		"stores/extra": "requires " + p("adapters/adaptertest") + ", which is not published",
		"stores/ghost": "which is not a module of the workspace",
	} {
		if probs := got[p(dir)]; len(probs) != 1 || !strings.Contains(probs[0], want) {
			t.Errorf("%s: problems %q, want one containing %q", dir, probs, want)
		}
	}
}

func TestMatchesPrefixPatterns(t *testing.T) {
	p := modulePrefix + "/core"
	for patterns, want := range map[string]bool{
		"":                                 false,
		"github.com/sessionkit/sessionkit": true,
		"github.com/sessionkit":            true,
		"github.com/*":                     true,
		"*.corp.example,github.com/other":  false,
		"example.com, github.com/sessionkit/sessionkit/core/": true,
		"github.com/sessionkit/sessionkit/stores":             false,
	} {
		if got := matchesPrefixPatterns(patterns, p); got != want {
			t.Errorf("matchesPrefixPatterns(%q, %q) = %v, want %v", patterns, p, got, want)
		}
	}
}
