package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gvisor.dev/gvisor/runsc/cmd/util"
	"gvisor.dev/gvisor/runsc/config"
)

// namedErrors wraps a command that takes a container ID so that a failure to
// find the container or its spec names the ID the user gave: gVisor's own
// message for an unknown ID is only "loading container: file does not exist".
type namedErrors struct {
	util.SubCommand
	// createsContainer marks create/run, whose not-found errors are about
	// the bundle, not about an existing container.
	createsContainer bool
}

// FetchSpec implements util.SubCommand.
func (c namedErrors) FetchSpec(conf *config.Config, f *flag.FlagSet) (string, *specs.Spec, error) {
	id, spec, err := c.SubCommand.FetchSpec(conf, f)
	if err == nil || f.NArg() == 0 {
		return id, spec, err
	}
	name := f.Arg(0)
	if !c.createsContainer && errors.Is(err, fs.ErrNotExist) {
		return id, spec, fmt.Errorf("container %q does not exist (state root %q): %w", name, conf.RootDir, err)
	}
	return id, spec, fmt.Errorf("container %q: %w", name, err)
}

// containerCommands are the runsc commands whose first argument is a
// container ID.
var containerCommands = map[string]bool{
	"checkpoint": true, "create": true, "delete": true, "events": true,
	"exec": true, "kill": true, "pause": true, "ps": true, "restore": true,
	"resume": true, "run": true, "start": true, "state": true, "update": true,
	"wait": true, "port-forward": true,
}

func withNamedErrors(cmds map[util.SubCommand]string) map[util.SubCommand]string {
	out := make(map[util.SubCommand]string, len(cmds))
	for c, group := range cmds {
		if containerCommands[c.Name()] {
			n := c.Name()
			c = namedErrors{SubCommand: c, createsContainer: n == "create" || n == "run" || n == "restore"}
		}
		out[c] = group
	}
	return out
}
