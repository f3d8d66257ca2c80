package live_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/integration/testenv"
	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

// status is the part of `agent status --json` the tests read.
type status struct {
	PID     int    `json:"pid"`
	Foreign uint64 `json:"foreign"`
	Stats   struct {
		Summaries uint64 `json:"summaries"`
	} `json:"stats"`
	Sandboxes []struct {
		ID         string `json:"id"`
		Windows    uint64 `json:"windows"`
		LastSeq    uint64 `json:"last_seq"`
		Lost       uint64 `json:"lost"`
		Dropped    uint64 `json:"dropped"`
		Containers []struct {
			ID     string                            `json:"id"`
			Totals [summary.NumClasses]summary.Count `json:"totals"`
			Execs  []string                          `json:"execs"`
		} `json:"containers"`
	} `json:"sandboxes"`
}

type agentProc struct {
	cmd *exec.Cmd
	run string
	bin string
}

// startAgent starts an agent on run with the runtime's private --ai-state
// (its history), and extra agent flags.
func startAgent(t *testing.T, bin, run string, rt *testenv.Runtime, extra ...string) *agentProc {
	t.Helper()
	// runsc-ai's own global flags (--ai-*) go before the command.
	global := []string{"--ai-run=" + run, "--ai-state=" + rt.AIState}
	args := []string{"agent", "--metrics=", "--poll=100ms", "--backend=embedded"}
	for _, e := range extra {
		if strings.HasPrefix(e, "--ai-") {
			global = append(global, e)
		} else {
			args = append(args, e)
		}
	}
	cmd := exec.Command(bin, append(global, args...)...)
	log, err := os.OpenFile(filepath.Join(run, "agent.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &agentProc{cmd: cmd, run: run, bin: bin}
	t.Cleanup(func() { a.kill() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := a.status(); err == nil {
			return a
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(run, "agent.log"))
			t.Fatalf("agent did not answer: %s", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (a *agentProc) kill() {
	if a.cmd.ProcessState == nil {
		a.cmd.Process.Kill()
		a.cmd.Wait()
	}
}

func (a *agentProc) status() (*status, error) { return statusAs[status](a) }

// statusAs runs `agent status --json` and decodes the part T names.
func statusAs[T any](a *agentProc) (*T, error) {
	out, err := exec.Command(a.bin, "--ai-run="+a.run, "agent", "status", "--json").Output()
	if err != nil {
		return nil, err
	}
	var st T
	if err := json.Unmarshal(out, &st); err != nil {
		return nil, fmt.Errorf("%w: %s", err, out)
	}
	return &st, nil
}

// decidingStatus is the decision part of `agent status --json`.
type decidingStatus struct {
	Deciding bool `json:"deciding"`
	Loop     struct {
		Applied        uint64 `json:"applied"`
		Outcomes       uint64 `json:"outcomes"`
		RecheckApplied uint64 `json:"recheck_applied"`
	} `json:"loop"`
	Managed []struct {
		Sandbox    string `json:"sandbox"`
		Evidence   int    `json:"evidence"`
		PeakMemory uint64 `json:"image_peak_memory_bytes"`
	} `json:"managed"`
}

func (a *agentProc) statusRaw() (*decidingStatus, error) { return statusAs[decidingStatus](a) }

// waitSandbox polls the agent until cond holds for sandbox id.
func (a *agentProc) waitSandbox(t *testing.T, id string, d time.Duration, cond func(*status, int) bool) *status {
	t.Helper()
	deadline := time.Now().Add(d)
	var last *status
	for time.Now().Before(deadline) {
		st, err := a.status()
		if err == nil {
			last = st
			for i := range st.Sandboxes {
				if st.Sandboxes[i].ID == id && cond(st, i) {
					return st
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := json.MarshalIndent(last, "", " ")
	t.Fatalf("sandbox %s: condition not met within %v; last status:\n%s", id, d, b)
	return nil
}

// setup gives a runtime with its own --ai-run; without cgroups unless the
// test manages them (withCgroups).
func setup(t *testing.T) (testenv.Env, *testenv.Runtime, string) {
	return setupWith(t, "--ignore-cgroups")
}

func withCgroups(t *testing.T) (testenv.Env, *testenv.Runtime, string) { return setupWith(t) }

func setupWith(t *testing.T, flags ...string) (testenv.Env, *testenv.Runtime, string) {
	env := testenv.Get(t)
	run, err := os.MkdirTemp("", "rai-run-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	rt := testenv.NewRuntime(t, env.RunscAI, append([]string{"--ai-run=" + run, "--network=none"}, flags...)...)
	return env, rt, run
}

// A workload that makes a known number of writes: the counts arrive.
func TestTapCountsKnownWorkload(t *testing.T) {
	env, rt, run := setup(t)
	a := startAgent(t, env.RunscAI, run, rt)
	n := uint64(testenv.Scale(4000)) // fewer on an emulated CPU
	bundle := testenv.NewBundle(t, env, []string{"sh", "-c", fmt.Sprintf("dd if=/dev/zero of=/dev/null bs=7 count=%d 2>/dev/null; sleep 600", n)}, nil)
	id := "tap-count"
	rt.Create(t, bundle, id)
	rt.MustRun(t, "start", id)
	if _, err := os.Stat(filepath.Join(run, "tap", id+".fifo")); err != nil {
		t.Errorf("no tap FIFO for the sandbox: %v", err)
	}

	st := a.waitSandbox(t, id, 20*time.Second, func(st *status, i int) bool {
		cs := st.Sandboxes[i].Containers
		return len(cs) == 1 && cs[0].Totals[summary.FileIO].Calls >= 2*n
	})
	c := st.Sandboxes[0].Containers[0]
	for _, sb := range st.Sandboxes {
		if sb.ID == id {
			c = sb.Containers[0]
		}
	}
	fio := c.Totals[summary.FileIO]
	// dd: n reads of 7 bytes from /dev/zero, n writes of 7 to /dev/null,
	// plus the shell's and dd's own start-up.
	if fio.Calls > 2*n+500 {
		t.Errorf("file I/O calls %d, want about %d", fio.Calls, 2*n)
	}
	if fio.Bytes < 2*7*n || fio.Bytes > 2*7*n+1<<20 {
		t.Errorf("file I/O bytes %d, want about %d", fio.Bytes, 2*7*n)
	}
	if c.Totals[summary.Process].Calls == 0 || c.Totals[summary.Memory].Calls == 0 {
		t.Errorf("no process or memory syscalls counted: %+v", c.Totals)
	}
	if len(c.Execs) == 0 {
		t.Errorf("no executed binary reported")
	}
	rt.MustRun(t, "kill", id, "KILL")
	waitStopped(t, rt, id)
	rt.MustRun(t, "delete", id)
	if _, err := os.Stat(filepath.Join(run, "tap", id+".fifo")); !os.IsNotExist(err) {
		t.Errorf("tap FIFO left after delete: %v", err)
	}
}

// Killing the agent leaves the sandbox running; a new agent resumes.
func TestAgentRestartResumes(t *testing.T) {
	env, rt, run := setup(t)
	a := startAgent(t, env.RunscAI, run, rt)
	bundle := testenv.NewBundle(t, env, []string{"sh", "-c", "while true; do echo x > /dev/null; sleep 0.1; done"}, nil)
	id := "tap-restart"
	rt.Create(t, bundle, id)
	rt.MustRun(t, "start", id)
	st := a.waitSandbox(t, id, 20*time.Second, func(st *status, i int) bool { return st.Sandboxes[i].Windows >= 2 })
	var seq uint64
	for _, sb := range st.Sandboxes {
		if sb.ID == id {
			seq = sb.LastSeq
		}
	}
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.cmd.Wait()
	time.Sleep(2500 * time.Millisecond) // windows pass with no agent reading
	if res := rt.MustRun(t, "state", id); !strings.Contains(res.Stdout, `"running"`) {
		t.Fatalf("sandbox not running after the agent was killed: %s", res.Stdout)
	}
	b := startAgent(t, env.RunscAI, run, rt)
	// The new agent finds the sandbox from its FIFO and reads on: what the
	// pipe held while no agent ran, then new windows.
	b.waitSandbox(t, id, 20*time.Second, func(st *status, i int) bool {
		return st.Sandboxes[i].LastSeq > seq+2
	})
	rt.MustRun(t, "kill", id, "KILL")
	waitStopped(t, rt, id)
	rt.MustRun(t, "delete", id)
}

// A flood of syscalls does not grow the agent.
func TestAgentMemoryBoundedUnderFlood(t *testing.T) {
	env, rt, run := setup(t)
	a := startAgent(t, env.RunscAI, run, rt)
	before := rssKB(t, a.cmd.Process.Pid)
	// A million one-byte copies: 2M syscalls (fewer on an emulated CPU,
	// where they take ~30 times longer; see testenv.Scale).
	n := testenv.Scale(1000000)
	bundle := testenv.NewBundle(t, env, []string{"sh", "-c", fmt.Sprintf("dd if=/dev/zero of=/dev/null bs=1 count=%d 2>/dev/null; sleep 600", n)}, nil)
	id := "tap-flood"
	rt.Create(t, bundle, id)
	rt.MustRun(t, "start", id)
	a.waitSandbox(t, id, 3*time.Minute, func(st *status, i int) bool {
		cs := st.Sandboxes[i].Containers
		return len(cs) == 1 && cs[0].Totals[summary.FileIO].Calls >= uint64(2*n)
	})
	after := rssKB(t, a.cmd.Process.Pid)
	t.Logf("agent RSS %d kB before, %d kB after %d syscalls", before, after, 2*n)
	if after > before+16*1024 {
		t.Errorf("agent RSS grew from %d to %d kB under a syscall flood", before, after)
	}
	rt.MustRun(t, "kill", id, "KILL")
	waitStopped(t, rt, id)
	rt.MustRun(t, "delete", id)
}

// --ai-tap=false: no FIFO, no pod init config, nothing reaches the agent.
func TestTapOff(t *testing.T) {
	env, rt, run := setup(t)
	rt.Flags = append(rt.Flags, "--ai-tap=false")
	bundle := testenv.NewBundle(t, env, []string{"sleep", "600"}, nil)
	id := "tap-off"
	rt.Create(t, bundle, id)
	rt.MustRun(t, "start", id)
	// While it runs (with the tap on, its FIFO would be here: see
	// TestTapCountsKnownWorkload).
	entries, _ := os.ReadDir(filepath.Join(run, "tap"))
	if len(entries) != 0 {
		t.Errorf("tap files with --ai-tap=false: %v", entries)
	}
	rt.MustRun(t, "kill", id, "KILL")
	waitStopped(t, rt, id)
	rt.MustRun(t, "delete", id)
}

// startSandbox creates and starts id from bundle; it is killed and deleted
// when the test ends.
func startSandbox(t *testing.T, rt *testenv.Runtime, bundle, id string) {
	t.Helper()
	rt.Create(t, bundle, id)
	rt.MustRun(t, "start", id)
	t.Cleanup(func() {
		if rt.Run(t, "state", id).Code != 0 {
			return // the test deleted it
		}
		rt.Run(t, "kill", id, "KILL")
		waitStopped(t, rt, id)
		rt.Run(t, "delete", id)
	})
}

func waitStopped(t *testing.T, rt *testenv.Runtime, id string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res := rt.Run(t, "state", id); strings.Contains(res.Stdout, `"stopped"`) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not stopped", id)
}

func rssKB(t *testing.T, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// A sandbox's tap files live as long as the sandbox: a failed create with
// the ID of a running sandbox leaves them alone, and run --detach keeps
// them until delete (the agent sees detached sandboxes).
func TestTapFilesLiveWithTheSandbox(t *testing.T) {
	env, rt, run := setup(t)
	tapDir := filepath.Join(run, "tap")
	exists := func(id, suffix string) bool {
		_, err := os.Stat(filepath.Join(tapDir, id+suffix))
		return err == nil
	}
	bundle := testenv.NewBundle(t, env, []string{"sleep", "600"}, nil)
	id := "tap-owner"
	rt.Create(t, bundle, id)
	rt.MustRun(t, "start", id)
	// The agent's baseline for the running sandbox.
	if err := os.WriteFile(filepath.Join(tapDir, id+".baseline.json"), []byte(`{"cpu_shares":1024}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if res := rt.Run(t, "create", "--bundle", bundle, id); res.Code == 0 {
		t.Fatalf("a second create with a running sandbox's ID succeeded: %s", res.Stderr)
	}
	for _, suffix := range []string{".fifo", ".json", ".baseline.json"} {
		if !exists(id, suffix) {
			t.Errorf("the failed create removed the running sandbox's %s%s", id, suffix)
		}
	}
	rt.MustRun(t, "kill", id, "KILL")
	waitStopped(t, rt, id)
	rt.MustRun(t, "delete", id)
	if exists(id, ".fifo") || exists(id, ".json") {
		t.Error("delete left the tap files")
	}

	detached := "tap-detached"
	rt.MustRun(t, "run", "--detach", "--bundle", bundle, detached)
	if !exists(detached, ".fifo") || !exists(detached, ".json") {
		t.Errorf("run --detach returned and its running sandbox lost its tap files")
	}
	rt.MustRun(t, "kill", detached, "KILL")
	waitStopped(t, rt, detached)
	rt.MustRun(t, "delete", detached)
	if exists(detached, ".fifo") || exists(detached, ".json") {
		t.Error("delete left the detached sandbox's tap files")
	}
}

// Lines written into one sandbox's FIFO that claim another sandbox change
// nothing about the other: not its sequence (loss accounting), not its
// containers; they are dropped and counted.
func TestForgedSummariesStayInTheirFIFO(t *testing.T) {
	env, rt, run := setup(t)
	bundle := testenv.NewBundle(t, env, []string{"sleep", "600"}, nil)
	for _, id := range []string{"fifo-a", "fifo-b"} {
		startSandbox(t, rt, bundle, id)
	}
	a := startAgent(t, env.RunscAI, run, rt, "--decide=false")
	a.waitSandbox(t, "fifo-b", 20*time.Second, func(st *status, i int) bool { return st.Sandboxes[i].Windows >= 2 })
	// Whoever controls sandbox A's Sentry writes into A's FIFO.
	w, err := os.OpenFile(filepath.Join(run, "tap", "fifo-a.fifo"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const forged = 20
	for i := 0; i < forged; i++ {
		s := &summary.Summary{Sandbox: "fifo-b", Seq: 1_000_000 + uint64(i), UnixNano: 1, WindowMs: 1000}
		c := summary.Container{ID: "phantom"}
		c.Classes[summary.Blocking] = summary.Count{Calls: 1 << 40}
		s.Containers = []summary.Container{c}
		line, _ := summary.Encode(s)
		if _, err := w.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	st := a.waitSandbox(t, "fifo-b", 20*time.Second, func(st *status, i int) bool { return st.Foreign >= forged })
	for _, sb := range st.Sandboxes {
		if sb.ID != "fifo-b" {
			continue
		}
		if sb.LastSeq >= 1_000_000 || sb.Lost > 0 {
			t.Errorf("sandbox B's sequence taken over: last %d, lost %d", sb.LastSeq, sb.Lost)
		}
		for _, c := range sb.Containers {
			if c.ID == "phantom" {
				t.Errorf("a phantom container in sandbox B: %+v", c)
			}
		}
	}
}
