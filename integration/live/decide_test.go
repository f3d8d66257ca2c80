package live_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
	"github.com/go-os-agent/runsc-ai/integration/testenv"
	"github.com/go-os-agent/runsc-ai/platform/cgroup"
	"github.com/go-os-agent/runsc-ai/policies"
)

// cgroupRoot makes a parent cgroup path for the test's sandboxes and
// removes what is left of it at the end (children first).
func cgroupRoot(t *testing.T, children ...string) string {
	t.Helper()
	parent := fmt.Sprintf("/runsc-ai-live-test-%d", os.Getpid())
	dirs, err := cgroup.Dirs(parent)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, d := range dirs {
			for _, c := range children {
				os.Remove(filepath.Join(d, c))
			}
			os.Remove(d)
		}
	})
	return parent
}

// knobs reads a cgroup's CPU weight and memory limit from the files, as
// the kernel keeps them: on cgroup v1 cpu.shares and memory.limit_in_bytes,
// on v2 cpu.weight and memory.max. weight maps CPU shares to what the CPU
// file holds (runc's v2 conversion, written out here as the oracle).
type knobs struct {
	cpu, mem func() uint64
	weight   func(shares uint64) uint64
}

func cgroupKnobs(t *testing.T, path string) knobs {
	read := func(file string) func() uint64 {
		return func() uint64 {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			return v
		}
	}
	if _, err := os.Stat("/sys/fs/cgroup/cpu/cpu.shares"); err == nil {
		return knobs{read(filepath.Join("/sys/fs/cgroup/cpu", path, "cpu.shares")), read(filepath.Join("/sys/fs/cgroup/memory", path, "memory.limit_in_bytes")),
			func(s uint64) uint64 { return s }}
	}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return knobs{read(filepath.Join("/sys/fs/cgroup", path, "cpu.weight")), read(filepath.Join("/sys/fs/cgroup", path, "memory.max")),
			func(s uint64) uint64 { return 1 + (s-2)*9999/262142 }}
	}
	t.Skip("needs cgroup v1 cpu and memory hierarchies or cgroup v2 at /sys/fs/cgroup")
	return knobs{}
}

func waitFile(t *testing.T, what string, d time.Duration, read func() uint64, ok func(uint64) bool) uint64 {
	t.Helper()
	deadline := time.Now().Add(d)
	var v uint64
	for time.Now().Before(deadline) {
		if v = read(); ok(v) {
			return v
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: still %d after %v", what, v, d)
	return 0
}

// The agent, with the embedded default policy, decides on a running
// sandbox and changes its real cgroup: a CPU hog that never waits gets
// fewer CPU shares and a sandbox far below its memory limit gets a tighter
// one. Killing the agent leaves the sandbox and the settings; a restarted
// agent finds it again from its runsc state and goes on. explain shows the
// decisions with their reasons and outcomes.
func TestAgentDecidesOnCgroups(t *testing.T) {
	env, rt, run := withCgroups(t)
	parent := cgroupRoot(t, "hog")
	path := parent + "/hog"
	const limit = 512 << 20
	bundle := testenv.NewBundle(t, env, []string{"sh", "-c", "while :; do :; done & while :; do :; done"}, func(s *specs.Spec) {
		s.Linux.CgroupsPath = path
		// Shares set explicitly: v1's default, and on v2 (whose default
		// weight, 100, is not v1's default of 1024 shares) runc's weight
		// for it.
		l, shares := int64(limit), uint64(1024)
		s.Linux.Resources = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &l}, CPU: &specs.LinuxCPU{Shares: &shares}}
	})
	id := "live-hog"
	startSandbox(t, rt, bundle, id)
	k := cgroupKnobs(t, path)
	shares, memLimit := k.cpu, k.mem
	if s, m := shares(), memLimit(); s != k.weight(1024) || m != limit {
		t.Fatalf("start: cpu weight %d (want %d for 1024 shares), memory limit %d", s, k.weight(1024), m)
	}

	a := startAgent(t, env.RunscAI, run, rt, "--window=500ms")
	s1 := waitFile(t, "cpu weight of a CPU hog", 30*time.Second, shares, func(v uint64) bool { return v < k.weight(1024) })
	waitFile(t, "memory limit of a sandbox far below it", 30*time.Second, memLimit, func(v uint64) bool { return v < limit })
	// What was applied, step by step, from the agent's history (a busy
	// machine may have made several changes before the files were read).
	cpu, mem := appliedChanges(t, run, id, "cpu shares"), appliedChanges(t, run, id, "memory limit")
	if len(cpu) == 0 || cpu[0] != [2]uint64{1024, 103} {
		t.Errorf("cpu changes %v: want the first 1024 -> 103 (the rule's 90%% step)", cpu)
	}
	for _, c := range mem {
		if c[1] < c[0]*3/4 || c[1] < 64<<20 || c[0] > limit {
			t.Errorf("memory change %d -> %d: more than the 25%% step, below the floor or above the OCI limit", c[0], c[1])
		}
	}
	if len(mem) == 0 || mem[0][0] != limit {
		t.Errorf("memory changes %v: want the first from the OCI limit %d", mem, limit)
	}

	// Kill the agent: the sandbox runs on with the settings applied.
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.cmd.Wait()
	time.Sleep(time.Second)
	if res := rt.MustRun(t, "state", id); !strings.Contains(res.Stdout, `"running"`) {
		t.Fatalf("sandbox not running after the agent was killed: %s", res.Stdout)
	}
	if s := shares(); s > s1 {
		t.Errorf("cpu weight went back to %d without an agent", s)
	}
	// A new agent finds the sandbox through its runsc state and goes on
	// cutting (the guardrails' floor is 64), never above the start value.
	metrics := fmt.Sprintf("127.0.0.1:%d", testenv.FreePorts(t, 1)[0])
	b := startAgent(t, env.RunscAI, run, rt, "--window=500ms", "--metrics="+metrics)
	s2 := waitFile(t, "cpu weight after the agent restarted", 30*time.Second, shares, func(v uint64) bool { return v < s1 })
	if s2 < k.weight(64) {
		t.Errorf("cpu weight %d below the policy floor's %d", s2, k.weight(64))
	}
	time.Sleep(3 * time.Second) // the first change's outcome is measured 3 windows later
	out, err := exec.Command(env.RunscAI, "--root="+rt.Root, "--ai-run="+run, "--ai-state="+rt.AIState, "explain", id).CombinedOutput()
	if err != nil {
		t.Fatalf("explain: %v: %s", err, out)
	}
	// The cut is cpu_hog_yields', or on a busy host (CI runs the benchmark
	// beside this) cpu_hog_waits'.
	for _, want := range []string{"live decisions", "lower_shares", "cpu shares 1024 -> 103", "policy rule cpu_hog_",
		"lower_limit", "memory limit 536870912 -> ", "reward "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
	t.Logf("explain:\n%s", out)
	st, err := b.statusRaw()
	if err != nil {
		t.Fatal(err)
	}
	if !st.Deciding || st.Loop.Applied == 0 || len(st.Managed) != 1 || st.Managed[0].Sandbox != id || st.Managed[0].Evidence < 3 {
		t.Errorf("agent status after the restart: deciding %v, applied %d, managed %+v", st.Deciding, st.Loop.Applied, st.Managed)
	}
	resp, err := http.Get("http://" + metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`runsc_ai_applied_total{kind="cpu"} `, `runsc_ai_decisions_total{kind="memory",tier="policy"} `,
		"runsc_ai_decision_seconds_count ", "runsc_ai_managed_sandboxes 1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	// With no agent running, explain reads the history itself.
	b.cmd.Process.Signal(syscall.SIGTERM)
	b.cmd.Wait()
	out, err = exec.Command(env.RunscAI, "--root="+rt.Root, "--ai-run="+run, "--ai-state="+rt.AIState, "explain", id).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "live.db") || !strings.Contains(string(out), "lower_shares") {
		t.Errorf("explain without an agent: %v:\n%s", err, out)
	}
}

// A CPU hog's weight, cut, comes back whole as soon as it stops computing —
// at the next recheck (--recheck, 100 ms by default), not at the next
// window (3 s here): a batch job that turns into a service must not wait a
// window for its weight while a neighbour's work is ahead of its requests.
func TestAgentGivesAWeightBackBetweenWindows(t *testing.T) {
	env, rt, run := withCgroups(t)
	parent := cgroupRoot(t, "swap", "load")
	path := parent + "/swap"
	// Two spinning loops until /tmp/stop exists; then only a sleep.
	spin := `while [ ! -e /tmp/stop ]; do :; done`
	bundle := testenv.NewBundle(t, env, []string{"sh", "-c", spin + " & " + spin + " & sleep 600"}, func(s *specs.Spec) {
		s.Linux.CgroupsPath = path
		shares := uint64(1024)
		s.Linux.Resources = &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: &shares}}
	})
	id := "live-swap"
	startSandbox(t, rt, bundle, id)
	k := cgroupKnobs(t, path)
	const window = 3 * time.Second
	a := startAgent(t, env.RunscAI, run, rt, "--window="+window.String())
	// Cut after min_evidence's two windows for CPU (three samples: up to five).
	cut := waitFile(t, "cpu weight of a CPU hog", 6*window, k.cpu, func(v uint64) bool { return v < k.weight(1024) })
	// The host gets busy: more spinning processes than CPUs in a sibling
	// cgroup at full weight. The cut hog now gets a tenth of the CPUs — as
	// little as a sandbox that stopped — but it waits for the rest: its cut
	// stays through a window's worth of rechecks (the CI run of 2026-12-02
	// had given it back, and the hysteresis then held it at full weight).
	schedstat := cgroup.HaveSchedstat()
	if !schedstat {
		// Without it the agent reads no wait, and CPU time alone gives
		// the starved hog its weight back (its warning says so).
		t.Logf("the starved hog's cut is not checked: %v", cgroup.ErrNoSchedstat)
	}
	stopLoad := func() {}
	if schedstat {
		stopLoad = loadSibling(t, parent+"/load", runtime.NumCPU()+1)
	}
	for end := time.Now().Add(window); schedstat && time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if v := k.cpu(); v > cut {
			stopLoad()
			out, _ := exec.Command(env.RunscAI, "--root="+rt.Root, "--ai-run="+run, "--ai-state="+rt.AIState, "explain", id).CombinedOutput()
			t.Fatalf("cpu weight %d while the host was busy and the cut hog starved, want %d (the cut) or less; explain:\n%s", v, cut, out)
		}
	}
	stopLoad()
	rt.MustRun(t, "exec", id, "touch", "/tmp/stop")
	stopped := time.Now()
	waitFile(t, "cpu weight after the hog stopped", window, k.cpu, func(v uint64) bool { return v == k.weight(1024) })
	took := time.Since(stopped)
	st, err := a.statusRaw()
	if err != nil {
		t.Fatal(err)
	}
	cpu := appliedChanges(t, run, id, "cpu shares")
	t.Logf("weight back %v after the hog stopped; changes %v; %d by rechecks", took, cpu, st.Loop.RecheckApplied)
	if len(cpu) != 2 || cpu[0] != [2]uint64{1024, 103} || cpu[1] != [2]uint64{103, 1024} {
		t.Errorf("cpu changes %v: want 1024 -> 103 (the cut) and 103 -> 1024 (the weight back whole)", cpu)
	}
	if st.Loop.RecheckApplied == 0 {
		t.Errorf("the weight came back %v after the hog stopped, but not by a recheck (window %v)", took, window)
	}
	// It stays: a window later, the sandbox sleeping, nothing changes.
	time.Sleep(window + time.Second)
	if v := k.cpu(); v != k.weight(1024) {
		t.Errorf("cpu weight %d a window after it came back", v)
	}
	// The CPU wait keeps a descriptor per thread of a managed sandbox's
	// cgroup; the sandbox gone, the agent closes them.
	if n := schedstatFDs(t, a.cmd.Process.Pid); n == 0 && schedstat {
		t.Errorf("the agent holds no schedstat descriptor for a managed sandbox")
	}
	rt.MustRun(t, "kill", id, "KILL")
	waitStopped(t, rt, id)
	rt.MustRun(t, "delete", id)
	deadline := time.Now().Add(3 * window)
	for schedstatFDs(t, a.cmd.Process.Pid) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if n := schedstatFDs(t, a.cmd.Process.Pid); n > 0 {
		t.Errorf("the agent holds %d schedstat descriptors %v after the sandbox was deleted", n, 3*window)
	}
}

// schedstatFDs counts the descriptors process pid holds on threads'
// schedstat files.
func schedstatFDs(t *testing.T, pid int) int {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && strings.HasSuffix(l, "/schedstat") {
			n++
		}
	}
	return n
}

// loadSibling runs n spinning processes in a new cgroup at path (its
// parent's CPU hierarchy, default weight) until the returned stop is
// called (or the test ends), which removes the cgroup.
func loadSibling(t *testing.T, path string, n int) (stop func()) {
	t.Helper()
	all, err := cgroup.Dirs(path)
	if err != nil {
		t.Fatal(err)
	}
	// Only where CPU weights are (v1's cpu hierarchy, v2): v1's cpuset
	// would refuse processes in a cgroup without CPUs set.
	var dirs []string
	for _, d := range all {
		for _, knob := range []string{"cpu.shares", "cpu.weight"} {
			if _, err := os.Stat(filepath.Join(filepath.Dir(d), knob)); err == nil {
				dirs = append(dirs, d)
				break
			}
		}
	}
	if len(dirs) == 0 {
		t.Fatalf("no cpu hierarchy among %v", all)
	}
	var cmds []*exec.Cmd
	// Stopped, its cgroup goes too: on cgroup v2 gVisor removes the parent
	// it created for the sandbox's cgroup when the sandbox is deleted,
	// which a sibling left behind makes fail (EBUSY; the arm64 e2e's).
	stop = func() {
		for _, c := range cmds {
			c.Process.Kill()
			c.Wait()
		}
		cmds = nil
		for _, d := range dirs {
			os.Remove(d)
		}
	}
	t.Cleanup(stop)
	for _, d := range dirs {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for range n {
		c := exec.Command("sh", "-c", "while :; do :; done")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
		for _, d := range dirs {
			if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(c.Process.Pid)), 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	return stop
}

// The agent turns a sandbox's I/O weight on the real cgroup file (v1
// blkio.weight or blkio.bfq.weight, v2 io.weight), given a policy whose I/O
// rule a CPU hog triggers (the default's needs I/O pressure, which an
// emulated machine without disks cannot make).
func TestAgentAppliesIOWeight(t *testing.T) {
	env, rt, run := withCgroups(t)
	parent := cgroupRoot(t, "io")
	path := parent + "/io"
	// No weight in the spec: gVisor would fail the create on a host
	// without the weight file, which is checked after.
	bundle := testenv.NewBundle(t, env, []string{"sh", "-c", "while :; do :; done"}, func(s *specs.Spec) {
		s.Linux.CgroupsPath = path
	})
	id := "live-io"
	startSandbox(t, rt, bundle, id)
	var file string
	for _, f := range []string{"/sys/fs/cgroup/blkio" + path + "/blkio.weight", "/sys/fs/cgroup/blkio" + path + "/blkio.bfq.weight", "/sys/fs/cgroup" + path + "/io.weight"} {
		if _, err := os.Stat(f); err == nil {
			file = f
			break
		}
	}
	if file == "" {
		t.Skip("this kernel has no I/O weight file (no BFQ, no blk-iocost)")
	}
	weight := func() uint64 {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(string(b)) // "500", or v2's "default 4950"
		v, err := strconv.ParseUint(f[len(f)-1], 10, 64)
		if err != nil {
			t.Fatalf("%s: %q", file, b)
		}
		return v
	}
	start := weight()
	pol := filepath.Join(t.TempDir(), "policy.yaml")
	src := strings.Replace(string(policies.DefaultYAML()), "when: {io_pressure: {min: 0.1}, latency_need: {max: 0.2}}", "when: {cpu_util: {min: 0.5}}", 1)
	if err := os.WriteFile(pol, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	startAgent(t, env.RunscAI, run, rt, "--window=500ms", "--ai-policy="+pol)
	w := waitFile(t, "I/O weight of "+file, 30*time.Second, weight, func(v uint64) bool { return v < start })
	t.Logf("%s: %d -> %d", file, start, w)
	if changes := appliedChanges(t, run, id, "io weight"); len(changes) == 0 || changes[0][1] >= changes[0][0] || changes[0][1] < 10 {
		t.Errorf("io weight changes %v: want a cut, not below the policy floor 10", changes)
	}
}

// appliedChanges asks the agent on run for sandbox id's applied changes of
// one setting ("cpu shares", "memory limit"), oldest first, as
// [before, after] pairs parsed from the history's "NAME A -> B", including
// changes recorded ahead and still being applied.
func appliedChanges(t *testing.T, run, id, setting string) [][2]uint64 {
	t.Helper()
	var out [][2]uint64
	for _, c := range appliedWhen(t, run, id, setting) {
		out = append(out, c.change)
	}
	return out
}

// timedChange is an applied change and when the agent decided it.
type timedChange struct {
	change [2]uint64
	at     time.Time
}

// appliedWhen is appliedChanges with each change's decision time.
func appliedWhen(t *testing.T, run, id, setting string) []timedChange {
	t.Helper()
	conn, err := net.DialTimeout("unix", filepath.Join(run, "agent.sock"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "explain %s\n", id)
	var ans struct {
		Decisions []struct {
			Applied string    `json:"applied"`
			At      time.Time `json:"at"`
		} `json:"decisions"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(conn).Decode(&ans); err != nil || ans.Error != "" {
		t.Fatalf("explain over the socket: %v %s", err, ans.Error)
	}
	var out []timedChange
	for _, d := range ans.Decisions {
		var a, b uint64
		// A change being applied is on record ahead ("applying: …"); it
		// counts: the setting may already have changed.
		applied := strings.TrimPrefix(d.Applied, "applying: ")
		if n, _ := fmt.Sscanf(applied, setting+" %d -> %d", &a, &b); n == 2 {
			out = append(out, timedChange{[2]uint64{a, b}, d.At})
		}
	}
	return out
}

// An image whose earlier run is recorded: its next sandbox's memory limit
// is cut at once to the recorded peak plus headroom and no further,
// though its working set now is far smaller (the image may grow again, as
// it did before).
func TestAgentCutsMemoryToTheImagePeak(t *testing.T) {
	env, rt, run := withCgroups(t)
	parent := cgroupRoot(t, "first", "second")
	const limit = 512 << 20
	// One image (the command line is the key); the first run fills 150 MiB
	// of the sandbox's tmpfs and exits, the second only sleeps.
	script := `if [ -n "$LONG" ]; then sleep 60; else dd if=/dev/zero of=/tmp/fill bs=1M count=150 2>/dev/null; sleep 1; fi`
	bundle := func(name string, long bool) string {
		return testenv.NewBundle(t, env, []string{"sh", "-c", script}, func(s *specs.Spec) {
			s.Linux.CgroupsPath = parent + "/" + name
			l := int64(limit)
			s.Linux.Resources = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &l}}
			if long {
				s.Process.Env = append(s.Process.Env, "LONG=1")
			}
		})
	}
	if res := rt.Run(t, "run", "--bundle", bundle("first", false), "peak-first"); res.Code != 0 {
		t.Fatalf("first run: %d %s", res.Code, res.Stderr)
	}
	a := startAgent(t, env.RunscAI, run, rt, "--window=500ms")
	id := "peak-second"
	startSandbox(t, rt, bundle("second", true), id)
	var st *decidingStatus
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		s, err := a.statusRaw()
		if err == nil && len(s.Managed) == 1 && s.Managed[0].PeakMemory > 0 {
			st = s
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent shows no image peak for %s: %+v %v", id, s, err)
		}
	}
	peak := st.Managed[0].PeakMemory
	floor := peak * 5 / 4
	t.Logf("the image's recorded peak: %d MiB; cuts stop at %d MiB", peak>>20, floor>>20)
	if peak < 150<<20 || floor >= limit*3/4*3/4 {
		t.Fatalf("peak %d MiB: want the first run's 150 MiB and more, with room for two cuts below 512 MiB", peak>>20)
	}
	memLimit := cgroupKnobs(t, parent+"/second").mem
	// (Whole pages: the agent's floor is rounded up to one.)
	waitFile(t, "memory limit at the image's peak", 35*time.Second, memLimit, func(v uint64) bool { return v < floor+4096 })
	if v := memLimit(); v < floor {
		t.Errorf("memory limit %d below %d", v, floor)
	}
	// One cut, from the OCI limit straight to the floor (512 → 209 MiB):
	// the image's earlier run is the evidence, so neither max_step_pct
	// (25 %: four cuts) nor the rate limit between them holds it.
	mem := appliedWhen(t, run, id, "memory limit")
	if len(mem) == 0 || mem[0].change[0] != limit || mem[0].change[1] < floor || mem[0].change[1] >= floor+4096 {
		t.Errorf("memory changes %v: want the first %d -> %d (the image's peak plus 25%%)", mem, limit, floor)
	}
	for _, c := range mem {
		if c.change[1] < floor || c.change[1] >= c.change[0] {
			t.Errorf("memory change %d -> %d: below the image's peak plus 25%% (%d) or not a cut", c.change[0], c.change[1], floor)
		}
	}
	t.Logf("cuts: %v", mem)
	time.Sleep(2 * time.Second)
	if v := memLimit(); v < floor {
		t.Errorf("memory limit %d below %d", v, floor)
	}
}

// inferenceStatus is the in-process model's part of `agent status --json`.
type inferenceStatus struct {
	Inference *struct {
		Inferences       uint64 `json:"inferences"`
		ContentionPauses uint64 `json:"contention_pauses"`
		LastPause        string `json:"last_pause"`
		PromptTokens     uint64 `json:"prompt_tokens"`
	} `json:"inference"`
	Managed []struct {
		Sandbox  string             `json:"sandbox"`
		Features map[string]float64 `json:"features"`
	} `json:"managed"`
}

// The latency guard on real sandboxes: while a sandbox that waits on short
// timers (an interactive service's shape) runs, the agent's in-process
// model does not run, and says which sandbox it yields to; once only a
// sandbox that needs nothing quick is left, inference resumes.
func TestLatencyGuardLive(t *testing.T) {
	env, rt, run := withCgroups(t)
	parent := cgroupRoot(t, "web", "idle")
	model := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := tinygguf.WriteSpec(model, tinygguf.Spec{Seed: 5}); err != nil {
		t.Fatal(err)
	}
	// The CPU guard off (this host runs other tests; it is tested on its
	// own), the latency guard at its default.
	src := string(policies.DefaultYAML())
	if pol := policies.Default(); pol.Deep.MaxLatencyNeed != 0.4 || !strings.Contains(src, "  max_host_cpu: 0.5 ") {
		t.Fatalf("this test expects the default latency guard at 0.4 (is %v) and the CPU guard at 0.5", pol.Deep.MaxLatencyNeed)
	}
	polPath := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(polPath, []byte(strings.Replace(src, "  max_host_cpu: 0.5 ", "  max_host_cpu: 0   ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, env.RunscAI, run, rt, "--window=500ms", "--backend=inproc", "--model="+model, "--ai-policy="+polPath)
	bundle := func(name string, args ...string) string {
		return testenv.NewBundle(t, env, args, func(s *specs.Spec) {
			s.Linux.CgroupsPath = parent + "/" + name
			// The benchmark's workloads are in the runsc-ai binary.
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/rsbench", Type: "bind", Source: filepath.Dir(env.RunscAI), Options: []string{"rbind", "ro"}})
		})
	}
	// The benchmark's latency prober: 1 ms of work every 10 ms, sleeping
	// in between (an interactive service's shape).
	web := "latency-web"
	startSandbox(t, rt, bundle("web", "/rsbench/"+filepath.Base(env.RunscAI), "bench-workload", "--dir", "/tmp", "--seconds", "300", "latency-prober"), web)
	want := fmt.Sprintf("sandbox %q needs low latency", web)
	var st *inferenceStatus
	for deadline := time.Now().Add(45 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		s, err := statusAs[inferenceStatus](a)
		if err == nil && s.Inference != nil && s.Inference.ContentionPauses > 0 && strings.Contains(s.Inference.LastPause, want) {
			st = s
			break
		}
		if time.Now().After(deadline) {
			b, _ := json.Marshal(s)
			t.Fatalf("no inference paused for %s: %s %v", web, b, err)
		}
	}
	t.Logf("paused: %s (features %v; %d inferences, %d pauses)", st.Inference.LastPause, st.Managed, st.Inference.Inferences, st.Inference.ContentionPauses)
	// While it runs, the deep tier keeps declining.
	time.Sleep(3 * time.Second)
	during, err := statusAs[inferenceStatus](a)
	if err != nil || during.Inference == nil {
		t.Fatal(err)
	}
	if during.Inference.ContentionPauses <= st.Inference.ContentionPauses {
		t.Errorf("no further pauses in 3 s beside %s: %d then %d", web, st.Inference.ContentionPauses, during.Inference.ContentionPauses)
	}
	rt.Run(t, "kill", web, "KILL")
	waitStopped(t, rt, web) // deleted when the test ends

	// Only a sandbox that sleeps (a few syscalls a second: no latency
	// need) is left: the model answers again.
	startSandbox(t, rt, bundle("idle", "sleep", "300"), "latency-idle")
	for deadline := time.Now().Add(45 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		s, err := statusAs[inferenceStatus](a)
		if err == nil && s.Inference != nil && s.Inference.Inferences > during.Inference.Inferences {
			t.Logf("inference resumed: %d inferences (were %d), %d pauses, %d prompt tokens evaluated", s.Inference.Inferences, during.Inference.Inferences, s.Inference.ContentionPauses, s.Inference.PromptTokens)
			if s.Inference.PromptTokens == 0 {
				t.Errorf("%d answers but no prompt token counted", s.Inference.Inferences)
			}
			break
		}
		if time.Now().After(deadline) {
			b, _ := json.Marshal(s)
			t.Fatalf("no inference after %s stopped: %s %v", web, b, err)
		}
	}
}
