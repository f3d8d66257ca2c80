package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/google/subcommands"

	"github.com/go-os-agent/runsc-ai/runsc-ai/agent"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// agentCmd implements `runsc-ai agent` (the node daemon, runsc-ai/agent) and
// `runsc-ai agent status`.
type agentCmd struct {
	noSpec
	cfg  agent.Config
	json bool
}

func newAgentCmd(o *node.Options) *agentCmd { return &agentCmd{cfg: agent.Config{Node: o}} }

func (*agentCmd) Name() string     { return "agent" }
func (*agentCmd) Synopsis() string { return "run the node agent, or ask it for its status" }
func (*agentCmd) Usage() string {
	return `agent [--socket PATH] [--metrics ADDR] [--window D] [--recheck D] [--decide=false] [--history PATH] [--backend auto|inproc|embedded|ollama] [--model M]
agent status [--json] [--socket PATH]

The agent reads the summaries the sandboxes' Sentry taps write to FIFOs in
<--ai-run>/tap (one per sandbox runsc-ai created) and, every window, each
sandbox's cgroup usage; it asks the decision engine (--ai-policy) about CPU,
memory and I/O per sandbox and applies accepted decisions to the sandbox's
cgroup, never beyond the OCI limits nor below the policy floors; between
windows (--recheck) it re-reads the CPU time of sandboxes whose CPU weight is
cut or that wait on requests, so a change of role is met at once. Changes,
their reasons and measured outcomes go to the decision history
(<--ai-state>/live.db unless --history; 'runsc-ai explain ID').
It answers 'agent status' on a unix socket (0600, default
<--ai-run>/agent.sock) and serves Prometheus metrics on a loopback address.
Stopping it never affects a sandbox: taps drop summaries while no agent
reads, applied settings stay, and a restarted agent finds the sandboxes again
(through their runsc state) and resumes.
`
}

func (c *agentCmd) SetFlags(f *flag.FlagSet) {
	f.StringVar(&c.cfg.Socket, "socket", "", "control socket (default <--ai-run>/agent.sock)")
	f.StringVar(&c.cfg.Metrics, "metrics", "127.0.0.1:9464", "Prometheus metrics address, loopback only; empty: off")
	f.DurationVar(&c.cfg.Poll, "poll", 250*time.Millisecond, "how often the tap FIFOs are read")
	f.DurationVar(&c.cfg.Forget, "forget", 10*time.Minute, "forget a sandbox not heard from for this long")
	f.BoolVar(&c.json, "json", false, "status: print JSON")
	f.BoolVar(&c.cfg.Decide, "decide", true, "decide and apply; false only observes")
	f.DurationVar(&c.cfg.Window, "window", time.Second, "decision window: how often each sandbox is measured and decided on")
	f.DurationVar(&c.cfg.Recheck, "recheck", 100*time.Millisecond, "between windows, how often the CPU of sandboxes whose weight is cut or that wait on requests is re-read and decided on (a change of role is met at once); 0, or not shorter than --window: off")
	f.StringVar(&c.cfg.History, "history", "", "decision history database (default <--ai-state>/live.db)")
	c.cfg.Backend.Register(f, "auto")
}

func (c *agentCmd) Execute(ctx context.Context, f *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	switch {
	case f.NArg() == 0:
		if err := agent.Run(ctx, &c.cfg); err != nil {
			fmt.Fprintf(os.Stderr, "agent: %v\n", err)
			return subcommands.ExitFailure
		}
		return subcommands.ExitSuccess
	case f.Arg(0) == "status":
		// Flags may follow the word: agent status --json.
		sf := flag.NewFlagSet("agent status", flag.ContinueOnError)
		sf.BoolVar(&c.json, "json", c.json, "print JSON")
		sf.StringVar(&c.cfg.Socket, "socket", c.cfg.Socket, "the agent's control socket")
		if err := sf.Parse(f.Args()[1:]); err != nil || sf.NArg() != 0 {
			return subcommands.ExitUsageError
		}
		if err := agent.PrintStatus(os.Stdout, c.cfg.SocketPath(), c.json); err != nil {
			fmt.Fprintf(os.Stderr, "agent status: %v\n", err)
			return subcommands.ExitFailure
		}
		return subcommands.ExitSuccess
	default:
		f.Usage()
		return subcommands.ExitUsageError
	}
}
