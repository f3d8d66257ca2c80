package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/go-os-agent/runsc-ai/integration/bench/workload"
	"github.com/go-os-agent/runsc-ai/platform/host"
)

// DefaultWorkloads are the non-scenario workloads.
func DefaultWorkloads() []string {
	var out []string
	for _, s := range workload.All() {
		if !s.Scenario {
			out = append(out, s.Name)
		}
	}
	return out
}

// Options configure a run.
type Options struct {
	Self  string // the runsc-ai binary (runtime and workload carrier)
	Runsc string // plain runsc; "" looks it up
	// AgentPolicy is the runsc-ai+agent runtime's --ai-policy ("": the
	// embedded default).
	AgentPolicy string
	// AgentModel is the runsc-ai+deep runtime's model (a GGUF file, or a
	// name in ollama's local store), run in its agent's process.
	AgentModel string
	// AgentState is the runsc-ai+agent runtime's --ai-state ("": a fresh
	// one in the run's work directory): the same directory over several
	// runs keeps what the agent learned (its history) between them.
	AgentState string
	Runtimes   []string
	// LogDir keeps each agent runtime's agent log as <runtime>.log (the
	// results' directory: what the agent decided, and why, beside what it
	// gained); "": the work directory, removed with it.
	LogDir    string
	Workloads []string
	Scenarios []string
	Repeat    int
	Warmup    int
	Quick     bool
	// NoOracles skips the scenarios' oracle baselines (floor and static
	// grid, oracle.go).
	NoOracles bool
	// Progress gets one line per run, or a bar when Terminal.
	Progress io.Writer
	Terminal bool
	Command  []string
}

type item struct {
	scenario  string
	workloads []string
}

// Run runs the benchmark and returns its results.
func Run(ctx context.Context, o Options) (*Results, error) {
	if o.Repeat < 1 {
		return nil, errors.New("repeat must be at least 1")
	}
	for _, w := range o.Workloads {
		if _, ok := workload.Lookup(w); !ok {
			return nil, fmt.Errorf("unknown workload %q (see 'runsc-ai bench list')", w)
		}
	}
	var items []item
	for _, w := range o.Workloads {
		items = append(items, item{workloads: []string{w}})
	}
	for _, s := range o.Scenarios {
		ws, ok := Scenarios[s]
		if !ok {
			return nil, fmt.Errorf("unknown scenario %q (want one of %v)", s, ScenarioNames())
		}
		items = append(items, item{scenario: s, workloads: ws})
	}
	if len(items) == 0 {
		return nil, errors.New("nothing to run: no workload or scenario")
	}
	work, err := os.MkdirTemp("", "runsc-ai-bench-")
	if err != nil {
		return nil, err
	}
	defer cleanup(work)
	rts, err := Locate(o.Runtimes, o.Self, o.Runsc, work)
	if err != nil {
		return nil, err
	}
	if o.AgentPolicy != "" {
		abs, err := filepath.Abs(o.AgentPolicy)
		if err != nil {
			return nil, err
		}
		for i := range rts {
			if rts[i].Name == RunscAIAgent || rts[i].Name == RunscAIDeep {
				rts[i].Flags = append(rts[i].Flags, "--ai-policy="+abs)
			}
		}
	}
	for i := range rts {
		if rts[i].Name != RunscAIDeep {
			continue
		}
		if o.AgentModel == "" {
			return nil, errors.New("runtime runsc-ai+deep needs a model (--agent-model: a GGUF file or a name in ollama's local store)")
		}
		model := o.AgentModel
		if abs, err := filepath.Abs(model); err == nil && isFile(abs) {
			model = abs
		}
		// One inference thread, at the lowest priority, within the
		// policy's CPU budget: the deep tier as a node would run it.
		rts[i].AgentFlags = []string{"--backend=inproc", "--model=" + model, "--threads=1"}
	}
	for i := range rts {
		if rts[i].Name == RunscAIRules {
			path, err := rulesOnlyPolicy(o.AgentPolicy, work)
			if err != nil {
				return nil, err
			}
			rts[i].Flags = append(rts[i].Flags, "--ai-policy="+path)
		}
	}
	if o.AgentState != "" {
		abs, err := filepath.Abs(o.AgentState)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return nil, fmt.Errorf("agent state: %w", err)
		}
		for i := range rts {
			if rts[i].Name == RunscAIAgent {
				for j, f := range rts[i].Flags {
					if strings.HasPrefix(f, "--ai-state=") {
						rts[i].Flags[j] = "--ai-state=" + abs
					}
				}
			}
		}
	}
	rootfs := filepath.Join(work, "rootfs")
	hasBusybox, err := buildRootfs(rootfs, o.Self)
	if err != nil {
		return nil, fmt.Errorf("benchmark rootfs: %w", err)
	}
	res := &Results{Schema: Schema, Started: time.Now().UTC(), Command: o.Command, Machine: machine(ctx), Runtimes: rts,
		Config: Config{Quick: o.Quick, Repeat: o.Repeat, Warmup: o.Warmup, Workloads: o.Workloads, Scenarios: o.Scenarios, Oracles: !o.NoOracles}}
	if !o.NoOracles {
		for _, s := range o.Scenarios {
			if g := staticGrid[s]; len(g) > 0 {
				if res.Static == nil {
					res.Static = map[string][]Setting{}
				}
				res.Static[s] = g
			}
		}
	}
	var avail []Runtime
	for _, rt := range rts {
		if rt.Available {
			avail = append(avail, rt)
		}
	}
	if len(avail) == 0 {
		return nil, errors.New("no runtime available")
	}
	defer removeCgroup(cgroupParent())
	for _, rt := range avail {
		if !slices.Contains(agentRuntimes, rt.Name) {
			continue
		}
		logDir := o.LogDir
		if logDir == "" {
			logDir = work
		}
		a, err := startAgent(o.Self, rt, logDir)
		if err != nil {
			return nil, err
		}
		if o.LogDir != "" {
			res.AgentLogs = append(res.AgentLogs, rt.Name+".log")
		}
		name := rt.Name
		defer func() {
			acc := a.account()
			if name == RunscAIAgent {
				res.Agent, res.AgentCost, res.Anomalies = acc.Report, acc.Cost, a.anomalies()
			} else {
				if res.OtherAgents == nil {
					res.OtherAgents = map[string]*OtherAgent{}
				}
				res.OtherAgents[name] = acc
			}
			a.stop()
		}()
	}
	r := &runner{o: o, work: work, rootfs: rootfs, hasBusybox: hasBusybox, series: map[string]*Series{}}
	vars := make([][]variant, len(items))
	for i, it := range items {
		vars[i] = variants(it, avail, !o.NoOracles)
		r.total += (o.Warmup + o.Repeat) * len(vars[i])
	}
	for rep := -o.Warmup; rep < o.Repeat; rep++ {
		for i, it := range items {
			// Rotate the order every repetition: A B C, B C A, …
			vs := vars[i]
			for k := range vs {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				r.runItem(ctx, vs[(k+rep+o.Warmup)%len(vs)], it, rep >= 0)
			}
		}
	}
	if o.Terminal && o.Progress != nil {
		fmt.Fprintln(o.Progress)
	}
	for _, key := range r.order {
		s := r.series[key]
		s.summarize(workload.Percentile)
		res.Series = append(res.Series, *s)
	}
	res.Recompute()
	res.Finished = time.Now().UTC()
	return res, nil // the deferred agent stop fills res.Agent
}

type runner struct {
	o          Options
	work       string
	rootfs     string
	hasBusybox bool
	mu         sync.Mutex
	series     map[string]*Series
	order      []string
	seq        int
	done       int
	total      int
}

// runItem runs item it one way (a runtime, or an oracle): a workload, or
// the variant's roles of a scenario together.
func (r *runner) runItem(ctx context.Context, v variant, it item, record bool) {
	rt := v.rt
	ws := it.workloads
	var roles []*Role
	if v.roles != nil {
		ws = nil
		for i := range v.roles {
			ro := &v.roles[i]
			for range max(pickInt(r.o.Quick, ro.QuickCount, ro.Count), 1) {
				ws, roles = append(ws, ro.Workload), append(roles, ro)
			}
		}
	}
	results := make([][]workload.Result, len(ws))
	errs := make([]error, len(ws))
	var wg sync.WaitGroup
	for i, w := range ws {
		var ro *Role
		if roles != nil {
			ro = roles[i]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = r.runOne(ctx, rt, w, ro)
		}()
	}
	wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	// Containers of one role make one series: the median of their values
	// and all their samples; one failure fails the repetition.
	type merged struct {
		res    workload.Result
		values []float64
		errs   []string
	}
	var order []string
	by := map[string]*merged{}
	get := func(name string) *merged {
		m, ok := by[name]
		if !ok {
			m = &merged{}
			by[name] = m
			order = append(order, name)
		}
		return m
	}
	for i, w := range ws {
		if errs[i] != nil {
			m := get(w)
			m.errs = append(m.errs, errs[i].Error())
			continue
		}
		for _, res := range results[i] {
			m := get(res.Workload)
			m.res.Workload, m.res.Metric, m.res.Better = res.Workload, res.Metric, res.Better
			m.values = append(m.values, res.Value)
			m.res.Samples = append(m.res.Samples, res.Samples...)
		}
	}
	for _, name := range order {
		m := by[name]
		if len(m.errs) > 0 {
			spec, _ := workload.Lookup(name)
			s := r.seriesFor(it.scenario, name, v.name, spec.Metric, spec.Better)
			msg := m.errs[0]
			if len(m.errs) > 1 {
				msg = fmt.Sprintf("%s (and %d more containers)", msg, len(m.errs)-1)
			}
			if record {
				s.Errors = append(s.Errors, msg)
			}
			r.progress(name, it.scenario, v.name, "error: "+msg)
			continue
		}
		res := m.res
		res.Value = median(m.values)
		s := r.seriesFor(it.scenario, res.Workload, v.name, res.Metric, res.Better)
		status := fmt.Sprintf("%.4g %s", res.Value, res.Metric)
		if len(m.values) > 1 {
			status += fmt.Sprintf(" (median of %d containers)", len(m.values))
		}
		if record {
			s.Values = append(s.Values, res.Value)
			s.Samples = append(s.Samples, res.Samples...)
		} else {
			status += " (warm-up)"
		}
		r.progress(res.Workload, it.scenario, v.name, status)
	}
}

func (r *runner) seriesFor(scenario, w, rt, metric, better string) *Series {
	key := scenario + "/" + w + "/" + rt
	s, ok := r.series[key]
	if !ok {
		s = &Series{Workload: w, Scenario: scenario, Runtime: rt, Metric: metric, Better: better}
		r.series[key] = s
		r.order = append(r.order, key)
	}
	return s
}

func (r *runner) progress(w, scenario, rt, status string) {
	if r.o.Progress == nil {
		return
	}
	name := w
	if scenario != "" {
		name = scenario + ":" + w
	}
	if r.o.Terminal {
		const width = 30
		n := width * r.done / max(r.total, 1)
		fmt.Fprintf(r.o.Progress, "\r\033[K[%s%s] %d/%d %s on %s", strings.Repeat("=", n), strings.Repeat(" ", width-n), r.done, r.total, name, rt)
		return
	}
	fmt.Fprintf(r.o.Progress, "bench: %d/%d %s on %s: %s\n", r.done, r.total, name, rt, status)
}

// runOne runs one workload in a fresh container and returns what it
// measured (process start: the wall time of the whole run). A scenario role
// runs after its lead, in its own cgroup, and may add a reserved-memory
// result.
func (r *runner) runOne(ctx context.Context, rt Runtime, w string, ro *Role) ([]workload.Result, error) {
	ws, _ := workload.Lookup(w)
	r.mu.Lock()
	r.seq++
	id := fmt.Sprintf("bench-%d", r.seq)
	r.mu.Unlock()
	dir, err := os.MkdirTemp(r.work, id+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o777); err != nil {
		return nil, err
	}
	var args []string
	switch {
	case ws.External && r.hasBusybox:
		args = []string{"/bin/true"}
	case ws.External:
		args = []string{"/rsbench", "bench-workload", w}
	default:
		args = []string{"/rsbench", "bench-workload", "--dir", "/data"}
		if r.o.Quick {
			args = append(args, "--quick")
		}
		if ro != nil {
			args = append(args, "--seconds", fmt.Sprint(pickInt(r.o.Quick, ro.QuickSeconds, ro.Seconds)))
			if ro.alone {
				args = append(args, "--alone")
			}
		}
		args = append(args, w)
	}
	spec := bundleSpec(r.rootfs, data, args)
	cgPath := ""
	if ro != nil {
		cgPath = cgroupParent() + "/" + id
		spec.Linux.CgroupsPath = cgPath
		res := &specs.LinuxResources{}
		if ro.MemoryLimit > 0 {
			l := ro.MemoryLimit
			res.Memory = &specs.LinuxMemory{Limit: &l}
		}
		if err := ro.Limits.apply(res); err != nil {
			return nil, fmt.Errorf("%s: %w", ro.Workload, err)
		}
		if res.Memory != nil || res.CPU != nil {
			spec.Linux.Resources = res
		}
		defer removeCgroup(cgPath)
	}
	if err := writeSpec(dir, spec); err != nil {
		return nil, err
	}
	root := filepath.Join(r.work, "root-"+rt.Name)
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	if ro != nil {
		select {
		case <-time.After(pickDur(r.o.Quick, ro.QuickLead, ro.Lead)):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var reserved chan float64
	if ro != nil && ro.Reserved {
		sctx, stop := context.WithCancel(ctx)
		defer stop()
		reserved = make(chan float64, 1)
		go func() { reserved <- sampleLimit(sctx, cgPath) }()
	}
	global := append([]string{"--root", root}, rt.Flags...)
	cmd := exec.CommandContext(ctx, rt.Binary, append(global, "run", "--bundle", dir, id)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second // a sandbox child holding the pipes must not hang us
	// Cancelled (Ctrl-C): runsc run forwards SIGTERM to the container and
	// tears the sandbox down; WaitDelay then kills it if it does not.
	cmd.Cancel = func() error { return cmd.Process.Signal(unix.SIGTERM) }
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil && !errors.Is(err, exec.ErrWaitDelay) {
		exec.Command(rt.Binary, append(global, "delete", "--force", id)...).Run()
		return nil, fmt.Errorf("%s run: %v: %s", rt.Name, err, lastLine(stderr.String()))
	}
	if ws.External {
		return []workload.Result{{Workload: w, Metric: ws.Metric, Better: ws.Better, Value: float64(wall.Microseconds()) / 1000}}, nil
	}
	var res workload.Result
	line := strings.TrimSpace(stdout.String())
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	if err := json.Unmarshal([]byte(line), &res); err != nil || res.Workload != w {
		return nil, fmt.Errorf("%s: no result from the workload (stdout %q, stderr %q)", rt.Name, lastLine(stdout.String()), lastLine(stderr.String()))
	}
	out := []workload.Result{res}
	if reserved != nil {
		cancel() // ends the sampling
		mib := <-reserved
		if mib == 0 {
			return nil, fmt.Errorf("%s: the memory limit of %s was never readable", rt.Name, cgPath)
		}
		out = append(out, workload.Result{Workload: w + "/reserved", Metric: "MiB reserved (avg)", Better: "lower", Value: mib})
	}
	return out, nil
}

func pickInt(quick bool, q, full int) int {
	if quick {
		return q
	}
	return full
}

func pickDur(quick bool, q, full time.Duration) time.Duration {
	if quick {
		return q
	}
	return full
}

// lastLine is the end of a command's output, bounded, for error messages.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// cleanup removes the work directory, undoing gVisor's null-netns mounts.
func cleanup(work string) {
	roots, _ := filepath.Glob(filepath.Join(work, "root-*"))
	for _, r := range roots {
		for unix.Unmount(filepath.Join(r, "null-netns"), unix.MNT_DETACH) == nil {
		}
	}
	os.RemoveAll(work)
}

func machine(ctx context.Context) Machine {
	info := host.Discover(ctx, host.Options{Root: "/"})
	name, _ := os.Hostname()
	return Machine{Hostname: name, Arch: runtime.GOARCH, Kernel: info.Kernel.Value, CPUModel: info.CPUModel.Value,
		Cores: info.Cores.Value, MemoryBytes: info.MemoryBytes.Value, Virtualized: info.Virtualized.Value, Board: info.Board.Value}
}
