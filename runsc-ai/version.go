package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"gvisor.dev/gvisor/runsc/specutils"
	"gvisor.dev/gvisor/runsc/version"

	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

const gvisorModule = "gvisor.dev/gvisor"

// gvisorVersion names the gVisor build this binary is composed from: the
// link-time runsc version if one was set, else the module version recorded in
// the binary's build info (always present for module builds).
func gvisorVersion() string {
	if v := version.Version(); v != "" && v != "VERSION_MISSING" {
		return v
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == gvisorModule {
				if m.Replace != nil {
					return m.Replace.Version
				}
				return m.Version
			}
		}
	}
	return "unknown"
}

// printVersion prints in runc's format ("<name> version X" first, "spec: "
// last) because Docker and containerd parse it.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "runsc-ai version %s\n", node.Version)
	fmt.Fprintf(w, "gvisor version %s\n", gvisorVersion())
	fmt.Fprintf(w, "spec: %s\n", specutils.Version)
}
