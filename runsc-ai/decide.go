package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolterrors "go.etcd.io/bbolt/errors"

	"strconv"
	"strings"
	"sync"

	"github.com/google/subcommands"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.uber.org/zap"
	"gvisor.dev/gvisor/runsc/config"
	"gvisor.dev/gvisor/runsc/specutils"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/history"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/platform/host"
	"github.com/go-os-agent/runsc-ai/policies"
	"github.com/go-os-agent/runsc-ai/runsc-ai/createtime"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// noSpec is embedded by runsc-ai commands that target no container.
type noSpec struct{}

// FetchSpec implements util.SubCommand.
func (noSpec) FetchSpec(*config.Config, *flag.FlagSet) (string, *specs.Spec, error) {
	return "", nil, nil
}

// decideCmd implements `runsc-ai decide`.
type decideCmd struct {
	noSpec
	opts      *node.Options
	dryRun    bool
	refine    bool
	images    int
	bundle    string
	id        string
	hostFacts string
	situation string
	be        node.BackendFlags
	history   string // "": keep nothing
	policy    string // deprecated: --ai-policy
	explain   bool
	wait      time.Duration
}

func (*decideCmd) Name() string     { return "decide" }
func (*decideCmd) Synopsis() string { return "ask the decision engine about a situation, and say why" }
func (*decideCmd) Usage() string {
	return `decide --dry-run --bundle DIR [--id ID] [--host-facts FILE]
decide --refine --backend inproc|ollama [--model M] [--images N] [--wait D]
decide --situation FILE [--backend embedded|inproc|ollama] [--model M] [--explain] [--wait D]

--dry-run prints the create-time configuration runsc-ai would use for the
bundle: every setting it may choose, with its value, its source (flag,
annotation, host, decision, default) and the reason. Global flags given before
'decide' count as the user's, as they would for create. Nothing is recorded.
--host-facts reads host facts from a 'runsc-ai host --json' file instead of
this machine (e.g. a Raspberry Pi 4's).

--refine asks the deep tier (the LLM) about the newest run of the most recently
run images in --ai-state and teaches the create-time model its validated
answers, so later creates of those images get them from the fast tier without
waiting on a model. Run it in the background (cron, a systemd timer, the agent).


Prints the decision for the situation in FILE (JSON; see docs/decisions.md),
the tier that made it and why. With a deep tier (inproc, ollama) the immediate decision
comes from the cache or fast tier as always; --wait then waits for the model's
answer and shows the decision it leads to. The policy is --ai-policy's, as for
every command; learning persists in the decision history (<--ai-state>/live.db,
the agent's, unless --history; --history "" keeps nothing).
`
}

func (c *decideCmd) SetFlags(f *flag.FlagSet) {
	f.BoolVar(&c.dryRun, "dry-run", false, "print the create-time configuration for --bundle and exit")
	f.StringVar(&c.bundle, "bundle", "", "with --dry-run: the OCI bundle directory")
	f.StringVar(&c.id, "id", "dry-run", "with --dry-run: the container ID to decide for")
	f.BoolVar(&c.refine, "refine", false, "refine create-time decisions of recent images with the deep tier (needs --backend ollama)")
	f.IntVar(&c.images, "images", 16, "with --refine: how many of the most recently run images")
	f.StringVar(&c.hostFacts, "host-facts", "", "with --dry-run: host facts JSON from 'runsc-ai host --json' (default: this machine's)")
	f.StringVar(&c.situation, "situation", "", "situation file (JSON); - for standard input")
	c.be.Register(f, "embedded")
	f.StringVar(&c.history, "history", "", "decision history database (default <--ai-state>/live.db); \"\" keeps nothing")
	f.StringVar(&c.policy, "policy", "", "deprecated: use the global --ai-policy")
	f.StringVar(&c.history, "state", "", "deprecated: use --history")
	f.BoolVar(&c.explain, "explain", false, "explain: context, prompt, fast-tier estimates, guardrails")
	f.DurationVar(&c.wait, "wait", 30*time.Second, "with a deep tier, how long to wait for the model's answer")
}

func readSituation(path string) (llmkernel.Situation, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return llmkernel.Situation{}, err
		}
		defer f.Close()
		r = f
	}
	s, err := llmkernel.DecodeSituation(r)
	if err != nil {
		return s, fmt.Errorf("situation %s: %w", path, err)
	}
	return s, nil
}

func (c *decideCmd) Execute(ctx context.Context, f *flag.FlagSet, args ...any) subcommands.ExitStatus {
	historySet := false
	f.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "history":
			historySet = true
		case "state":
			historySet = true
			fmt.Fprintln(os.Stderr, "decide: --state is deprecated; use --history")
		case "policy":
			fmt.Fprintln(os.Stderr, "decide: --policy is deprecated; use the global --ai-policy (runsc-ai --ai-policy FILE decide ...)")
			o := *c.opts
			o.Policy = c.policy
			c.opts = &o
		}
	})
	if !historySet {
		c.history = c.opts.History()
	}
	run := c.run
	if c.refine {
		run = c.refineCreate
	}
	if c.dryRun {
		conf, _ := args[0].(*config.Config)
		run = func(ctx context.Context, out io.Writer) error { return c.dryRunPlan(ctx, conf, out) }
	}
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "decide: %v\n", err)
		return subcommands.ExitFailure
	}
	return subcommands.ExitSuccess
}

func (c *decideCmd) run(ctx context.Context, out io.Writer) error {
	if c.situation == "" {
		return errors.New("--situation FILE is required")
	}
	s, err := readSituation(c.situation)
	if err != nil {
		return err
	}
	pol, err := c.opts.LoadPolicy()
	if err != nil {
		return err
	}
	logger := zap.NewNop()
	if c.explain {
		cfg := zap.NewDevelopmentConfig()
		cfg.OutputPaths = []string{"stderr"}
		if logger, err = cfg.Build(); err != nil {
			return err
		}
	}
	cfg := llmkernel.Config{Policy: pol, Logger: logger, Readers: llmkernel.Readers{Hardware: node.Hardware}}
	if c.history != "" {
		if err := os.MkdirAll(filepath.Dir(c.history), 0o700); err != nil {
			return fmt.Errorf("history directory: %w", err)
		}
		st, err := history.Open(c.history)
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			// The running agent holds it: decide still answers.
			fmt.Fprintf(os.Stderr, "decide: warning: %s is held by the running agent; this decision is not kept (--history another file to keep it)\n", c.history)
		case errors.Is(err, history.ErrCorrupt):
			fmt.Fprintf(os.Stderr, "decide: warning: %v\n", err)
		case err != nil:
			return err
		}
		if st != nil {
			defer st.Close()
			cfg.Models, cfg.Records = st, st
		}
	}
	ob, err := c.be.Open(&pol)
	if err != nil {
		return err
	}
	defer ob.Close()
	cfg.Backend = ob.Backend
	e, err := llmkernel.New(cfg)
	if err != nil {
		return err
	}
	defer e.Close()

	d := e.Decide(ctx, s)
	printDecision(out, "decision", d)
	if c.explain {
		explain(out, e, &s, pol)
	}
	if cfg.Backend != nil {
		wctx, cancel := context.WithTimeout(ctx, c.wait)
		defer cancel()
		if err := e.WaitIdle(wctx); err != nil {
			fmt.Fprintf(out, "deep tier: no answer within %v; the decision above stands\n", c.wait)
			return nil
		}
		st := e.Stats().Deep
		if st.Completed == 0 {
			fmt.Fprintf(out, "deep tier: the model's answer was not used (timeouts %d, invalid %d, errors %d); the decision above stands\n", st.Timeouts, st.Invalid, st.Errors)
			return nil
		}
		// The same situation again: now served by the cached, validated
		// answer (or a guardrail's fallback).
		printDecision(out, "after the deep tier", e.Decide(ctx, s))
	}
	return nil
}

func printDecision(out io.Writer, title string, d llmkernel.Decision) {
	fmt.Fprintf(out, "%s: %s %s", title, d.Kind, d.ActionName())
	if d.StepPct > 0 {
		fmt.Fprintf(out, " by %d%%", d.StepPct)
	}
	fmt.Fprintf(out, "\n  tier:       %s (%v)\n  confidence: %d\n  reason:     %s\n", d.Tier, d.Latency.Round(time.Microsecond), d.Confidence, d.Reason)
	if d.Rejected != "" {
		fmt.Fprintf(out, "  rejected:   %s\n", d.Rejected)
	}
}

func explain(out io.Writer, e *llmkernel.Engine, s *llmkernel.Situation, pol llmkernel.Policy) {
	fmt.Fprintf(out, "explain:\n  backend: %s, goal: %s, cache key: %s, evidence: %d windows (policy needs %d)\n",
		e.Backend(), pol.Goal.Name, s.Key(), s.Evidence, pol.Guardrails.MinEvidence)
	c := e.FastChoice(*s)
	fmt.Fprintf(out, "  fast tier greedy choice: %s (expected reward %.2f ± %.2f, %d outcomes)\n",
		llmkernel.ActionName(s.Kind, c.Action), c.Estimate, c.Width, c.N)
	ctx := llmkernel.Assemble(s, llmkernel.Readers{Hardware: node.Hardware}, pol.Goal)
	fmt.Fprintf(out, "  prompt the deep tier gets:\n")
	for _, line := range splitLines(llmkernel.Prompt(s.Kind, pol.Kinds[s.Kind].Allowed, &ctx)) {
		fmt.Fprintf(out, "    | %s\n", line)
	}
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}

// policyCmd implements `runsc-ai policy check FILE`.
type policyCmd struct{ noSpec }

func (*policyCmd) Name() string     { return "policy" }
func (*policyCmd) Synopsis() string { return "check a decision policy file" }
func (*policyCmd) Usage() string {
	return `policy check FILE | policy show-default

check: loads FILE as the engine would and reports every error with its file,
line and field; exit 0 when it is valid. show-default: prints the embedded
default policy, a starting point for your own.
`
}
func (*policyCmd) SetFlags(*flag.FlagSet) {}

func (*policyCmd) Execute(_ context.Context, f *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	switch {
	case f.NArg() == 2 && f.Arg(0) == "check":
		p, err := policies.Load(f.Arg(1))
		if err != nil {
			fmt.Fprintf(os.Stderr, "%v\n", err)
			return subcommands.ExitFailure
		}
		fmt.Printf("%s: valid (goal %s)\n", f.Arg(1), p.Goal.Name)
		return subcommands.ExitSuccess
	case f.NArg() == 1 && f.Arg(0) == "show-default":
		os.Stdout.Write(policies.DefaultYAML())
		return subcommands.ExitSuccess
	}
	f.Usage()
	return subcommands.ExitUsageError
}

// dryRunPlan prints the plan create would make for c.bundle.
func (c *decideCmd) dryRunPlan(ctx context.Context, conf *config.Config, out io.Writer) error {
	if c.bundle == "" {
		return errors.New("--dry-run needs --bundle DIR")
	}
	if conf == nil {
		return errors.New("no runsc configuration")
	}
	spec, err := specutils.ReadSpec(c.bundle, conf)
	if err != nil {
		return fmt.Errorf("bundle %s: %w", c.bundle, err)
	}
	if off, err := createtime.DecisionsOff(spec); err != nil {
		return err
	} else if off || !c.opts.Decide {
		fmt.Fprintln(out, "create-time decisions are off (--ai-decide=false or runsc-ai.decide=false): gVisor's defaults and the user's flags apply")
		return nil
	}
	specIn, err := createtime.SpecInputs(spec)
	if err != nil {
		return err
	}
	var cached *host.Info
	if c.hostFacts != "" {
		info, err := readHostFacts(c.hostFacts)
		if err != nil {
			return err
		}
		cached = &info
	}
	// A dry run reads the history but records nothing; it caches this
	// boot's host facts, as a create does.
	o := *c.opts
	s, err := createtime.NewSession(ctx, &o, c.id, specIn, createtime.ExplicitSettings(flag.CommandLine, spec), cached)
	if err != nil {
		return err
	}
	s.SaveHostFacts()
	fmt.Fprintf(out, "host:      %s, %d cores, %.1f GiB; probed platforms: %s\n", s.Host.Arch, s.Host.Cores, float64(s.Host.MemoryBytes)/(1<<30), probeSummary(s.Host))
	printRun(out, s.Plan.Image, sandboxconf.NewRun(&s.Plan, c.id))
	return nil
}

func probeSummary(h sandboxconf.HostFacts) string {
	if h.Platforms == nil {
		return "none (run 'runsc-ai host' to probe)"
	}
	var parts []string
	for _, name := range []string{"systrap", "ptrace", "kvm"} {
		if p, ok := h.Platforms[name]; ok {
			v := "no"
			if p.Usable {
				v = "yes"
			}
			parts = append(parts, name+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

// readHostFacts reads `runsc-ai host --json` output, or a saved host cache.
func readHostFacts(path string) (host.Info, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return host.Info{}, fmt.Errorf("--host-facts: %w", err)
	}
	var c host.Cache
	if err := json.Unmarshal(b, &c); err == nil && c.Info.Arch.Value != "" {
		return c.Info, nil
	}
	var info host.Info
	if err := json.Unmarshal(b, &info); err != nil {
		return info, fmt.Errorf("--host-facts %s: %w", path, err)
	}
	if info.Arch.Value == "" {
		return info, fmt.Errorf("--host-facts %s: no arch: not 'runsc-ai host --json' output", path)
	}
	return info, nil
}

// refineCreate runs the deep tier over recent images' create situations and
// distils the validated answers into the create-time model.
func (c *decideCmd) refineCreate(ctx context.Context, out io.Writer) error {
	if c.be.Name == "embedded" {
		return errors.New("--refine needs a deep tier (--backend inproc or ollama): the embedded backend has none")
	}
	if c.images < 1 || c.images > 1024 {
		return fmt.Errorf("--images %d: want 1..1024", c.images)
	}
	pol, err := c.opts.LoadPolicy()
	if err != nil {
		return err
	}
	st, err := sandboxconf.Open(c.opts.CreateDir())
	if err != nil {
		return err
	}
	// Runs journaled since the last fold count too; a damaged entry is
	// reported and skipped.
	if _, err := st.Fold(&pol); err != nil {
		fmt.Fprintf(os.Stderr, "decide: create-time history: %v\n", err)
	}
	latest, err := st.Latest(c.images)
	if err != nil {
		return err
	}
	if len(latest) == 0 {
		fmt.Fprintf(out, "no create-time history in %s yet\n", st.Dir())
		return nil
	}
	ob, err := c.be.Open(&pol)
	if err != nil {
		return err
	}
	defer ob.Close()
	if ob.Backend == nil {
		return fmt.Errorf("--refine: %s", ob.Note)
	}
	b := ob.Backend
	var mu sync.Mutex
	var answers []sandboxconf.Answered
	e, err := llmkernel.New(llmkernel.Config{Policy: pol, Backend: b, Models: st.ModelStore(), Capacity: len(latest),
		OnDeepAnswer: func(s llmkernel.Situation, a llmkernel.Answer) {
			mu.Lock()
			answers = append(answers, sandboxconf.Answered{Situation: s, Answer: a})
			mu.Unlock()
		}})
	if err != nil {
		return err
	}
	for _, l := range latest {
		e.Decide(ctx, l.Situation)
	}
	wctx, cancel := context.WithTimeout(ctx, c.wait)
	defer cancel()
	waitErr := e.WaitIdle(wctx)
	e.Close()
	mu.Lock()
	defer mu.Unlock()
	if err := st.Distill(&pol, answers); err != nil {
		return fmt.Errorf("saving the refined model: %w", err)
	}
	deep := e.Stats().Deep
	fmt.Fprintf(out, "refined %d images with %s: %d answers validated and learned, %d rejected, %d timed out, %d errors\n",
		len(latest), b.Name(), len(answers), deep.Invalid, deep.Timeouts, deep.Errors)
	for _, a := range answers {
		fmt.Fprintf(out, "  %s: %s (confidence %d): %s\n", strconv.QuoteToASCII(a.Situation.Image),
			llmkernel.ActionName(llmkernel.KindCreate, a.Answer.Action), a.Answer.Confidence, a.Answer.Reason)
	}
	if waitErr != nil {
		fmt.Fprintf(out, "deep tier: not finished within %v; what was answered is kept\n", c.wait)
	}
	return nil
}
