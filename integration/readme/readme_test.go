package readme_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInYourCodeIsTheSnippet keeps the README's "In your code" block equal
// to snippet/main.go, which the module builds: the README's program has its
// imports and compiles.
func TestInYourCodeIsTheSnippet(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("snippet", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	block, ok := goBlockAfter(string(readme), "### In your code")
	if !ok {
		t.Fatal(`README.md has no go block under "### In your code"`)
	}
	// The README shows the program without the comment that explains
	// where it lives.
	body := string(want)
	body = body[strings.Index(body, "package main"):]
	if strings.TrimSpace(block) != strings.TrimSpace(body) {
		t.Errorf("README's block differs from snippet/main.go; copy the file's code (from package main on) into the README.\nREADME:\n%s", block)
	}
}

// goBlockAfter returns the first ```go fenced block after heading.
func goBlockAfter(doc, heading string) (string, bool) {
	i := strings.Index(doc, heading)
	if i < 0 {
		return "", false
	}
	rest := doc[i:]
	start := strings.Index(rest, "```go\n")
	if start < 0 {
		return "", false
	}
	rest = rest[start+len("```go\n"):]
	end := strings.Index(rest, "\n```")
	if end < 0 {
		return "", false
	}
	return rest[:end], true
}

// TestAdapterReadmesCompile builds the complete program each adapter's
// README (and the chi guide) opens with, inside this module so that the
// workspace's code is what it compiles against.
func TestAdapterReadmesCompile(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH")
	}
	for _, doc := range []string{"adapters/gin/README.md", "adapters/echo/README.md", "docs/chi.md"} {
		t.Run(doc, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("..", "..", doc))
			if err != nil {
				t.Fatal(err)
			}
			block, ok := goBlockAfter(string(text), "")
			if !ok || !strings.HasPrefix(block, "package main") {
				t.Fatalf("%s: the first go block is not a complete program (package main)", doc)
			}
			dir, err := os.MkdirTemp(".", "build-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.RemoveAll(dir) })
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(block+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.CommandContext(t.Context(), "go", "vet", "./"+filepath.Base(dir)).CombinedOutput()
			if err != nil {
				t.Errorf("%s does not compile:\n%s", doc, out)
			}
		})
	}
}
