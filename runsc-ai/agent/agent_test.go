package agent

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/control"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
	"github.com/go-os-agent/runsc-ai/platform/cgroup"
	"github.com/go-os-agent/runsc-ai/platform/host"
	"github.com/go-os-agent/runsc-ai/policies"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
	"github.com/go-os-agent/runsc-ai/sentry/tap"
)

// observer is an agent that observes only (no engine), as --decide=false.
func observer(t *testing.T) *agent {
	dir := t.TempDir()
	r := summary.NewReader(dir)
	t.Cleanup(func() { r.Close() })
	return &agent{state: newSandboxes(), reader: r, log: zap.NewNop(), started: time.Now(), tapDir: dir, model: "fast-tier"}
}

// serving starts the control protocol on a socket in a fresh directory.
func serving(t *testing.T, a *agent) string {
	sock := filepath.Join(t.TempDir(), "run", "agent.sock")
	ln, err := listenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go a.serveControl(ln)
	return sock
}

func TestControlProtocol(t *testing.T) {
	a := observer(t)
	sock := serving(t, a)
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode: %v %v", fi, err)
	}
	var st Status
	if err := Ask(sock, "status", &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != node.Version || st.PID != os.Getpid() || st.Deciding || st.Model != "fast-tier" || st.TapDir != a.tapDir {
		t.Errorf("status: %+v", st)
	}
	var ans liveAnswer
	if err := Ask(sock, "explain ../../etc", &ans); err != nil || ans.Error == "" {
		t.Errorf("a bad container ID must be refused: %+v %v", ans, err)
	}
	if err := Ask(sock, "explain c1", &ans); err != nil || !strings.Contains(ans.Error, "not deciding") {
		t.Errorf("explain without an engine: %+v %v", ans, err)
	}
	var other map[string]string
	if err := Ask(sock, "rm -rf /", &other); err != nil || other["error"] != "unknown request" {
		t.Errorf("unknown request: %v %v", other, err)
	}
	// A request line longer than the protocol reads is cut, answered as
	// unknown, and does not hold the connection.
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "status%s\n", strings.Repeat("x", 1<<20))
	b, _ := io.ReadAll(conn)
	conn.Close()
	if !strings.Contains(string(b), "unknown request") && len(b) != 0 {
		t.Errorf("oversized request: %q", b)
	}
}

func TestSocketIsNeverStolen(t *testing.T) {
	sock := serving(t, observer(t))
	if _, err := listenUnix(sock); err == nil || !strings.Contains(err.Error(), "another agent") {
		t.Errorf("a second agent on a live socket: %v", err)
	}
	// A stale socket (no agent answering) is replaced.
	stale := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	ln2, err := listenUnix(stale)
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	ln2.Close()
	if err := Ask(filepath.Join(t.TempDir(), "none.sock"), "status", &Status{}); err == nil || !strings.Contains(err.Error(), ErrNoAgent.Error()) {
		t.Errorf("no agent: %v", err)
	}
}

func TestMetricsOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "10.1.2.3:0", ":0", "example.com:9464", "nonsense"} {
		if ln, err := listenLoopback(addr); err == nil {
			ln.Close()
			t.Errorf("%s accepted", addr)
		}
	}
	ln, err := listenLoopback("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
}

func TestMetrics(t *testing.T) {
	a := observer(t)
	w := httptest.NewRecorder()
	a.serveMetrics(w, httptest.NewRequest("GET", "/metrics", nil))
	body := w.Body.String()
	for _, want := range []string{"runsc_ai_agent_summaries_total 0", "runsc_ai_agent_sandboxes 0", "# TYPE runsc_ai_syscalls_total counter"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "runsc_ai_decisions_total") {
		t.Error("an observing agent reports decision metrics")
	}
	w = httptest.NewRecorder()
	a.serveMetrics(w, httptest.NewRequest("GET", "/other", nil))
	if w.Code != 404 {
		t.Errorf("/other: %d", w.Code)
	}
	// The decision metrics, from a status with a loop's counters.
	var buf strings.Builder
	st := Status{Engine: &llmkernel.EngineStats{Decisions: map[string]map[string]uint64{"cpu": {"fast": 3}}},
		Loop: control.LoopStats{AppliedByKind: map[string]uint64{"cpu": 2}}}
	writeDecisionMetrics(&buf, &st)
	for _, want := range []string{`runsc_ai_decisions_total{kind="cpu",tier="fast"} 3`, `runsc_ai_applied_total{kind="cpu"} 2`, `runsc_ai_decision_seconds_bucket{le="+Inf"} 0`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("decision metrics lack %q:\n%s", want, buf.String())
		}
	}
}

// A sandbox whose runsc state cannot be read is listed as unmanaged with
// why, retried later, and forgotten once its FIFO goes.
func TestTargetsResolution(t *testing.T) {
	dir := t.TempDir()
	ts := newTargets(dir, newCgroupHost(llmkernel.Resources{}))
	f, err := tap.Prepare(dir, "sb1", filepath.Join(t.TempDir(), "no-runsc-root"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600) // not a FIFO's name: ignored
	now := time.Now()
	got, skipped := ts.list(now)
	if len(got) != 0 || !strings.Contains(skipped["sb1"], "runsc state") || len(skipped) != 1 {
		t.Fatalf("targets %v, unmanaged %v", got, skipped)
	}
	// Retried soon, then less and less often, at most every retryResolve.
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}
	at := now // the failed load
	for i, d := range want {
		r := ts.known["sb1"]
		if !r.retry.Equal(at.Add(d)) {
			t.Errorf("failure %d: retry after %v, want %v", i+1, r.retry.Sub(at), d)
		}
		at = r.retry.Add(time.Millisecond)
		ts.list(at)
	}
	if backoff(5) > retryResolve || backoff(50) != retryResolve || backoff(0) != firstRetry {
		t.Errorf("backoff %v %v %v", backoff(0), backoff(5), backoff(50))
	}
	tap.Remove(dir, "sb1")
	if _, err := os.Stat(f.FIFO); err == nil {
		t.Fatal("FIFO still there")
	}
	if _, skipped := ts.list(now); len(skipped) != 0 || len(ts.known) != 0 {
		t.Errorf("a gone sandbox is remembered: %v %v", skipped, ts.known)
	}
}

// The baseline is read from the tap directory when an earlier agent wrote
// it, and a damaged one is an error naming the file, not a zero baseline.
func TestBaselineFile(t *testing.T) {
	ts := newTargets(t.TempDir(), newCgroupHost(llmkernel.Resources{}))
	path := filepath.Join(t.TempDir(), "sb.baseline")
	want := llmkernel.Resources{CPUShares: 1024, MemoryBytes: 512 << 20}
	b, _ := json.Marshal(want)
	os.WriteFile(path, b, 0o600)
	got, err := ts.baseline(path, nil, &control.Target{})
	if err != nil || got != want {
		t.Errorf("baseline %+v %v, want %+v", got, err, want)
	}
	os.WriteFile(path, []byte("{garbage"), 0o600)
	if _, err := ts.baseline(path, nil, &control.Target{}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("damaged baseline: %v", err)
	}
}

// The actuator on a real cgroup of this machine: what it applies is what
// it samples back, and a new baseline is written once.
func TestActuatorOnARealCgroup(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to make cgroups")
	}
	path := fmt.Sprintf("/runsc-ai-agent-test-%d", os.Getpid())
	dirs, err := cgroup.Dirs(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(d) })
	}
	h := newCgroupHost(llmkernel.Resources{CPUShares: 2})
	tgt := &control.Target{Sandbox: "sb", Cgroup: path}
	set := llmkernel.Resources{CPUShares: 512, MemoryBytes: 256 << 20, CPUQuotaPct: 150}
	if err := h.Apply(t.Context(), tgt, set); err != nil {
		t.Fatal(err)
	}
	s, err := h.Sample(t.Context(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if s.Current.CPUShares != 512 || s.Current.MemoryBytes != 256<<20 || s.Current.CPUQuotaPct != 150 || s.CPUs == 0 {
		t.Errorf("sampled %+v after applying %+v", s.Current, set)
	}
	ts := newTargets(t.TempDir(), h)
	cg, err := h.cgroup(path)
	if err != nil {
		t.Fatal(err)
	}
	bpath := filepath.Join(t.TempDir(), "sb.baseline")
	b1, err := ts.baseline(bpath, cg, tgt)
	if err != nil || b1.CPUShares != 512 {
		t.Fatalf("baseline %+v %v", b1, err)
	}
	h.Apply(t.Context(), tgt, llmkernel.Resources{CPUShares: 256})
	if b2, err := ts.baseline(bpath, cg, tgt); err != nil || b2 != b1 {
		t.Errorf("the baseline moved with the settings: %+v, was %+v (%v)", b2, b1, err)
	}
}

// The agent folds the runs commands journaled into the create-time history,
// so a node with an agent keeps its create-time decisions current.
func TestAgentFoldsTheCreateJournal(t *testing.T) {
	dir := t.TempDir()
	pol := policies.Default()
	a := &agent{log: zap.NewNop(), policy: &pol, createDir: filepath.Join(dir, "create")}
	a.foldCreateHistory() // no history on this node yet: nothing to do
	st, err := sandboxconf.Open(a.createDir)
	if err != nil {
		t.Fatal(err)
	}
	r := sandboxconf.Run{ContainerID: "c1", At: time.Now().UTC(), Profile: "profile_default", Measure: "run", StartupMs: 100}
	if _, err := st.Finish("img", r); err != nil {
		t.Fatal(err)
	}
	if d, _ := st.Digest("img"); d.Runs != 0 || !st.Journaled() {
		t.Fatalf("before the agent's fold: %d runs, journaled %v", d.Runs, st.Journaled())
	}
	a.foldCreateHistory()
	if d, _ := st.Digest("img"); d.Runs != 1 || st.Journaled() {
		t.Errorf("after the agent's fold: %d runs, journaled %v", d.Runs, st.Journaled())
	}
}

// A host without the memory controller: agent status says which
// controllers are missing and how to get them back.
func TestStatusNamesMissingCgroups(t *testing.T) {
	a := observer(t)
	a.cgroups = host.Cgroups{Version: "v2", Controllers: []string{"cpu", "cpuset", "io", "pids"}, Missing: []string{"memory"}}
	sock := serving(t, a)
	var out strings.Builder
	if err := PrintStatus(&out, sock, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "cgroups: missing memory: ") || !strings.Contains(out.String(), "cgroup_enable=memory cgroup_memory=1") {
		t.Errorf("status:\n%s", out.String())
	}
	a.cgroups = host.Cgroups{Version: "v2", Controllers: []string{"cpu", "cpuset", "io", "memory", "pids"}}
	out.Reset()
	if err := PrintStatus(&out, sock, false); err != nil || strings.Contains(out.String(), "cgroups:") {
		t.Errorf("status with every controller (%v):\n%s", err, out.String())
	}
}
