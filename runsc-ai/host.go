package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/subcommands"

	"github.com/go-os-agent/runsc-ai/platform/host"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// hostCmd implements `runsc-ai host`: print what platform/host discovers.
type hostCmd struct {
	noSpec
	opts    *node.Options
	json    bool
	root    string
	noProbe bool
	timeout time.Duration
}

func (*hostCmd) Name() string     { return "host" }
func (*hostCmd) Synopsis() string { return "show the host facts runsc-ai decides from" }
func (*hostCmd) Usage() string {
	return `host [--json] [--no-probe] [--probe-timeout D] [--fs-root DIR]

Discovers CPU, memory, cgroups, PSI, KVM usability and which gVisor platforms
boot here, each fact with where it came from. Probing boots one sandbox per
platform, so it needs root; --no-probe reads files only. Probed facts of
this machine are saved in --ai-state, where create/run/do read them: a
platform (e.g. kvm on a Pi 4) is chosen only after a probe says it boots.
`
}

func (c *hostCmd) SetFlags(f *flag.FlagSet) {
	f.BoolVar(&c.json, "json", false, "print JSON instead of a table")
	f.StringVar(&c.root, "fs-root", "/", "read /proc, /sys and /dev below this directory (a recorded host tree); implies --no-probe unless it is /")
	f.BoolVar(&c.noProbe, "no-probe", false, "skip the live KVM and platform probes")
	f.DurationVar(&c.timeout, "probe-timeout", host.DefaultProbeTimeout, "give up on a probe after this long")
}

func (c *hostCmd) Execute(ctx context.Context, f *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	if f.NArg() != 0 {
		f.Usage()
		return subcommands.ExitUsageError
	}
	opts := host.Options{Root: c.root, Probe: !c.noProbe && c.root == "/", ProbeTimeout: c.timeout}
	if opts.Probe {
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintf(os.Stderr, "host: cannot find own binary for platform probes: %v\n", err)
			return subcommands.ExitFailure
		}
		opts.Platforms = host.ExecPlatformProber{Binary: self, Args: []string{"--ai-decide=false"}}
	}
	info := host.Discover(ctx, opts)
	if opts.Probe && c.opts != nil {
		if err := host.SaveCache(c.opts.HostCache(), node.Version, info); err != nil {
			fmt.Fprintf(os.Stderr, "host: warning: probed facts not saved for create-time decisions: %v\n", err)
		}
	}
	if c.json {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(info); err != nil {
			fmt.Fprintf(os.Stderr, "host: %v\n", err)
			return subcommands.ExitFailure
		}
		return subcommands.ExitSuccess
	}
	printHostTable(os.Stdout, info)
	return subcommands.ExitSuccess
}

func printHostTable(out io.Writer, info host.Info) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	var notes []string
	// Long errors go below the table as numbered notes so columns stay
	// readable; failed is what the value column shows instead.
	row := func(name, value, source, err, failed string) {
		if err != "" {
			notes = append(notes, err)
			value = fmt.Sprintf("%s [%d]", failed, len(notes))
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", name, value, source)
	}
	fmt.Fprintln(w, "FACT\tVALUE\tSOURCE")
	str := func(name string, f host.Fact[string]) { row(name, f.Value, f.Source, f.Err, "unknown") }
	str("arch", info.Arch)
	str("kernel", info.Kernel)
	str("cpu model", info.CPUModel)
	row("cpu features", fmt.Sprintf("%d flags", len(info.CPUFeatures.Value)), info.CPUFeatures.Source, info.CPUFeatures.Err, "unknown")
	row("simd", strings.Join(info.SIMD.Value, ", "), info.SIMD.Source, info.SIMD.Err, "unknown")
	row("virtualized", fmt.Sprint(info.Virtualized.Value), info.Virtualized.Source, info.Virtualized.Err, "unknown")
	row("board", info.Board.Value, info.Board.Source, info.Board.Err, "none")
	row("cores", fmt.Sprint(info.Cores.Value), info.Cores.Source, info.Cores.Err, "unknown")
	row("memory", gib(info.MemoryBytes.Value), info.MemoryBytes.Source, info.MemoryBytes.Err, "unknown")
	row("memory available", gib(info.MemAvailBytes.Value), info.MemAvailBytes.Source, info.MemAvailBytes.Err, "unknown")
	cg := info.Cgroup.Value
	cgv := fmt.Sprintf("%s at %s: %s", cg.Version, cg.Mount, strings.Join(cg.Controllers, ","))
	if len(cg.Missing) > 0 {
		cgv += " (missing: " + strings.Join(cg.Missing, ",") + ")"
	}
	if a := cg.Advice(); a != "" {
		notes = append(notes, a)
		cgv += fmt.Sprintf(" [%d]", len(notes))
	}
	row("cgroup", cgv, info.Cgroup.Source, info.Cgroup.Err, "unknown")
	p := info.PSI.Value
	row("psi", fmt.Sprintf("cpu=%v memory=%v io=%v", p.CPU, p.Memory, p.IO), info.PSI.Source, info.PSI.Err, "unavailable")
	row("/dev/kvm present", fmt.Sprint(info.KVMDevice.Value), info.KVMDevice.Source, info.KVMDevice.Err, "unknown")
	if k := info.KVMUsable; k != nil {
		row("kvm usable", fmt.Sprint(k.Value), k.Source, k.Err, "no")
	} else {
		row("kvm usable", "not probed", "--no-probe", "", "")
	}
	for _, pf := range info.Platforms {
		row("platform "+pf.Name, fmt.Sprintf("works (%d ms)", pf.Millis), pf.Source, pf.Err, fmt.Sprintf("no (%d ms)", pf.Millis))
	}
	w.Flush()
	for i, n := range notes {
		fmt.Fprintf(out, "[%d] %s\n", i+1, n)
	}
}

func gib(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }
