// Package agent is the node agent (`runsc-ai agent`): it reads the summaries
// the sandboxes' Sentry taps write to FIFOs (llmkernel/summary,
// llmkernel/live), measures each sandbox's cgroup every window and runs the
// live decision loop (llmkernel/control) with an llmkernel.Engine, applying
// accepted decisions to the sandbox's cgroup through platform/cgroup (the
// loop's control.Actuator, cgroups.go). It answers `agent status` and
// `explain` on a unix socket and serves Prometheus metrics on loopback.
// Package main only parses its flags.
package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"go.uber.org/zap"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/control"
	"github.com/go-os-agent/runsc-ai/llmkernel/history"
	"github.com/go-os-agent/runsc-ai/llmkernel/inproc"
	"github.com/go-os-agent/runsc-ai/llmkernel/profile"
	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
	"github.com/go-os-agent/runsc-ai/platform/host"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// Config is how the agent runs: the flags of `runsc-ai agent`.
type Config struct {
	Node    *node.Options // paths (--ai-run, --ai-state) and the policy
	Socket  string        // control socket; empty: Node.AgentSocket()
	Metrics string        // loopback address for Prometheus metrics; empty: off
	Poll    time.Duration // how often the tap FIFOs are read
	Forget  time.Duration // forget a sandbox not heard from for this long
	Decide  bool          // decide and apply; false only observes
	Window  time.Duration // decision window
	// Recheck is how often, between windows, the CPU time of the sandboxes
	// whose weight a change of role makes wrong is read and decided on
	// (control.Loop.Recheck); 0, or not shorter than Window: off, CPU is
	// decided every window only.
	Recheck time.Duration
	History string            // decision history; empty: Node.History()
	Backend node.BackendFlags // the deep tier
}

func (c *Config) historyPath() string {
	if c.History != "" {
		return c.History
	}
	return c.Node.History()
}

// SocketPath is the control socket the agent listens on.
func (c *Config) SocketPath() string {
	if c.Socket != "" {
		return c.Socket
	}
	return c.Node.AgentSocket()
}

// Status is what `agent status` returns.
type Status struct {
	Version   string                 `json:"version"`
	PID       int                    `json:"pid"`
	Started   time.Time              `json:"started"`
	Backend   string                 `json:"backend"`
	Model     string                 `json:"model"`
	ModelNote string                 `json:"model_note,omitempty"` // why this backend (auto: why no model)
	Inference *inproc.InferenceStats `json:"inference,omitempty"`  // the in-process model's work
	TapDir    string                 `json:"tap_dir"`
	FIFOsOpen int                    `json:"fifos_open"`
	Errors    uint64                 `json:"errors"`  // bad summaries and unreadable FIFOs
	Foreign   uint64                 `json:"foreign"` // lines dropped: they claimed another sandbox than their FIFO's
	Stats     TapStats               `json:"stats"`
	Sandboxes []Sandbox              `json:"sandboxes"`
	Deciding  bool                   `json:"deciding"`
	Loop      control.LoopStats      `json:"loop"`
	Engine    *llmkernel.EngineStats `json:"engine,omitempty"`
	Managed   []control.TargetState  `json:"managed"`
	Unmanaged map[string]string      `json:"unmanaged,omitempty"` // sandbox -> why
	// CgroupsMissing are the controllers the actuators turn that this host
	// lacks, and CgroupsAdvice what that costs and how to fix it.
	CgroupsMissing []string `json:"cgroups_missing,omitempty"`
	CgroupsAdvice  string   `json:"cgroups_advice,omitempty"`
	// Security is what the behaviour watcher found (with decisions on).
	Security *Security `json:"security,omitempty"`
}

// agent is the running daemon.
type agent struct {
	state   *sandboxes
	reader  *summary.Reader
	log     *zap.Logger
	started time.Time
	tapDir  string
	errors  atomic.Uint64
	foreign atomic.Uint64
	open    atomic.Int64

	engine    *llmkernel.Engine // nil: observing only
	loop      *control.Loop
	targets   *targets
	store     *history.DB
	policy    *llmkernel.Policy
	createDir string // the create-time history, whose journal the agent folds
	model     string
	modelNote string
	inference func() inproc.InferenceStats
	watch     *profile.Watcher  // nil: observing only
	enforced  map[string]uint64 // sandboxes paused, killed, failed (under mu)
	window    time.Duration
	mu        sync.Mutex
	unmanaged map[string]string
	// amending serialises changes to recorded security decisions (an
	// enforcement's outcome, a triage note), which arrive from different
	// goroutines.
	amending sync.Mutex
	cgroups  host.Cgroups // this host's, discovered at start
}

// Run runs the agent until ctx is done or SIGINT/SIGTERM.
func Run(ctx context.Context, c *Config) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	logger, err := zap.NewProduction()
	if err != nil {
		return err
	}
	defer logger.Sync()
	if c.Window < 100*time.Millisecond {
		return fmt.Errorf("--window %v: at least 100ms", c.Window)
	}
	if c.Recheck != 0 && c.Recheck < 50*time.Millisecond {
		return fmt.Errorf("--recheck %v: 0 (off) or at least 50ms", c.Recheck)
	}
	if c.Recheck >= c.Window {
		c.Recheck = 0 // the window itself is as often
	}
	tapDir := c.Node.TapDir()
	a := &agent{state: newSandboxes(), reader: summary.NewReader(tapDir), log: logger, started: time.Now(),
		tapDir: tapDir, window: c.Window, model: "fast-tier"}
	if info := host.Discover(ctx, host.Options{Root: "/"}); info.Cgroup.OK() {
		a.cgroups = info.Cgroup.Value
		if adv := a.cgroups.Advice(); adv != "" {
			logger.Warn("cgroups", zap.Strings("missing", a.cgroups.Missing), zap.String("advice", adv))
		}
	}
	defer a.reader.Close()
	if err := os.MkdirAll(tapDir, 0o700); err != nil {
		return err
	}
	if c.Decide {
		stop, err := a.startLoop(c)
		if err != nil {
			return err
		}
		defer stop()
	}
	ln, err := listenUnix(c.SocketPath())
	if err != nil {
		return err
	}
	defer ln.Close()
	go a.serveControl(ln)
	if c.Metrics != "" {
		mln, err := listenLoopback(c.Metrics)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: http.HandlerFunc(a.serveMetrics), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(mln)
		defer srv.Close()
		logger.Info("metrics", zap.String("addr", mln.Addr().String()))
	}
	logger.Info("agent started", zap.String("socket", c.SocketPath()), zap.String("tap_dir", a.tapDir), zap.Bool("deciding", a.engine != nil))
	tick := time.NewTicker(c.Poll)
	defer tick.Stop()
	win := time.NewTicker(c.Window)
	defer win.Stop()
	var recheck <-chan time.Time // nil: never
	if c.Recheck > 0 && a.loop != nil {
		t := time.NewTicker(c.Recheck)
		defer t.Stop()
		recheck = t.C
	}
	for {
		select {
		case <-ctx.Done():
			logger.Info("agent stopping")
			return nil
		case now := <-tick.C:
			a.pollOnce(now)
			a.state.Forget(now.Add(-c.Forget))
		case now := <-win.C:
			a.decideOnce(ctx, now)
		case now := <-recheck:
			a.recheckOnce(ctx, now)
		}
	}
}

func (a *agent) pollOnce(now time.Time) {
	sums, errs := a.reader.Poll()
	for _, s := range sums {
		a.state.Add(s, now)
		a.observe(s, now)
	}
	for _, err := range errs {
		a.errors.Add(1)
		a.log.Debug("tap", zap.Error(err))
	}
	a.open.Store(int64(a.reader.Open()))
	a.foreign.Store(a.reader.Foreign)
}

func (a *agent) status() Status {
	sbs, stats := a.state.Snapshot()
	st := Status{
		Version: node.Version, PID: os.Getpid(), Started: a.started, Backend: "embedded", Model: a.model, ModelNote: a.modelNote,
		TapDir: a.tapDir, FIFOsOpen: int(a.open.Load()), Errors: a.errors.Load(), Foreign: a.foreign.Load(), Stats: stats, Sandboxes: sbs,
		CgroupsMissing: a.cgroups.Missing, CgroupsAdvice: a.cgroups.Advice(),
	}
	if a.inference != nil {
		is := a.inference()
		st.Inference = &is
	}
	if a.engine != nil {
		es := a.engine.Stats()
		st.Deciding, st.Engine, st.Backend = true, &es, a.engine.Backend()
		st.Loop, st.Managed = a.loop.Snapshot()
		st.Security = a.securityStatus()
		a.mu.Lock()
		st.Unmanaged = a.unmanaged
		a.mu.Unlock()
	}
	return st
}

// serveControl answers one request line per connection ("status").
func (a *agent) serveControl(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			line, err := bufio.NewReader(io.LimitReader(conn, 256)).ReadString('\n')
			if err != nil && line == "" {
				return
			}
			req := strings.TrimSpace(line)
			switch {
			case req == "status":
				json.NewEncoder(conn).Encode(a.status())
			case req == "profiles":
				json.NewEncoder(conn).Encode(a.profiles())
			case strings.HasPrefix(req, "accept "):
				json.NewEncoder(conn).Encode(a.accept(strings.TrimPrefix(req, "accept ")))
			case strings.HasPrefix(req, "explain "):
				json.NewEncoder(conn).Encode(a.explain(strings.TrimPrefix(req, "explain ")))
			default:
				fmt.Fprintf(conn, "{\"error\": %q}\n", "unknown request")
			}
		}()
	}
}

func (a *agent) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/metrics" {
		http.NotFound(w, r)
		return
	}
	st := a.status()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "# HELP runsc_ai_agent_summaries_total Tap summaries received.\n# TYPE runsc_ai_agent_summaries_total counter\nrunsc_ai_agent_summaries_total %d\n", st.Stats.Summaries)
	fmt.Fprintf(w, "# HELP runsc_ai_agent_summaries_lost_total Summaries missing from the sequence (never read).\n# TYPE runsc_ai_agent_summaries_lost_total counter\nrunsc_ai_agent_summaries_lost_total %d\n", st.Stats.Lost)
	fmt.Fprintf(w, "# HELP runsc_ai_agent_summary_errors_total Bad summaries and unreadable FIFOs.\n# TYPE runsc_ai_agent_summary_errors_total counter\nrunsc_ai_agent_summary_errors_total %d\n", st.Errors)
	fmt.Fprintf(w, "# HELP runsc_ai_agent_summaries_foreign_total Summaries dropped because they claimed another sandbox than their FIFO's.\n# TYPE runsc_ai_agent_summaries_foreign_total counter\nrunsc_ai_agent_summaries_foreign_total %d\n", st.Foreign)
	fmt.Fprintf(w, "# HELP runsc_ai_agent_sandboxes Sandboxes tracked.\n# TYPE runsc_ai_agent_sandboxes gauge\nrunsc_ai_agent_sandboxes %d\n", len(st.Sandboxes))
	fmt.Fprintf(w, "# HELP runsc_ai_tap_dropped Summaries a sandbox's tap could not write (no agent reading, pipe full).\n# TYPE runsc_ai_tap_dropped gauge\n")
	for _, sb := range st.Sandboxes {
		fmt.Fprintf(w, "runsc_ai_tap_dropped{sandbox=%q} %d\n", sb.ID, sb.Dropped)
	}
	fmt.Fprintf(w, "# HELP runsc_ai_syscalls_total Syscalls by class.\n# TYPE runsc_ai_syscalls_total counter\n")
	for _, sb := range st.Sandboxes {
		for _, c := range sb.Containers {
			for k, n := range c.Totals {
				fmt.Fprintf(w, "runsc_ai_syscalls_total{sandbox=%q,container=%q,class=%q} %d\n", sb.ID, c.ID, summary.Class(k), n.Calls)
			}
		}
	}
	if st.Engine != nil {
		writeDecisionMetrics(w, &st)
		writeSecurityMetrics(w, st.Security)
	}
}

// ErrNoAgent: nothing answers on the agent's socket.
var ErrNoAgent = errors.New("no agent")

// Ask sends one request line to the agent on sock and decodes its JSON
// answer into v.
func Ask(sock, req string, v any) error {
	conn, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		return fmt.Errorf("%w at %s: %w", ErrNoAgent, sock, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, req+"\n"); err != nil {
		return fmt.Errorf("agent at %s: %w", sock, err)
	}
	if err := json.NewDecoder(io.LimitReader(conn, 64<<20)).Decode(v); err != nil {
		return fmt.Errorf("agent answer: %w", err)
	}
	return nil
}

// PrintStatus asks the agent on sock for its status and prints it: JSON,
// or tables.
func PrintStatus(out io.Writer, sock string, asJSON bool) error {
	var st Status
	if err := Ask(sock, "status", &st); err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	fmt.Fprintf(out, "agent %s, pid %d, up %v; backend %s, model %s\n", st.Version, st.PID, time.Since(st.Started).Round(time.Second), st.Backend, st.Model)
	if st.ModelNote != "" {
		fmt.Fprintf(out, "model: %s\n", st.ModelNote)
	}
	if in := st.Inference; in != nil {
		fmt.Fprintf(out, "inference: %d answers, %v of CPU on %d threads at %s; paused %d times by the CPU budget, %d by the thermal guard, %d by the contention and latency guards\n",
			in.Inferences, in.CPU.Round(time.Millisecond), in.Threads, in.Priority, in.BudgetPauses, in.GatePauses, in.ContentionPauses)
		if in.LastPause != "" {
			fmt.Fprintf(out, "last pause: %s\n", in.LastPause)
		}
		if in.PromptTokens+in.KeptTokens > 0 {
			fmt.Fprintf(out, "prompts: %d tokens evaluated, %d taken back from kept data blocks (%.1f MiB kept)\n", in.PromptTokens, in.KeptTokens, float64(in.KeptBytes)/(1<<20))
		}
	}
	if len(st.CgroupsMissing) > 0 {
		fmt.Fprintf(out, "cgroups: missing %s: %s\n", strings.Join(st.CgroupsMissing, ", "), st.CgroupsAdvice)
	}
	fmt.Fprintf(out, "taps: %d FIFOs open in %s; %d summaries, %d lost, %d errors, %d claiming another sandbox\n", st.FIFOsOpen, st.TapDir, st.Stats.Summaries, st.Stats.Lost, st.Errors, st.Foreign)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SANDBOX\tCONTAINER\tWINDOWS\tSYSCALLS/S\tFILE I/O\tNETWORK\tMEMORY\tBLOCKING\tWAKEUPS\tPROCESS\tDROPPED")
	for _, sb := range st.Sandboxes {
		for _, ct := range sb.Containers {
			t := ct.Totals
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", short(sb.ID), short(ct.ID), sb.Windows, ct.RatePerSec,
				t[summary.FileIO].Calls, t[summary.Network].Calls, t[summary.Memory].Calls, t[summary.Blocking].Calls, t[summary.Wakeups].Calls, t[summary.Process].Calls, sb.Dropped)
		}
	}
	if err := tw.Flush(); err != nil || !st.Deciding {
		return err
	}
	fmt.Fprintf(out, "\ndecisions every window: %d applied, %d rejected by guardrails, %d apply errors, %d outcomes measured\n",
		st.Loop.Applied, st.Loop.Rejected, st.Loop.ApplyErrors, st.Loop.Outcomes)
	if s := st.Security; s != nil {
		n := 0
		for _, c := range s.Counts {
			for _, k := range c {
				n += int(k)
			}
		}
		fmt.Fprintf(out, "security: %d anomalies reported, %d held back by the rate limit", n, s.Limited)
		if len(s.Enforced) > 0 {
			fmt.Fprintf(out, "; enforced: %d paused, %d killed, %d failed", s.Enforced["pause"], s.Enforced["kill"], s.Enforced["failed"])
		}
		fmt.Fprintln(out)
		for _, r := range s.Recent[max(0, len(s.Recent)-5):] {
			fmt.Fprintf(out, "  %s\n", r)
		}
	}
	if n := st.Loop.SandboxWindows; n > 0 {
		fmt.Fprintf(out, "coverage: decided for %d of %d sandbox-windows (%.1f%%); a window over all sandboxes takes %v on average\n",
			st.Loop.Decided, n, 100*float64(st.Loop.Decided)/float64(n), st.Loop.WindowLatency.Mean().Round(time.Microsecond))
	}
	tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MANAGED\tEVIDENCE\tCPU\tMEM\tLATENCY NEED\tCPU SHARES\tMEMORY LIMIT\tIMAGE PEAK\tLAST CHANGE")
	for _, m := range st.Managed {
		peak := "-"
		if m.PeakMemory > 0 {
			peak = mib(m.PeakMemory)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%d/%d\t%s/%s\t%s\t%s\n", short(m.Sandbox), m.Evidence, m.Features["cpu_util"], m.Features["mem_util"],
			m.Features["latency_need"], m.Current.CPUShares, m.Ceiling.CPUShares, mib(m.Current.MemoryBytes), mib(m.Ceiling.MemoryBytes), peak, m.Last)
	}
	for _, id := range slices.Sorted(maps.Keys(st.Unmanaged)) {
		fmt.Fprintf(tw, "%s\tunmanaged: %s\n", short(id), st.Unmanaged[id])
	}
	return tw.Flush()
}

func mib(b uint64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%dMiB", b>>20)
}

func short(id string) string {
	if len(id) > 16 {
		return id[:16]
	}
	return id
}

// listenUnix listens on a 0600 socket, replacing a stale one (no agent
// answering) but never a live agent's.
func listenUnix(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
		conn.Close()
		return nil, fmt.Errorf("another agent is serving %s", path)
	}
	os.Remove(path)
	old := syscall.Umask(0o177)
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// listenLoopback refuses any address that is not loopback: the metrics name
// containers and describe what they do.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("metrics address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("metrics address %q: not a loopback address", addr)
	}
	return net.Listen("tcp", addr)
}
