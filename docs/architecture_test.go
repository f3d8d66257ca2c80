// Package docs holds runsc-ai's documentation; its test keeps
// ARCHITECTURE.md true to the tree.
package docs

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/go-os-agent/runsc-ai/"

// named are the repository paths ARCHITECTURE.md names in backquotes.
func named(t *testing.T) map[string]bool {
	b, err := os.ReadFile("ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	re := regexp.MustCompile("`((?:runsc-ai|sentry|llmkernel|platform|policies|integration|docs)(?:/[^` ]*)?)`")
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		p := strings.TrimSuffix(strings.TrimSuffix(m[1], "/..."), "/")
		out[p] = true
	}
	return out
}

// packages are the directories of the repository holding Go source other
// than tests.
func packages(t *testing.T) []string {
	var out []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != "..") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dir := filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, "../")))
			if len(out) == 0 || out[len(out)-1] != dir {
				out = append(out, dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEveryNamedPathExists(t *testing.T) {
	for p := range named(t) {
		if _, err := os.Stat(filepath.Join("..", p)); err != nil {
			t.Errorf("ARCHITECTURE.md names %s: %v", p, err)
		}
	}
}

func TestEveryPackageIsNamed(t *testing.T) {
	n := named(t)
	for _, p := range packages(t) {
		if !n[p] {
			t.Errorf("package %s is not in ARCHITECTURE.md", p)
		}
	}
}

// product says whether the package at dir ships (in runsc-ai, the shim or
// the bench harness) rather than serving tests only.
func product(dir string) bool {
	if !strings.HasPrefix(dir, "integration/") {
		return true
	}
	for _, p := range []string{"integration/containerd/shim", "integration/containerd/cmd/", "integration/bench"} {
		if strings.HasPrefix(dir, p) {
			return true
		}
	}
	return false
}

func TestProductNeverImportsTestCode(t *testing.T) {
	for _, dir := range packages(t) {
		if !product(dir) {
			continue
		}
		files, _ := filepath.Glob(filepath.Join("..", dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if rel, ok := strings.CutPrefix(path, module); ok && !product(rel) {
					t.Errorf("%s (product) imports %s (test-only)", f, rel)
				}
			}
		}
	}
}
