package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/google/subcommands"

	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/runsc-ai/agent"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// explainCmd implements `runsc-ai explain ID`.
type explainCmd struct {
	noSpec
	opts *node.Options
}

func (*explainCmd) Name() string     { return "explain" }
func (*explainCmd) Synopsis() string { return "say what runsc-ai decided for a container, and why" }
func (*explainCmd) Usage() string {
	return `explain ID

Prints the create-time decision for container ID: the profile, the tier that
chose it and why, every setting with its value and source (flag, annotation,
host, decision, default, fallback), and the measured outcome once the
container is gone. Then the agent's live decisions for its sandbox: kind,
action, tier, what changed on the host (or why nothing did), the reason and
the measured outcome. Reads --ai-state, and asks the agent on --ai-run when
one is running.
`
}
func (*explainCmd) SetFlags(*flag.FlagSet) {}

func (c *explainCmd) Execute(_ context.Context, f *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	if f.NArg() != 1 {
		f.Usage()
		return subcommands.ExitUsageError
	}
	id := f.Arg(0)
	ds, source, lerr := agent.LiveDecisions(c.opts, id)
	var (
		image string
		run   sandboxconf.Run
		live  bool
	)
	st, err := sandboxconf.OpenExisting(c.opts.CreateDir())
	switch {
	case err == nil:
		// Runs journaled since the last fold are scored first.
		if pol, perr := c.opts.LoadPolicy(); perr == nil {
			if _, ferr := st.Fold(&pol); ferr != nil {
				fmt.Fprintf(os.Stderr, "explain: %v\n", ferr)
			}
		}
		image, run, live, err = st.Find(id)
	case errors.Is(err, fs.ErrNotExist):
		err = fmt.Errorf("no create-time decision recorded for container %q (no history in %s)", id, c.opts.CreateDir())
	}
	if err != nil && len(ds) == 0 {
		if lerr != nil {
			fmt.Fprintf(os.Stderr, "explain: live decisions: %v\n", lerr)
		}
		fmt.Fprintf(os.Stderr, "explain: %v\n", err)
		return subcommands.ExitFailure
	}
	if err == nil {
		state := "deleted; outcome measured"
		if live {
			state = "exists; outcome measured when it is deleted"
		}
		fmt.Printf("container: %s (%s)\n", strconv.Quote(run.ContainerID), state)
		printRun(os.Stdout, image, run)
	} else {
		fmt.Printf("container: %s (no create-time decision: %v)\n", strconv.Quote(id), err)
	}
	switch {
	case errors.Is(lerr, agent.ErrHistoryBusy):
		fmt.Fprintf(os.Stderr, "explain: %v\n", lerr)
	case lerr != nil:
		fmt.Fprintf(os.Stderr, "explain: live decisions: %v\n", lerr)
		return subcommands.ExitFailure
	case len(ds) > 0:
		fmt.Println()
		agent.PrintLive(os.Stdout, ds, source)
	}
	return subcommands.ExitSuccess
}

// printRun prints a create-time decision; everything from the container's
// spec is quoted, as it is container-controlled.
func printRun(out io.Writer, image string, r sandboxconf.Run) {
	fmt.Fprintf(out, "image:     %s\n", strconv.QuoteToASCII(image))
	fmt.Fprintf(out, "decision:  %s by the %s tier (evidence: %d earlier runs)\n", r.Profile, r.Tier, r.Evidence)
	fmt.Fprintf(out, "reason:    %s\n", r.Reason)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SETTING\tVALUE\tSOURCE\tREASON")
	for _, ch := range r.Choices {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", ch.Name, strconv.QuoteToASCII(ch.Value)[1:len(strconv.QuoteToASCII(ch.Value))-1], ch.Source, ch.Reason)
	}
	w.Flush()
	if r.Failed != "" {
		fmt.Fprintf(out, "fallback:  the decided configuration did not boot: %s\n", r.Failed)
	}
	if r.StartupMs > 0 {
		what := map[string]string{"create": "create (sandbox boot)", "run": "whole run/do command"}[r.Measure]
		fmt.Fprintf(out, "outcome:   %.1f ms, %s", r.StartupMs, what)
		if r.PeakMemory > 0 {
			fmt.Fprintf(out, "; peak memory %.1f MiB", float64(r.PeakMemory)/(1<<20))
		}
		if r.Reward != nil {
			fmt.Fprintf(out, "; reward %+.2f against this image's earlier runs", *r.Reward)
		}
		fmt.Fprintln(out)
	}
}
