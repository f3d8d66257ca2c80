package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/google/subcommands"
	"golang.org/x/term"

	"github.com/go-os-agent/runsc-ai/integration/bench"
	"github.com/go-os-agent/runsc-ai/integration/bench/kube"
	"github.com/go-os-agent/runsc-ai/integration/bench/workload"
)

// benchCmd implements `runsc-ai bench`.
type benchCmd struct {
	noSpec
	workloads, scenarios, runtimes, runsc, out string
	repeat, warmup                             int
	quick, noOracles                           bool
	agentPolicy, agentState, agentModel        string
	threshold                                  float64
	set                                        map[string]bool
	// cluster mode
	kubeconfig, nodes, classes, arch, image, hostBinary, namespace, runID, jobsFile, logs string
	dryRun                                                                                bool
	wait                                                                                  time.Duration
	// startup mode
	ops, platform          string
	livedRuns, livedImages int
	maxRatio               float64
	traceRounds            int
}

func (*benchCmd) Name() string     { return "bench" }
func (*benchCmd) Synopsis() string { return "benchmark runsc-ai against runsc and runc" }
func (*benchCmd) Usage() string {
	return `bench list
bench run [--workload W,…] [--scenario S,…] [--runtimes R,…] [--repeat N] [--quick] [--no-oracles] [--agent-policy F] [--agent-state DIR] [--agent-model M] [--out DIR]
bench compare OLD.json NEW.json [--threshold PCT]
bench report RESULTS.json [--out DIR]
bench startup [--repeat N] [--ops do,run,lifecycle] [--lived-runs N] [--lived-images N] [--trace-rounds N] [--max-ratio R] [--out DIR]
bench cluster --kubeconfig FILE --nodes N,… [--runtime-classes default,runsc,runsc-ai] [--arch arm64] [--dry-run] [--out DIR]
bench merge --jobs DIR/jobs.yaml --logs DIR/logs [--out DIR]

run: runs each workload in a fresh container on each runtime (runc, runsc,
runsc-ai, runsc-ai+agent; unavailable ones are reported and skipped),
interleaved, after a warm-up, and writes results.json, report.md, PNG plots
and each agent's log to --out. The workloads are carried by this binary, copied into a generated
rootfs: nothing is downloaded. A scenario also runs its oracles on plain
runsc (the sensitive roles alone, and a grid of static settings) and reports
the fraction of the achievable gain runsc-ai+agent captures (where the gap
is beyond the noise). compare: what changed between two results,
regressions flagged (exit 1 if any). report: recomputes a results.json's
ratios and captures with this binary and writes it, report.md and the plots
again (to --out, default beside it).

startup: times whole commands from outside, as a user or a kubelet sees
them — do /bin/true, run, and create+start+delete ("lifecycle") of a
/bin/true bundle — for plain runsc (--runsc) and runsc-ai with decisions off,
with a fresh state, with a lived-in one (--lived-runs earlier runs of
--lived-images images) and with the tap off; --repeat rounds, the variants in
a new random order each round; then --trace-rounds runs per op with
RUNSC_AI_TRACE set give the median of each of runsc-ai's own steps. Writes
startup.json and startup.md to --out;
with --max-ratio, fails if runsc-ai's median (decisions and tap on) is
slower than that ratio to runsc's on any op.

cluster: for Kubernetes clusters (e.g. Raspberry Pi 4s): one Job per node ×
runtime class × workload × repetition, pinned to the node, running runsc-ai's
workloads from --host-binary on the node (hostPath, read-only) in any --image.
Writes DIR/jobs.yaml, submits the Jobs (not with --dry-run), waits up to --wait,
saves each Job's log in DIR/logs and merges them: DIR/results.json and
report.md over all nodes, DIR/nodes/<node>/ per node. merge redoes the merge
from saved logs (e.g. gathered with kubectl logs).
`
}

func (c *benchCmd) SetFlags(f *flag.FlagSet) {
	f.StringVar(&c.workloads, "workload", "", "comma-separated workloads (default: all but the scenario workloads; 'none' with --scenario for scenarios only)")
	f.StringVar(&c.scenarios, "scenario", "", "comma-separated scenarios: "+strings.Join(bench.ScenarioNames(), ", "))
	f.StringVar(&c.runtimes, "runtimes", strings.Join(bench.RuntimeNames, ","), "comma-separated runtimes")
	f.StringVar(&c.runsc, "runsc", "", "plain runsc binary (default: runsc on PATH or beside runsc-ai)")
	f.IntVar(&c.repeat, "repeat", 5, "measured repetitions per workload and runtime")
	f.IntVar(&c.warmup, "warmup", 1, "unmeasured repetitions first")
	f.BoolVar(&c.quick, "quick", false, "small workloads and 3 repetitions: a few minutes in all")
	f.BoolVar(&c.noOracles, "no-oracles", false, "run: skip the scenarios' oracle baselines (floor, static grid)")
	f.StringVar(&c.out, "out", "bench-results", "output directory")
	f.StringVar(&c.agentPolicy, "agent-policy", "", "run: the agent runtimes' policy file (runsc-ai+agent, runsc-ai+deep; default: the embedded policy)")
	f.StringVar(&c.agentModel, "agent-model", "", "run: the runsc-ai+deep runtime's model (a GGUF file, or a name in ollama's local store), run in its agent's process")
	f.StringVar(&c.agentState, "agent-state", "", "run: the runsc-ai+agent runtime's state directory, kept between runs so its agent keeps what it learned (default: a fresh one)")
	f.Float64Var(&c.threshold, "threshold", 10, "compare: a change worse than this percentage is a regression")
	f.StringVar(&c.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "cluster: kubeconfig file")
	f.StringVar(&c.nodes, "nodes", "", "cluster: comma-separated node names")
	f.StringVar(&c.classes, "runtime-classes", "default,runsc,runsc-ai", "cluster: RuntimeClass names ('default': the node's default runtime)")
	f.StringVar(&c.arch, "arch", "", "cluster: also select nodes by kubernetes.io/arch (e.g. arm64)")
	f.StringVar(&c.image, "image", "busybox:1.36", "cluster: container image (the workloads come from --host-binary)")
	f.StringVar(&c.hostBinary, "host-binary", "/usr/local/bin/runsc-ai", "cluster: runsc-ai's path on the nodes")
	f.StringVar(&c.namespace, "namespace", "runsc-ai-bench", "cluster: namespace for the Jobs")
	f.StringVar(&c.runID, "run-id", "", "cluster: id of this run (default: from the time)")
	f.BoolVar(&c.dryRun, "dry-run", false, "cluster: write jobs.yaml only")
	f.DurationVar(&c.wait, "wait", 30*time.Minute, "cluster: how long to wait for the Jobs (0: submit and exit)")
	f.StringVar(&c.jobsFile, "jobs", "", "merge: the jobs.yaml a cluster run wrote")
	f.StringVar(&c.logs, "logs", "", "merge: directory of <job>.log files")
	f.StringVar(&c.ops, "ops", strings.Join(bench.StartupOps, ","), "startup: operations to time")
	f.StringVar(&c.platform, "platform", "systrap", "startup: the gVisor platform both runtimes use")
	f.IntVar(&c.livedRuns, "lived-runs", 1000, "startup: earlier runs in the lived-in state")
	f.IntVar(&c.livedImages, "lived-images", 50, "startup: images those runs are spread over")
	f.Float64Var(&c.maxRatio, "max-ratio", 0, "startup: fail if runsc-ai (decisions and tap on) is slower than this ratio to runsc")
	f.IntVar(&c.traceRounds, "trace-rounds", 10, "startup: traced runs per op afterwards, for the breakdown of runsc-ai's own steps (0: none)")
}

func (c *benchCmd) Execute(ctx context.Context, f *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	if f.NArg() == 0 {
		f.Usage()
		return subcommands.ExitUsageError
	}
	// Flags may follow the subcommand (bench run --quick): parse the rest
	// again, keeping any given before it.
	sub := flag.NewFlagSet("bench "+f.Arg(0), flag.ContinueOnError)
	c.SetFlags(sub)
	f.Visit(func(fl *flag.Flag) { sub.Set(fl.Name, fl.Value.String()) })
	// Flags may also follow a positional argument (bench report FILE
	// --out DIR): parse what remains after each one.
	args := []string{f.Arg(0)}
	rest := f.Args()[1:]
	for {
		if err := sub.Parse(rest); err != nil {
			return subcommands.ExitUsageError
		}
		if sub.NArg() == 0 {
			break
		}
		args = append(args, sub.Arg(0))
		rest = sub.Args()[1:]
	}
	c.set = map[string]bool{}
	sub.Visit(func(fl *flag.Flag) { c.set[fl.Name] = true })
	var err error
	switch {
	case len(args) == 1 && args[0] == "list":
		c.list()
		return subcommands.ExitSuccess
	case len(args) == 1 && args[0] == "run":
		err = c.run(ctx)
	case len(args) == 1 && args[0] == "startup":
		err = c.startup(ctx)
	case len(args) == 1 && args[0] == "cluster":
		err = c.cluster(ctx)
	case len(args) == 1 && args[0] == "merge":
		err = c.merge()
	case len(args) == 2 && args[0] == "report":
		err = c.report(args[1])
	case len(args) == 3 && args[0] == "compare":
		var regressions int
		regressions, err = c.compare(args[1], args[2])
		if err == nil && regressions > 0 {
			return subcommands.ExitFailure
		}
	default:
		f.Usage()
		return subcommands.ExitUsageError
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return subcommands.ExitFailure
	}
	return subcommands.ExitSuccess
}

func (c *benchCmd) startup(ctx context.Context) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	runscs, err := bench.Locate([]string{bench.Runsc}, self, c.runsc, "")
	if err != nil {
		return err
	}
	if !runscs[0].Available {
		return errors.New(runscs[0].Reason)
	}
	rounds := c.repeat
	if !c.set["repeat"] {
		rounds = 25
	}
	res, err := bench.Startup(ctx, bench.StartupOptions{Self: self, Runsc: runscs[0].Binary, Rounds: rounds, Warmup: c.warmup,
		Ops: split(c.ops), Platform: c.platform, LivedRuns: c.livedRuns, LivedImages: c.livedImages, Seed: time.Now().UnixNano(),
		TraceRounds: c.traceRounds, Progress: os.Stderr})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	if err := res.Save(filepath.Join(c.out, "startup.json")); err != nil {
		return err
	}
	md := res.Markdown()
	if err := os.WriteFile(filepath.Join(c.out, "startup.md"), []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Print(md)
	if c.maxRatio > 0 {
		var slow []string
		for _, s := range res.Series {
			if (s.Variant == bench.VariantFresh || s.Variant == bench.VariantLived) && s.Ratio > c.maxRatio {
				slow = append(slow, fmt.Sprintf("%s (%s) %.3f", s.Op, s.Variant, s.Ratio))
			}
		}
		if len(slow) > 0 {
			return fmt.Errorf("start-up slower than %.3f× runsc: %s", c.maxRatio, strings.Join(slow, ", "))
		}
	}
	return nil
}

func (c *benchCmd) list() {
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "WORKLOAD\tMETRIC\tBETTER\tDESCRIPTION")
	for _, s := range workload.All() {
		name := s.Name
		if s.Scenario {
			name += " (scenario)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", name, s.Metric, s.Better, s.Description)
	}
	fmt.Fprintln(w, "\nSCENARIO\tCONTAINERS")
	for _, n := range bench.ScenarioNames() {
		fmt.Fprintf(w, "%s\t%s\n", n, strings.Join(bench.Scenarios[n], " + "))
	}
	fmt.Fprintf(w, "\nRUNTIMES\t%s\n", strings.Join(bench.RuntimeNames, ", "))
	w.Flush()
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (c *benchCmd) run(ctx context.Context) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// Ctrl-C or SIGTERM stops the run cleanly: containers, the agent, the
	// work directory and cgroups are cleaned up.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	o := bench.Options{Self: self, Runsc: c.runsc, AgentPolicy: c.agentPolicy, AgentModel: c.agentModel, AgentState: c.agentState, LogDir: c.out, Runtimes: split(c.runtimes), Repeat: c.repeat, Warmup: c.warmup,
		Quick: c.quick, NoOracles: c.noOracles, Progress: os.Stderr, Terminal: term.IsTerminal(int(os.Stderr.Fd())), Command: os.Args}
	switch c.workloads {
	case "":
		o.Workloads = bench.DefaultWorkloads()
	case "none":
	default:
		o.Workloads = split(c.workloads)
	}
	o.Scenarios = split(c.scenarios)
	if c.quick && !c.set["repeat"] {
		o.Repeat = 3
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	res, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	if err := writeResults(c.out, res); err != nil {
		return err
	}
	failed := 0
	for _, s := range res.Series {
		if len(s.Values) == 0 {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d workload series produced no result; see report.md", failed)
	}
	return nil
}

// writeResults writes results.json, the plots and report.md to dir and the
// summary to stdout.
func writeResults(dir string, res *bench.Results) error {
	if err := res.Save(filepath.Join(dir, "results.json")); err != nil {
		return err
	}
	plots, err := bench.WritePlots(dir, res)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "report.md"))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := bench.WriteReport(f, res, plots); err != nil {
		return err
	}
	if err := bench.WriteSummary(os.Stdout, res); err != nil {
		return err
	}
	fmt.Printf("wrote %s: results.json, report.md, %d plots\n", dir, len(plots))
	return f.Close()
}

// report rewrites a results.json's derived parts with this binary.
func (c *benchCmd) report(path string) error {
	res, err := bench.Load(path)
	if err != nil {
		return err
	}
	res.Recompute()
	dir := filepath.Dir(path)
	if c.set["out"] {
		dir = c.out
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		// The agents' logs go along (those still beside the results).
		var logs []string
		for _, l := range res.AgentLogs {
			if filepath.Base(l) != l || !strings.HasSuffix(l, ".log") {
				return fmt.Errorf("%s: agent log %q is not a log file's name", path, l)
			}
			b, err := os.ReadFile(filepath.Join(filepath.Dir(path), l))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, l), b, 0o644); err != nil {
				return err
			}
			logs = append(logs, l)
		}
		res.AgentLogs = logs
	}
	return writeResults(dir, res)
}

func (c *benchCmd) compare(a, b string) (int, error) {
	old, err := bench.Load(a)
	if err != nil {
		return 0, err
	}
	cur, err := bench.Load(b)
	if err != nil {
		return 0, err
	}
	changes := bench.Compare(old, cur, c.threshold)
	if len(changes) == 0 {
		return 0, errors.New("the two results have no workload and runtime in common")
	}
	return bench.WriteComparison(os.Stdout, changes, c.threshold), nil
}

// benchWorkloadCmd is what runs inside the benchmark containers.
type benchWorkloadCmd struct {
	noSpec
	dir     string
	quick   bool
	seconds int
	alone   bool
}

func (*benchWorkloadCmd) Name() string { return "bench-workload" }
func (*benchWorkloadCmd) Synopsis() string {
	return "run one benchmark workload (inside a benchmark container)"
}
func (*benchWorkloadCmd) Usage() string {
	return "bench-workload [--quick] [--dir DIR] NAME: runs the workload and prints its result as JSON\n"
}
func (c *benchWorkloadCmd) SetFlags(f *flag.FlagSet) {
	f.StringVar(&c.dir, "dir", os.TempDir(), "writable directory for the file workloads")
	f.BoolVar(&c.quick, "quick", false, "small sizes")
	f.IntVar(&c.seconds, "seconds", 0, "scenario workloads: run this long (0: the default)")
	f.BoolVar(&c.alone, "alone", false, "scenario workloads: idle where they would disturb others (the floor)")
}
func (c *benchWorkloadCmd) Execute(ctx context.Context, f *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	if f.NArg() != 1 {
		f.Usage()
		return subcommands.ExitUsageError
	}
	if err := workload.Run(ctx, f.Arg(0), workload.Params{Quick: c.quick, Dir: c.dir, Seconds: c.seconds, Alone: c.alone}, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "bench-workload: %v\n", err)
		return subcommands.ExitFailure
	}
	return subcommands.ExitSuccess
}

func (c *benchCmd) clusterWorkloads() []string {
	if c.workloads != "" {
		return split(c.workloads)
	}
	var out []string
	for _, w := range bench.DefaultWorkloads() {
		if s, _ := workload.Lookup(w); !s.External {
			out = append(out, w)
		}
	}
	return out
}

func (c *benchCmd) cluster(ctx context.Context) error {
	runID := c.runID
	if runID == "" {
		runID = "r" + time.Now().UTC().Format("0102-150405")
	}
	repeat := c.repeat
	if c.quick && !c.set["repeat"] {
		repeat = 3
	}
	o := bench.ClusterOptions{RunID: runID, Namespace: c.namespace, Nodes: split(c.nodes), RuntimeClasses: split(c.classes),
		Workloads: c.clusterWorkloads(), Repeat: repeat, Quick: c.quick, Arch: c.arch, Image: c.image, HostBinary: c.hostBinary,
		CPU: "500m", Memory: "512Mi"}
	jobs, err := bench.Jobs(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	jobsPath := filepath.Join(c.out, "jobs.yaml")
	if err := bench.WriteJobs(jobsPath, jobs); err != nil {
		return err
	}
	fmt.Printf("run %s: %d Jobs (%d nodes × %d runtime classes × %d workloads × %d repetitions) in %s\n",
		runID, len(jobs), len(o.Nodes), len(o.RuntimeClasses), len(o.Workloads), repeat, jobsPath)
	if c.dryRun {
		return nil
	}
	if c.kubeconfig == "" {
		return errors.New("--kubeconfig (or KUBECONFIG) is needed to submit; --dry-run only writes the Jobs")
	}
	client, err := kube.FromKubeconfig(c.kubeconfig)
	if err != nil {
		return err
	}
	if err := bench.Submit(ctx, client, jobs); err != nil {
		return err
	}
	fmt.Printf("submitted %d Jobs to namespace %s (label %s=%s)\n", len(jobs), o.Namespace, bench.LabelRun, runID)
	if c.wait <= 0 {
		return nil
	}
	logDir := filepath.Join(c.out, "logs")
	pending, err := bench.Collect(ctx, client, jobs, logDir, c.wait)
	if err != nil {
		return err
	}
	if pending > 0 {
		fmt.Printf("%d Jobs did not finish within %v; merging what did (rerun 'bench merge' later)\n", pending, c.wait)
	}
	c.jobsFile, c.logs = jobsPath, logDir
	return c.merge()
}

func (c *benchCmd) merge() error {
	if c.jobsFile == "" || c.logs == "" {
		return errors.New("merge needs --jobs FILE and --logs DIR")
	}
	jobs, err := bench.ReadJobs(c.jobsFile)
	if err != nil {
		return err
	}
	m, err := bench.Merge(jobs, c.logs, bench.Config{Quick: c.quick, Repeat: c.repeat}, os.Args)
	if err != nil {
		return err
	}
	write := func(dir string, r *bench.Results) error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := r.Save(filepath.Join(dir, "results.json")); err != nil {
			return err
		}
		plots, err := bench.WritePlots(dir, r)
		if err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(dir, "report.md"))
		if err != nil {
			return err
		}
		defer f.Close()
		return bench.WriteReport(f, r, plots)
	}
	if err := write(c.out, m.Overall); err != nil {
		return err
	}
	for node, r := range m.Nodes {
		if err := write(filepath.Join(c.out, "nodes", bench.SafeName(node)), r); err != nil {
			return err
		}
	}
	fmt.Printf("merged %d Jobs from %d nodes into %s\n", len(jobs), len(m.Nodes), c.out)
	return nil
}
