package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/subcommands"

	"github.com/go-os-agent/runsc-ai/runsc-ai/daemonjson"
)

// installCmd implements `runsc-ai install`: runsc install's job (a runtime
// entry in Docker's daemon.json) with a backup, an atomic write and the rest
// of the file left as it was. It replaces gVisor's install command.
type installCmd struct {
	noSpec
	config  string
	runtime string
	clobber bool
}

func (*installCmd) Name() string     { return "install" }
func (*installCmd) Synopsis() string { return "adds runsc-ai as a runtime to Docker's daemon.json" }
func (*installCmd) Usage() string {
	return `install [--runtime NAME] [--config PATH] [--clobber=false] [-- runsc flags...]

Adds {"runtimes": {NAME: {"path": <this binary>, "runtimeArgs": [flags]}}} to
Docker's daemon.json. Every other key is kept, in its order; the previous file
is kept as PATH~; the new one replaces it atomically. Malformed JSON is an
error and the file is left alone. Restart or reload dockerd afterwards
(systemctl reload docker). --config_file is accepted as in runsc.
`
}

func (c *installCmd) SetFlags(f *flag.FlagSet) {
	f.StringVar(&c.config, "config", daemonjson.DefaultConfig, "path to Docker's daemon.json")
	f.StringVar(&c.config, "config_file", daemonjson.DefaultConfig, "same as --config (runsc's name)")
	f.StringVar(&c.runtime, "runtime", "runsc-ai", "runtime name for docker run --runtime")
	f.BoolVar(&c.clobber, "clobber", true, "replace an existing entry of the same name")
}

func (c *installCmd) Execute(_ context.Context, f *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	self, err := os.Executable()
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "install: cannot find this binary's path: %v\n", err)
		return subcommands.ExitFailure
	}
	if !c.clobber {
		if _, ok, err := daemonjson.Lookup(c.config, c.runtime); err != nil {
			fmt.Fprintf(os.Stderr, "install: %v\n", err)
			return subcommands.ExitFailure
		} else if ok {
			fmt.Printf("Runtime %q already in %s; left as it is (--clobber=false).\n", c.runtime, c.config)
			return subcommands.ExitSuccess
		}
	}
	replaced, err := daemonjson.Install(c.config, c.runtime, daemonjson.Runtime{Path: self, RuntimeArgs: f.Args()})
	if err != nil {
		fmt.Fprintf(os.Stderr, "install: %v\n", err)
		return subcommands.ExitFailure
	}
	verb := "Added"
	if replaced {
		verb = "Replaced"
	}
	fmt.Printf("%s runtime %q (%s) in %s.\nReload dockerd to use it: docker run --runtime=%s ...\n", verb, c.runtime, self, c.config, c.runtime)
	return subcommands.ExitSuccess
}

// uninstallCmd implements `runsc-ai uninstall`, replacing gVisor's.
type uninstallCmd struct {
	noSpec
	config  string
	runtime string
}

func (*uninstallCmd) Name() string     { return "uninstall" }
func (*uninstallCmd) Synopsis() string { return "removes runsc-ai's runtime from Docker's daemon.json" }
func (*uninstallCmd) Usage() string {
	return `uninstall [--runtime NAME] [--config PATH]

Removes the runtime entry from Docker's daemon.json, keeping everything else;
the previous file is kept as PATH~.
`
}

func (c *uninstallCmd) SetFlags(f *flag.FlagSet) {
	f.StringVar(&c.config, "config", daemonjson.DefaultConfig, "path to Docker's daemon.json")
	f.StringVar(&c.config, "config_file", daemonjson.DefaultConfig, "same as --config (runsc's name)")
	f.StringVar(&c.runtime, "runtime", "runsc-ai", "runtime name to remove")
}

func (c *uninstallCmd) Execute(_ context.Context, f *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	if f.NArg() == 1 { // runsc's usage line names the runtime as an argument
		c.runtime = f.Arg(0)
	} else if f.NArg() > 1 {
		f.Usage()
		return subcommands.ExitUsageError
	}
	if err := daemonjson.Uninstall(c.config, c.runtime); err != nil {
		fmt.Fprintf(os.Stderr, "uninstall: %v\n", err)
		return subcommands.ExitFailure
	}
	fmt.Printf("Removed runtime %q from %s. Reload dockerd.\n", c.runtime, c.config)
	return subcommands.ExitSuccess
}
