package oci

import (
	"context"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

// BenchmarkStartup measures whole-command start-up of runsc-ai against plain
// runsc built from the same gVisor module, with the same flags. Sub-benchmarks
// alternate within each -count round, so machine drift hits both alike.
// `make bench` prints the median ratio.
func BenchmarkStartup(b *testing.B) {
	e := testenv.Get(b)
	flags := append(sandboxFlags, "--ignore-cgroups")
	for _, bin := range []struct{ name, path string }{{"runsc", e.Runsc}, {"runsc-ai", e.RunscAI}} {
		rt := testenv.NewRuntime(b, bin.path, flags...)
		b.Run("do-true/"+bin.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := rt.Command(context.Background(), "do", "/bin/true").Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
