package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/policies"
)

// UnguardedPolicy writes the embedded default policy with the contention
// guard off (deep.max_host_cpu: 0) and returns its path, for tests that
// need the in-process model's answers: on a host busy with other tests the
// guard, rightly, declines inference. The guard itself is tested in
// llmkernel/inproc and runsc-ai/node.
func UnguardedPolicy(t testing.TB) string {
	t.Helper()
	src := string(policies.DefaultYAML())
	const on = "  max_host_cpu: 0.5 "
	if !strings.Contains(src, on) {
		t.Fatalf("the default policy has no %q to turn off", on)
	}
	path := filepath.Join(t.TempDir(), "unguarded.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(src, on, "  max_host_cpu: 0   ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
