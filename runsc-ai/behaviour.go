package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/google/subcommands"

	"github.com/go-os-agent/runsc-ai/runsc-ai/agent"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// behaviourCmd implements `runsc-ai behaviour [IMAGE]` (runsc has its own
// `profile`, for CPU and heap profiles).
type behaviourCmd struct {
	noSpec
	opts *node.Options
	json bool
}

func (*behaviourCmd) Name() string { return "behaviour" }
func (*behaviourCmd) Synopsis() string {
	return "show the behaviour profiles the agent learned per image"
}
func (*behaviourCmd) Usage() string {
	return `behaviour [--json] [IMAGE]
behaviour accept ID

Prints what the agent learned each image's sandboxes normally do — the
binaries they executed, the socket families they opened, the privileged
operations they attempted, their highest process-creation rate — and whether
the profile is still learning (its first runs) or frozen (later runs are
checked against it; anomalies are security decisions: agent status, explain
ID, the metrics). IMAGE is the image key as explain shows it (image:NAME or
cmd:ARGS). Asks the agent on --ai-run, else reads --ai-state.

"behaviour accept ID" accepts anomaly ID (its decision ID, as explain SANDBOX
and the agent's "anomaly" log line show it) into its image's profile, for a false positive: the
binary, socket family or privileged operation becomes part of what the
image normally does, or its process-creation rate the profile's highest,
and later sandboxes of the image are no longer reported for it. Anomalies of
rules that report every attempt (module loading, by default) cannot be
accepted; the policy's security rules decide those. Through the agent on
--ai-run, else in the history at --ai-state.
`
}
func (c *behaviourCmd) SetFlags(f *flag.FlagSet) {
	f.BoolVar(&c.json, "json", false, "print the profiles as JSON")
}

func (c *behaviourCmd) Execute(_ context.Context, f *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	if f.NArg() > 0 && f.Arg(0) == "accept" {
		return c.accept(f)
	}
	if f.NArg() > 1 {
		f.Usage()
		return subcommands.ExitUsageError
	}
	ps, source, err := agent.Profiles(c.opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "behaviour: %v\n", err)
		return subcommands.ExitFailure
	}
	n := 0
	for i := range ps {
		if f.NArg() == 1 && ps[i].Image != f.Arg(0) {
			continue
		}
		n++
		if c.json {
			json.NewEncoder(os.Stdout).Encode(&ps[i])
		} else {
			fmt.Println(ps[i].String())
		}
	}
	if n == 0 {
		what := "no profile yet"
		if f.NArg() == 1 {
			what = fmt.Sprintf("no profile of %q", f.Arg(0))
		}
		fmt.Fprintf(os.Stderr, "behaviour: %s (from %s)\n", what, source)
		if f.NArg() == 1 {
			return subcommands.ExitFailure
		}
	}
	return subcommands.ExitSuccess
}

// accept implements "behaviour accept ID".
func (c *behaviourCmd) accept(f *flag.FlagSet) subcommands.ExitStatus {
	if f.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "behaviour accept: want one anomaly ID (explain SANDBOX shows them)")
		return subcommands.ExitUsageError
	}
	id, err := strconv.ParseUint(f.Arg(1), 10, 64)
	if err != nil {
		fmt.Fprintf(os.Stderr, "behaviour accept: %.40q is not a decision ID\n", f.Arg(1))
		return subcommands.ExitUsageError
	}
	p, subject, source, err := agent.Accept(c.opts, id)
	if err != nil {
		fmt.Fprintf(os.Stderr, "behaviour accept: %v\n", err)
		return subcommands.ExitFailure
	}
	if c.json {
		json.NewEncoder(os.Stdout).Encode(&p)
		return subcommands.ExitSuccess
	}
	fmt.Printf("accepted %s (anomaly %d) into the profile (%s):\n%s\n", subject, id, source, p.String())
	return subcommands.ExitSuccess
}
