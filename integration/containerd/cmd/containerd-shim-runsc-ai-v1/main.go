// Command containerd-shim-runsc-ai-v1 is the containerd shim for runsc-ai
// (runtime type io.containerd.runsc-ai.v1). Install it next to runsc-ai on
// containerd's PATH; see docs/containerd.md.
package main

import (
	"context"
	"os"
	"path/filepath"

	cshim "github.com/containerd/containerd/v2/pkg/shim"
	// Registers gVisor's task service as the shim's TTRPC plugin.
	_ "gvisor.dev/gvisor/pkg/shim/v1/plugin"

	"github.com/go-os-agent/runsc-ai/integration/containerd/shim"
)

func main() {
	shim.Register(runtimeBinary())
	cshim.Run(context.Background(), shim.NewManager())
}

// runtimeBinary is runsc-ai next to this shim if there is one, else the
// runsc-ai on PATH.
func runtimeBinary() string {
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "runsc-ai"); isExecutable(p) {
			return p
		}
	}
	return "runsc-ai"
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
