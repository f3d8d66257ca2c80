// Binary runsc-ai is a drop-in replacement for gVisor's runsc: it runs every
// runsc command with runsc's flags and behaviour, composed from gVisor's own
// command packages, and adds the runsc-ai commands (host discovery, and the
// decision layer's commands as they land).
package main

import (
	"fmt"
	"os"

	"gvisor.dev/gvisor/runsc/cli"
	"gvisor.dev/gvisor/runsc/cmd/alias"
	"gvisor.dev/gvisor/runsc/cmd/util"
)

func main() {
	alias.HandleAlias()
	cmds := allCommands()
	if sub, version, ok := globalArgs(os.Args[1:]); ok {
		switch {
		case version:
			printVersion(os.Stdout)
			os.Exit(0)
		case sub != "" && !known(cmds, sub):
			// runsc prints only its usage here; say what was wrong.
			fmt.Fprintf(os.Stderr, "runsc-ai: unknown command %q; see 'runsc-ai --help'\n", sub)
			os.Exit(128) // runsc's exit code for a command that failed to run
		}
	}
	cli.Run(nil, cmds, helpTopics())
}

// known reports whether name is a command cli.Run will accept.
func known(cmds map[util.SubCommand]string, name string) bool {
	switch name {
	case "help", "flags": // registered by cli.Run itself
		return true
	}
	for c := range cmds {
		if c.Name() == name {
			return true
		}
	}
	return false
}
