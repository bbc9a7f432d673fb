package otelsessions_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// An application that uses core without this module pulls in no
// OpenTelemetry: core's packages and their tests import the standard
// library and core only, and core's go.mod requires nothing.
func TestCoreHasNoOpenTelemetry(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	core, err := filepath.Abs(filepath.Join("..", "..", "core"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(core, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(mod), "require") {
		t.Errorf("core/go.mod requires modules:\n%s", mod)
	}
	cmd := exec.Command(goTool, "list", "-deps", "-test", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...")
	cmd.Dir = core
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages in core")
	}
	for _, p := range pkgs {
		// Test binaries appear as "pkg.test" and "pkg [pkg.test]".
		if !strings.HasPrefix(p, "github.com/sessionkit/sessionkit/core") && !strings.HasPrefix(p, "[") {
			t.Errorf("core depends on %s", p)
		}
		if strings.Contains(p, "opentelemetry") {
			t.Errorf("core depends on OpenTelemetry: %s", p)
		}
	}
}
