package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/policies"
)

// UnguardedPolicy writes the embedded default policy with the contention
// guard off (deep.max_host_cpu: 0) and the latency guard off
// (deep.max_latency_need: 0), and returns its path, for tests that need
// the in-process model's answers: on a host busy with other tests, or
// beside an interactive sandbox, the guards, rightly, decline inference.
// The guards themselves are tested in llmkernel/inproc, runsc-ai/node and
// integration/live.
func UnguardedPolicy(t testing.TB) string {
	t.Helper()
	src := string(policies.DefaultYAML())
	for _, off := range [][2]string{
		{"  max_host_cpu: 0.5 ", "  max_host_cpu: 0   "},
		{"  max_latency_need: 0.4 ", "  max_latency_need: 0   "},
	} {
		if !strings.Contains(src, off[0]) {
			t.Fatalf("the default policy has no %q to turn off", off[0])
		}
		src = strings.Replace(src, off[0], off[1], 1)
	}
	path := filepath.Join(t.TempDir(), "unguarded.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
