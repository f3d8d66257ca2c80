package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gvisor.dev/gvisor/runsc/specutils"

	"github.com/go-os-agent/runsc-ai/integration/bench/workload"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/runsc-ai/createtime"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// The start-up benchmark times whole commands from outside, as a user, a
// shim or a kubelet sees them: each command is a fresh process tree (the
// command, the gofer and the sandbox), so everything runsc-ai adds — a
// larger binary's start, package initialisation, host facts, the history,
// the decision, the tap — is in the number. Plain runsc from the same gVisor
// build is the reference, measured in the same rounds, the variants in a new
// random order every round.

// StartupOps are the timed operations.
var StartupOps = []string{"do", "run", "lifecycle"}

// Start-up variants: plain runsc, and runsc-ai configured as a user may run it.
const (
	VariantRunsc        = "runsc"
	VariantOff          = "runsc-ai --ai-decide=false"
	VariantFresh        = "runsc-ai, fresh state"
	VariantLived        = "runsc-ai, lived-in state"
	VariantLivedNoTap   = "runsc-ai, lived-in state, --ai-tap=false"
	startupImagePrefix  = "image:startup-bench/app-"
	startupCommandImage = "cmd:/bin/true"
)

// StartupVariants are all variants, in report order.
var StartupVariants = []string{VariantRunsc, VariantOff, VariantFresh, VariantLived, VariantLivedNoTap}

// StartupOptions configures a start-up benchmark run.
type StartupOptions struct {
	Self, Runsc string // runsc-ai and plain runsc binaries
	Rounds      int    // measured rounds; each times every op × variant once
	Warmup      int    // unmeasured rounds first
	Ops         []string
	// Platform is the gVisor platform both runtimes use.
	Platform string
	// LivedRuns earlier runs over LivedImages images make the lived-in
	// state (the benchmark's own command among them).
	LivedRuns, LivedImages int
	Seed                   int64
	// TraceRounds more runs of each op with the lived-in state are traced
	// (node.TraceEnv) for the breakdown of runsc-ai's own steps.
	TraceRounds int
	Progress    io.Writer
}

// StartupSeries is one op × variant: every measured wall time, and the
// per-round ratios to runsc in the same round.
type StartupSeries struct {
	Op       string    `json:"op"`
	Variant  string    `json:"variant"`
	Ms       []float64 `json:"ms"`
	MedianMs float64   `json:"median_ms"`
	P25Ms    float64   `json:"p25_ms"`
	P75Ms    float64   `json:"p75_ms"`
	// Ratio is this variant's median over runsc's; RatioLo–RatioHi is the
	// 90 % bootstrap interval of that ratio (rounds resampled).
	Ratio   float64 `json:"ratio"`
	RatioLo float64 `json:"ratio_lo"`
	RatioHi float64 `json:"ratio_hi"`
}

// StartupResults is a start-up benchmark run.
type StartupResults struct {
	Started  time.Time       `json:"started"`
	Machine  Machine         `json:"machine"`
	Rounds   int             `json:"rounds"`
	Platform string          `json:"platform"`
	Flags    []string        `json:"flags"`
	Lived    string          `json:"lived_in_state"`
	Series   []StartupSeries `json:"series"`
	// Steps are the median ms of runsc-ai's own steps in the command
	// process per op (the traced rounds), in the order they ran.
	Steps []StartupStep `json:"steps,omitempty"`
}

// StartupStep is one traced step of the create path.
type StartupStep struct {
	Op       string  `json:"op"`
	Process  string  `json:"process"`
	Step     string  `json:"step"`
	MedianMs float64 `json:"median_ms"`
	N        int     `json:"n"`
}

// Find returns the series of op × variant, or nil.
func (r *StartupResults) Find(op, variant string) *StartupSeries {
	for i := range r.Series {
		if r.Series[i].Op == op && r.Series[i].Variant == variant {
			return &r.Series[i]
		}
	}
	return nil
}

// Save writes the results as JSON.
func (r *StartupResults) Save(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Markdown is the report table.
func (r *StartupResults) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Start-up, whole commands timed from outside: %d rounds, variants in random order each round, "+
		"`--platform=%s %s`; lived-in state: %s.\n\n", r.Rounds, r.Platform, strings.Join(r.Flags, " "), r.Lived)
	b.WriteString("| op | variant | median ms | p25–p75 ms | vs runsc (90 % interval) |\n| --- | --- | --- | --- | --- |\n")
	for _, s := range r.Series {
		fmt.Fprintf(&b, "| %s | %s | %.1f | %.1f–%.1f | %.3f (%.3f–%.3f) |\n", s.Op, s.Variant, s.MedianMs, s.P25Ms, s.P75Ms, s.Ratio, s.RatioLo, s.RatioHi)
	}
	if len(r.Steps) > 0 {
		b.WriteString("\nrunsc-ai's own steps (lived-in state, traced with " + node.TraceEnv + "; runsc-* is gVisor's command inside the wrapper):\n\n")
		b.WriteString("| op | process | step | median ms | n |\n| --- | --- | --- | --- | --- |\n")
		for _, st := range r.Steps {
			fmt.Fprintf(&b, "| %s | %s | %s | %.3f | %d |\n", st.Op, st.Process, st.Step, st.MedianMs, st.N)
		}
	}
	return b.String()
}

// startupFlags are the global flags of both runtimes: the setting,
// in which the create path is not hidden behind network or cgroup set-up.
var startupFlags = []string{"--network=none", "--ignore-cgroups"}

type startupVariant struct {
	name  string
	bin   string
	flags []string
	// state is the --ai-state directory; fresh variants remove it before
	// each timed command.
	state string
	fresh bool
	env   []string // added to the command's environment
}

// Startup runs the start-up benchmark.
func Startup(ctx context.Context, o StartupOptions) (*StartupResults, error) {
	if o.Rounds < 1 {
		return nil, fmt.Errorf("start-up benchmark: %d rounds, want at least 1", o.Rounds)
	}
	if o.Platform == "" {
		o.Platform = "systrap"
	}
	if len(o.Ops) == 0 {
		o.Ops = StartupOps
	}
	for _, op := range o.Ops {
		if !slices.Contains(StartupOps, op) {
			return nil, fmt.Errorf("start-up benchmark: unknown op %q (want %s)", op, strings.Join(StartupOps, ", "))
		}
	}
	if o.Runsc == "" || !isExec(o.Runsc) {
		return nil, fmt.Errorf("start-up benchmark: plain runsc %q is not an executable ('make runsc' builds it from the same gVisor module)", o.Runsc)
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	work, err := os.MkdirTemp("", "runsc-ai-startup-")
	if err != nil {
		return nil, err
	}
	defer removeStartupWork(work)
	rootfs := filepath.Join(work, "rootfs")
	if err := startupRootfs(rootfs); err != nil {
		return nil, err
	}
	bundle := filepath.Join(work, "bundle")
	if err := writeBundle(bundle, rootfs, []string{"/bin/true"}); err != nil {
		return nil, err
	}

	global := append([]string{"--platform=" + o.Platform}, startupFlags...)
	aiRun := "--ai-run=" + filepath.Join(work, "ai-run")
	vs := []startupVariant{
		{name: VariantRunsc, bin: o.Runsc},
		{name: VariantOff, bin: o.Self, flags: []string{"--ai-decide=false", aiRun}, state: filepath.Join(work, "state-off")},
		{name: VariantFresh, bin: o.Self, flags: []string{aiRun}, state: filepath.Join(work, "state-fresh"), fresh: true},
		{name: VariantLived, bin: o.Self, flags: []string{aiRun}, state: filepath.Join(work, "state-lived")},
		{name: VariantLivedNoTap, bin: o.Self, flags: []string{"--ai-tap=false", aiRun}, state: filepath.Join(work, "state-lived-notap")},
	}
	lived := "none"
	if o.LivedRuns > 0 {
		fmt.Fprintf(o.Progress, "start-up: preparing the lived-in state (%d runs of %d images)\n", o.LivedRuns, o.LivedImages)
		for _, v := range vs[3:] {
			if err := PrepareLivedState(ctx, v.state, o.LivedRuns, o.LivedImages, o.Seed); err != nil {
				return nil, err
			}
		}
		lived = fmt.Sprintf("%d earlier runs of %d images", o.LivedRuns, o.LivedImages)
	}

	res := &StartupResults{Started: time.Now().UTC(), Machine: machine(ctx), Rounds: o.Rounds, Platform: o.Platform, Flags: startupFlags, Lived: lived}
	times := map[string]map[string][]float64{} // op -> variant -> ms per round
	for _, op := range o.Ops {
		times[op] = map[string][]float64{}
	}
	rng := rand.New(rand.NewSource(o.Seed))
	type item struct {
		op string
		v  int
	}
	var items []item
	for _, op := range o.Ops {
		for i := range vs {
			items = append(items, item{op, i})
		}
	}
	for round := -o.Warmup; round < o.Rounds; round++ {
		rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		for k, it := range items {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			v := vs[it.v]
			id := fmt.Sprintf("startup-%d-%d", round+o.Warmup, k)
			d, err := v.time(ctx, it.op, global, bundle, id, filepath.Join(work, "root-"+fmt.Sprint(it.v)))
			if err != nil {
				return nil, fmt.Errorf("start-up %s, %s: %w", it.op, v.name, err)
			}
			if round >= 0 {
				times[it.op][v.name] = append(times[it.op][v.name], float64(d.Microseconds())/1000)
			}
		}
		if round >= 0 {
			fmt.Fprintf(o.Progress, "start-up: round %d/%d\n", round+1, o.Rounds)
		}
	}
	if o.TraceRounds > 0 {
		lv := vs[3]
		for _, op := range o.Ops {
			steps, err := traceSteps(ctx, &lv, op, o.TraceRounds, global, bundle, filepath.Join(work, "root-trace"), work)
			if err != nil {
				return nil, fmt.Errorf("start-up trace of %s: %w", op, err)
			}
			res.Steps = append(res.Steps, steps...)
		}
	}
	for _, op := range o.Ops {
		ref := times[op][VariantRunsc]
		for _, v := range vs {
			ms := times[op][v.name]
			s := StartupSeries{Op: op, Variant: v.name, Ms: ms, MedianMs: median(ms), P25Ms: workload.Percentile(ms, 25), P75Ms: workload.Percentile(ms, 75)}
			s.Ratio = median(ms) / median(ref)
			s.RatioLo, s.RatioHi = bootstrapRatio(ms, ref, o.Seed)
			res.Series = append(res.Series, s)
		}
	}
	return res, nil
}

// traceSteps runs op rounds times with the trace on and returns the median
// of each traced step, in the order the steps first appeared.
func traceSteps(ctx context.Context, v *startupVariant, op string, rounds int, global []string, bundle, root, work string) ([]StartupStep, error) {
	file := filepath.Join(work, "trace-"+op)
	traced := *v
	traced.env = []string{node.TraceEnv + "=" + file}
	for i := 0; i < rounds; i++ {
		if _, err := traced.time(ctx, op, global, bundle, fmt.Sprintf("trace-%s-%d", op, i), root); err != nil {
			return nil, err
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var order []string
	ms := map[string][]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 || f[3] == "main" {
			continue
		}
		var d float64
		if _, err := fmt.Sscan(f[4], &d); err != nil {
			continue
		}
		k := f[2] + " " + f[3]
		if _, seen := ms[k]; !seen {
			order = append(order, k)
		}
		ms[k] = append(ms[k], d)
	}
	var out []StartupStep
	for _, k := range order {
		proc, step, _ := strings.Cut(k, " ")
		out = append(out, StartupStep{Op: op, Process: proc, Step: step, MedianMs: median(ms[k]), N: len(ms[k])})
	}
	return out, nil
}

// time runs op once and returns its wall time. The fresh variant's state is
// removed first (not timed): the command sees a node that never ran a
// container.
func (v *startupVariant) time(ctx context.Context, op string, global []string, bundle, id, root string) (time.Duration, error) {
	if v.fresh {
		if err := os.RemoveAll(v.state); err != nil {
			return 0, err
		}
	}
	args := append(append([]string{}, global...), "--root="+root)
	if v.state != "" {
		args = append(args, "--ai-state="+v.state)
	}
	args = append(args, v.flags...)
	run := func(a ...string) error {
		cmd := exec.CommandContext(ctx, v.bin, append(append([]string{}, args...), a...)...)
		if v.env != nil {
			cmd.Env = append(os.Environ(), v.env...)
		}
		// The sandbox inherits create's stdio: a pipe would never close, so
		// the sandbox gets /dev/null and the command's errors a file.
		errf, err := os.CreateTemp("", "startup-err-")
		if err != nil {
			return err
		}
		defer os.Remove(errf.Name())
		defer errf.Close()
		cmd.Stderr = errf
		if err := cmd.Run(); err != nil {
			b, _ := os.ReadFile(errf.Name())
			return fmt.Errorf("%s %s: %w: %s", filepath.Base(v.bin), strings.Join(a, " "), err, lastLine(string(b)))
		}
		return nil
	}
	start := time.Now()
	var err error
	switch op {
	case "do":
		err = run("do", "/bin/true")
	case "run":
		err = run("run", "--bundle", bundle, id)
	case "lifecycle":
		if err = run("create", "--bundle", bundle, id); err == nil {
			if err = run("start", id); err == nil {
				err = run("delete", "--force", id)
			}
		}
	}
	return time.Since(start), err
}

// startupRootfs is a bare rootfs with the host's static busybox as
// /bin/true (not the harness's rootfs: copying the runsc-ai binary into it
// is not needed here).
func startupRootfs(dir string) error {
	for _, d := range []string{"bin", "proc", "dev", "sys", "tmp", "etc"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	ok, err := installBusybox(dir)
	if err == nil && !ok {
		err = errors.New("start-up benchmark: needs a static busybox on PATH for /bin/true in the bundle (Debian: apt install busybox-static)")
	}
	return err
}

func writeBundle(dir, rootfs string, args []string) error {
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return err
	}
	return writeSpec(dir, bundleSpec(rootfs, data, args))
}

// PrepareLivedState fills the state directory as runs images' earlier runs
// would have: through the create path's own decision and recording code
// (a plan from the history so far, then the outcome), spread over images
// images, the benchmark's command (cmd:/bin/true) among them.
func PrepareLivedState(ctx context.Context, state string, runs, images int, seed int64) error {
	if images < 1 {
		images = 1
	}
	o := &node.Options{State: state, Decide: true}
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < runs; i++ {
		image := startupCommandImage
		if n := i % images; n > 0 {
			image = fmt.Sprintf("%s%02d", startupImagePrefix, n)
		}
		cid := fmt.Sprintf("lived-%d", i)
		s, err := createtime.NewSession(ctx, o, cid, sandboxconf.Spec{Image: image}, map[string]sandboxconf.Choice{}, nil)
		if err != nil {
			return fmt.Errorf("preparing the lived-in state: %w", err)
		}
		s.SaveHostFacts() // a lived-in node has its host facts cached
		run := sandboxconf.NewRun(&s.Plan, cid)
		run.Measure = "run"
		run.StartupMs = 100 + 40*rng.Float64()
		if _, err := s.Records.Complete(image, run, &s.Policy); err != nil {
			return fmt.Errorf("preparing the lived-in state: %w", err)
		}
	}
	return nil
}

// bootstrapRatio is the 90 % interval of median(xs)/median(ref) with the
// rounds resampled (xs and ref were measured in the same rounds, so a round
// is resampled as a pair).
func bootstrapRatio(xs, ref []float64, seed int64) (lo, hi float64) {
	n := min(len(xs), len(ref))
	if n == 0 {
		return 0, 0
	}
	rng := rand.New(rand.NewSource(seed + 1))
	const draws = 2000
	rs := make([]float64, draws)
	a, b := make([]float64, n), make([]float64, n)
	for d := range rs {
		for i := 0; i < n; i++ {
			j := rng.Intn(n)
			a[i], b[i] = xs[j], ref[j]
		}
		rs[d] = median(a) / median(b)
	}
	return workload.Percentile(rs, 5), workload.Percentile(rs, 95)
}

// removeStartupWork removes the start-up benchmark's directory. gVisor
// keeps a network namespace bind-mounted in each runsc root it created a
// --network=none sandbox in (its null-netns): unmounted first, or every run
// would leave one namespace per root behind on the host.
func removeStartupWork(work string) {
	roots, _ := filepath.Glob(filepath.Join(work, "root-*"))
	for _, r := range roots {
		specutils.UnmountNullNetNS(r)
	}
	os.RemoveAll(work)
}
