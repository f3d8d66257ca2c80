package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
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

	"github.com/google/subcommands"
	"go.uber.org/zap"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/control"
	"github.com/go-os-agent/runsc-ai/llmkernel/history"
	"github.com/go-os-agent/runsc-ai/llmkernel/inproc"
	"github.com/go-os-agent/runsc-ai/llmkernel/live"
	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

// agentCmd implements `runsc-ai agent` (the node daemon) and
// `runsc-ai agent status`.
type agentCmd struct {
	noSpec
	opts    *aiOptions
	socket  string
	metrics string
	poll    time.Duration
	forget  time.Duration
	json    bool
	decide  bool
	window  time.Duration
	history string
	be      backendFlags
}

func (*agentCmd) Name() string     { return "agent" }
func (*agentCmd) Synopsis() string { return "run the node agent, or ask it for its status" }
func (*agentCmd) Usage() string {
	return `agent [--socket PATH] [--metrics ADDR] [--window D] [--decide=false] [--backend auto|inproc|embedded|ollama] [--model M]
agent status [--json] [--socket PATH]

The agent reads the summaries the sandboxes' Sentry taps write to FIFOs in
<--ai-run>/tap (one per sandbox runsc-ai created) and, every window, each
sandbox's cgroup usage; it asks the decision engine (--ai-policy) about CPU,
memory and I/O per sandbox and applies accepted decisions to the sandbox's
cgroup, never beyond the OCI limits nor below the policy floors. Changes,
their reasons and measured outcomes go to --history ('runsc-ai explain ID').
It answers 'agent status' on a unix socket (0600, default
<--ai-run>/agent.sock) and serves Prometheus metrics on a loopback address.
Stopping it never affects a sandbox: taps drop summaries while no agent
reads, applied settings stay, and a restarted agent finds the sandboxes again
(through their runsc state) and resumes.
`
}

func (c *agentCmd) SetFlags(f *flag.FlagSet) {
	f.StringVar(&c.socket, "socket", "", "control socket (default <--ai-run>/agent.sock)")
	f.StringVar(&c.metrics, "metrics", "127.0.0.1:9464", "Prometheus metrics address, loopback only; empty: off")
	f.DurationVar(&c.poll, "poll", 250*time.Millisecond, "how often the tap FIFOs are read")
	f.DurationVar(&c.forget, "forget", 10*time.Minute, "forget a sandbox not heard from for this long")
	f.BoolVar(&c.json, "json", false, "status: print JSON")
	f.BoolVar(&c.decide, "decide", true, "decide and apply; false only observes")
	f.DurationVar(&c.window, "window", time.Second, "decision window: how often each sandbox is measured and decided on")
	f.StringVar(&c.history, "history", "", "decision history database (default <--ai-state>/live.db)")
	c.be.register(f, "auto")
}

func (c *agentCmd) historyPath() string {
	if c.history != "" {
		return c.history
	}
	return filepath.Join(c.opts.state, "live.db")
}

func (c *agentCmd) socketPath() string {
	if c.socket != "" {
		return c.socket
	}
	return filepath.Join(c.opts.run, "agent.sock")
}

func (c *agentCmd) Execute(ctx context.Context, f *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	switch {
	case f.NArg() == 0:
		if err := c.serve(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "agent: %v\n", err)
			return subcommands.ExitFailure
		}
		return subcommands.ExitSuccess
	case f.Arg(0) == "status":
		// Flags may follow the word: agent status --json.
		sf := flag.NewFlagSet("agent status", flag.ContinueOnError)
		sf.BoolVar(&c.json, "json", c.json, "print JSON")
		sf.StringVar(&c.socket, "socket", c.socket, "the agent's control socket")
		if err := sf.Parse(f.Args()[1:]); err != nil || sf.NArg() != 0 {
			return subcommands.ExitUsageError
		}
		if err := c.status(os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "agent status: %v\n", err)
			return subcommands.ExitFailure
		}
		return subcommands.ExitSuccess
	default:
		f.Usage()
		return subcommands.ExitUsageError
	}
}

// agentStatus is what `agent status` returns.
type agentStatus struct {
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
	Stats     live.TapStats          `json:"stats"`
	Sandboxes []live.Sandbox         `json:"sandboxes"`
	Deciding  bool                   `json:"deciding"`
	Loop      control.LoopStats      `json:"loop"`
	Engine    *llmkernel.EngineStats `json:"engine,omitempty"`
	Managed   []control.TargetState  `json:"managed"`
	Unmanaged map[string]string      `json:"unmanaged,omitempty"` // sandbox -> why
}

// agent is the running daemon.
type agent struct {
	state   *live.State
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
	model     string
	modelNote string
	inference func() inproc.InferenceStats
	window    time.Duration
	mu        sync.Mutex
	unmanaged map[string]string
}

func (c *agentCmd) serve(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	logger, err := zap.NewProduction()
	if err != nil {
		return err
	}
	defer logger.Sync()
	a := &agent{state: live.New(), reader: summary.NewReader(c.opts.tapDir()), log: logger, started: time.Now(),
		tapDir: c.opts.tapDir(), window: c.window, model: "fast-tier"}
	defer a.reader.Close()
	if err := os.MkdirAll(c.opts.tapDir(), 0o700); err != nil {
		return err
	}
	if c.window < 100*time.Millisecond {
		return fmt.Errorf("--window %v: at least 100ms", c.window)
	}
	if c.decide {
		stop, err := c.startLoop(a, logger)
		if err != nil {
			return err
		}
		defer stop()
	}
	ln, err := listenUnix(c.socketPath())
	if err != nil {
		return err
	}
	defer ln.Close()
	go a.serveControl(ln)
	if c.metrics != "" {
		mln, err := listenLoopback(c.metrics)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: http.HandlerFunc(a.serveMetrics), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(mln)
		defer srv.Close()
		logger.Info("metrics", zap.String("addr", mln.Addr().String()))
	}
	logger.Info("agent started", zap.String("socket", c.socketPath()), zap.String("tap_dir", a.tapDir), zap.Bool("deciding", a.engine != nil))
	tick := time.NewTicker(c.poll)
	defer tick.Stop()
	win := time.NewTicker(c.window)
	defer win.Stop()
	for {
		select {
		case <-ctx.Done():
			logger.Info("agent stopping")
			return nil
		case now := <-tick.C:
			a.pollOnce(now)
			a.state.Forget(now.Add(-c.forget))
		case now := <-win.C:
			a.decideOnce(ctx, now)
		}
	}
}

func (a *agent) pollOnce(now time.Time) {
	sums, errs := a.reader.Poll()
	for _, s := range sums {
		a.state.Add(s, now)
	}
	for _, err := range errs {
		a.errors.Add(1)
		a.log.Debug("tap", zap.Error(err))
	}
	a.open.Store(int64(a.reader.Open()))
	a.foreign.Store(a.reader.Foreign)
}

func (a *agent) status() agentStatus {
	sbs, stats := a.state.Snapshot()
	st := agentStatus{
		Version: aiVersion, PID: os.Getpid(), Started: a.started, Backend: "embedded", Model: a.model, ModelNote: a.modelNote,
		TapDir: a.tapDir, FIFOsOpen: int(a.open.Load()), Errors: a.errors.Load(), Foreign: a.foreign.Load(), Stats: stats, Sandboxes: sbs,
	}
	if a.inference != nil {
		is := a.inference()
		st.Inference = &is
	}
	if a.engine != nil {
		es := a.engine.Stats()
		st.Deciding, st.Engine, st.Backend = true, &es, a.engine.Backend()
		st.Loop, st.Managed = a.loop.Snapshot()
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
	}
}

// errNoAgent: nothing answers on the agent's socket.
var errNoAgent = errors.New("no agent")

// askAgent sends one request line to the agent on sock and decodes its JSON
// answer into v.
func askAgent(sock, req string, v any) error {
	conn, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		return fmt.Errorf("%w at %s: %w", errNoAgent, sock, err)
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

// status asks a running agent.
func (c *agentCmd) status(out io.Writer) error {
	var st agentStatus
	if err := askAgent(c.socketPath(), "status", &st); err != nil {
		return err
	}
	if c.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	fmt.Fprintf(out, "agent %s, pid %d, up %v; backend %s, model %s\n", st.Version, st.PID, time.Since(st.Started).Round(time.Second), st.Backend, st.Model)
	if st.ModelNote != "" {
		fmt.Fprintf(out, "model: %s\n", st.ModelNote)
	}
	if in := st.Inference; in != nil {
		fmt.Fprintf(out, "inference: %d answers, %v of CPU on %d threads at %s; paused %d times by the CPU budget, %d by the thermal guard\n",
			in.Inferences, in.CPU.Round(time.Millisecond), in.Threads, in.Priority, in.BudgetPauses, in.GatePauses)
		if in.LastPause != "" {
			fmt.Fprintf(out, "last pause: %s\n", in.LastPause)
		}
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
	tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MANAGED\tEVIDENCE\tCPU\tMEM\tLATENCY NEED\tCPU SHARES\tMEMORY LIMIT\tLAST CHANGE")
	for _, m := range st.Managed {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%d/%d\t%s/%s\t%s\n", short(m.Sandbox), m.Evidence, m.Features["cpu_util"], m.Features["mem_util"],
			m.Features["latency_need"], m.Current.CPUShares, m.Ceiling.CPUShares, mib(m.Current.MemoryBytes), mib(m.Ceiling.MemoryBytes), m.Last)
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
