// Binary runsc-ai is a drop-in replacement for gVisor's runsc: it runs every
// runsc command with runsc's flags and behaviour, composed from gVisor's own
// command packages, and adds the runsc-ai commands (host discovery, and the
// decision layer's commands as they land).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"gvisor.dev/gvisor/runsc/cli"
	"gvisor.dev/gvisor/runsc/cmd/alias"
	"gvisor.dev/gvisor/runsc/cmd/util"

	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

func main() {
	node.Span("main")() // when this process reached main, for the start-up trace
	alias.HandleAlias()
	cmds := allCommands(node.Register(flag.CommandLine))
	if needsPreparse(os.Args[1:], cmds) {
		preparse(os.Args[1:], cmds)
	}
	cli.Run(nil, cmds, helpTopics())
}

// needsPreparse is a cheap scan that spares the common case (a known command
// and no --version before it; every sandbox boot and gofer re-execution) the
// full flag parse, which costs ~57 µs on the create path.
func needsPreparse(args []string, cmds map[util.SubCommand]string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "-") && strings.HasPrefix(strings.TrimLeft(a, "-"), "version") {
			return true
		}
		if known(cmds, a) {
			return false
		}
	}
	return true
}

// preparse handles --version and unknown commands, which runsc reports
// poorly, before delegating to gVisor's CLI.
func preparse(args []string, cmds map[util.SubCommand]string) {
	if sub, version, ok := globalArgs(args); ok {
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
