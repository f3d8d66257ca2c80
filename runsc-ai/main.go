// Binary runsc-ai is a drop-in replacement for gVisor's runsc: it runs every
// runsc command with runsc's flags and behaviour, composed from gVisor's own
// command packages, and adds the runsc-ai commands (host discovery, and the
// decision layer's commands as they land).
package main

import (
	"os"

	"gvisor.dev/gvisor/runsc/cli"
	"gvisor.dev/gvisor/runsc/cmd/alias"
)

func main() {
	alias.HandleAlias()
	if wantsVersion(os.Args[1:]) {
		printVersion(os.Stdout)
		os.Exit(0)
	}
	cli.Run(nil, allCommands(), helpTopics())
}
