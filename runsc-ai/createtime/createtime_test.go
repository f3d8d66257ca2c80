package createtime

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/subcommands"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gvisor.dev/gvisor/runsc/config"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
)

// gVisor's flags on the command line's flag set, as runsc-ai registers
// them: applyPlan and ExplicitSettings read flag.CommandLine.
func TestMain(m *testing.M) {
	config.RegisterFlags(flag.CommandLine)
	os.Exit(m.Run())
}

// sandboxconf's idea of "gVisor's default" for every setting it may choose
// is the pinned gVisor's own flag default: a gVisor bump that changes one
// fails here instead of silently changing what "default" means.
func TestDefaultsAreThePinnedGVisors(t *testing.T) {
	fs := flag.NewFlagSet("runsc", flag.ContinueOnError)
	config.RegisterFlags(fs)
	conf, err := config.NewFromFlags(fs)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range sandboxconf.Settings() {
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("%s: the pinned gVisor has no such flag", name)
			continue
		}
		if got, want := sandboxconf.Default(name), f.DefValue; got != want {
			t.Errorf("%s: sandboxconf's default %q, gVisor's %q", name, got, want)
		}
		// The default must also be what a config built from no flags holds.
		if err := conf.Override(fs, name, sandboxconf.Default(name), true); err != nil {
			t.Errorf("%s=%s: gVisor refuses its own default: %v", name, sandboxconf.Default(name), err)
		}
	}
}

func newConf(t *testing.T) *config.Config {
	conf, err := config.NewFromFlags(flag.CommandLine)
	if err != nil {
		t.Fatal(err)
	}
	return conf
}

// A plan is applied whole or not at all: a value gVisor refuses, or a
// combination its validation refuses, leaves the config as it was.
func TestApplyPlanIsAllOrNothing(t *testing.T) {
	conf := newConf(t)
	orig := *conf
	err := applyPlan(conf, []sandboxconf.Choice{{Name: "directfs", Value: "false"}, {Name: "num-network-channels", Value: "many"}})
	if err == nil || !strings.Contains(err.Error(), "num-network-channels=many") {
		t.Fatalf("bad value: %v", err)
	}
	if conf.DirectFS != orig.DirectFS || conf.NumNetworkChannels != orig.NumNetworkChannels {
		t.Errorf("half applied: directfs %v (was %v)", conf.DirectFS, orig.DirectFS)
	}
	if err := applyPlan(conf, []sandboxconf.Choice{{Name: "directfs", Value: "false"}, {Name: "overlay2", Value: "root:memory"}}); err != nil {
		t.Fatal(err)
	}
	if conf.DirectFS || conf.Overlay2.String() != "root:memory" {
		t.Errorf("not applied: directfs %v overlay2 %s", conf.DirectFS, conf.Overlay2.String())
	}
}

func TestSpecInputs(t *testing.T) {
	mem, quota, period := int64(64<<20), int64(50000), uint64(100000)
	spec := &specs.Spec{
		Process:     &specs.Process{Args: []string{"sh", "-c", "x"}, Terminal: true},
		Annotations: map[string]string{"io.kubernetes.cri-o.ImageName": "b", "io.kubernetes.cri.image-name": "a", "runsc-ai.workload": "batch"},
		Linux:       &specs.Linux{Resources: &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &mem}, CPU: &specs.LinuxCPU{Quota: &quota, Period: &period}}},
	}
	in, err := SpecInputs(spec)
	if err != nil {
		t.Fatal(err)
	}
	if in.Image != "image:a" || !in.Terminal || in.Workload != "batch" || in.MemoryLimit != 64<<20 || in.CPUQuotaPct != 50 {
		t.Errorf("inputs %+v", in)
	}
	if strings.Join(in.Limits, ",") != "memory,cpu" {
		t.Errorf("limits %v, want memory,cpu", in.Limits)
	}
	// Docker's spec without limits: empty structs, device rules, zero
	// values. Kubernetes' BestEffort pod: CPU shares 2, a pids limit.
	zero, shares, w := int64(0), uint64(2), uint16(0)
	for _, tc := range []struct {
		r    *specs.LinuxResources
		want string
	}{
		{nil, ""},
		{&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}, Memory: &specs.LinuxMemory{Limit: &zero},
			CPU: &specs.LinuxCPU{}, BlockIO: &specs.LinuxBlockIO{Weight: &w}, Pids: &specs.LinuxPids{}}, ""},
		{&specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: &shares}, Pids: &specs.LinuxPids{Limit: 1024}}, "cpu,pids"},
		{&specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0-1"}, Unified: map[string]string{"memory.high": "1G"}}, "cpu,unified"},
	} {
		if got := strings.Join(limitsOf(tc.r), ","); got != tc.want {
			t.Errorf("limits of %+v: %q, want %q", tc.r, got, tc.want)
		}
	}
	spec.Annotations = map[string]string{}
	spec.Process.Args = []string{strings.Repeat("a", 1000)}
	if in, _ := SpecInputs(spec); in.Image != ("cmd:" + strings.Repeat("a", 1000))[:llmkernel.MaxImageKey] {
		t.Errorf("command key not bounded: %d bytes", len(in.Image))
	}
	spec.Annotations["runsc-ai.workload"] = "realtime"
	if _, err := SpecInputs(spec); err == nil || !strings.Contains(err.Error(), `runsc-ai.workload="realtime"`) {
		t.Errorf("bad workload: %v", err)
	}
	for v, want := range map[string]bool{"": false, "true": false, "false": true} {
		if off, err := DecisionsOff(&specs.Spec{Annotations: map[string]string{annDecide: v}}); err != nil || off != want {
			t.Errorf("%s=%q: %v %v", annDecide, v, off, err)
		}
	}
	if _, err := DecisionsOff(&specs.Spec{Annotations: map[string]string{annDecide: "no"}}); err == nil {
		t.Error("runsc-ai.decide=no accepted")
	}
}

// What the user set wins, and is found wherever gVisor takes it from:
// command-line flags, bundles, per-sandbox flag annotations (last wins).
func TestExplicitSettings(t *testing.T) {
	fs := flag.NewFlagSet("runsc", flag.ContinueOnError)
	config.RegisterFlags(fs)
	if err := fs.Parse([]string{"--platform=ptrace", "--debug"}); err != nil {
		t.Fatal(err)
	}
	spec := &specs.Spec{Annotations: map[string]string{
		"dev.gvisor.flag.directfs": "false",
		"dev.gvisor.flag.net-raw":  "true", // not a decidable setting: not ours to report
	}}
	got := ExplicitSettings(fs, spec)
	if got["platform"].Value != "ptrace" || got["platform"].Source != sandboxconf.SourceFlag {
		t.Errorf("flag: %+v", got["platform"])
	}
	if got["directfs"].Value != "false" || got["directfs"].Source != sandboxconf.SourceAnnotation {
		t.Errorf("annotation: %+v", got["directfs"])
	}
	if _, ok := got["net-raw"]; ok || len(got) != 2 {
		t.Errorf("explicit: %+v", got)
	}
}

func TestErrorSniffer(t *testing.T) {
	var s errorSniffer
	if s.bootFailure() || s.last() != "the sandbox did not boot" {
		t.Error("empty sniffer")
	}
	s.Write([]byte(`{"msg":"starting container: exit 1"}`))
	if s.bootFailure() {
		t.Error("a failed workload taken for a failed boot")
	}
	s.Write([]byte(`{"msg":"creating container: ` + strings.Repeat("e", 400) + `"}`))
	s.Write([]byte("not json"))
	if !s.bootFailure() || len(s.last()) > 310 || !strings.HasPrefix(s.last(), "creating container: ") {
		t.Errorf("boot failure %v, last %q", s.bootFailure(), s.last())
	}
}

// The boot watchdog's kill reaches every process below the caller,
// grandchildren included (a hung sandbox's gofer and Sentry).
func TestKillDescendants(t *testing.T) {
	// sh prints its child's PID once the child runs: no sleep, no race.
	cmd := exec.Command("sh", "-c", "sleep 60 & echo $!; wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	grandchild, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil {
		cmd.Process.Kill()
		t.Fatalf("grandchild PID: %q %v %v", line, err, perr)
	}
	killDescendants(os.Getpid())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			t.Errorf("sh ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the child survived")
	}
	// The grandchild was killed too: gone, or a zombie until init reaps it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", grandchild))
		if err != nil || strings.Contains(string(b), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			syscall.Kill(grandchild, syscall.SIGKILL)
			t.Fatalf("grandchild %d survived: %s", grandchild, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWrap(t *testing.T) {
	if _, ok := Wrap(fakeCmd("create"), nil).(*decidedCmd); !ok {
		t.Error("create not wrapped")
	}
	if _, ok := Wrap(fakeCmd("delete"), nil).(finishingDelete); !ok {
		t.Error("delete not wrapped")
	}
	if c := Wrap(fakeCmd("state"), nil); c != fakeCmd("state") {
		t.Error("state wrapped")
	}
}

// fakeCmd is a command that only has a name: Wrap looks at nothing else.
type fakeCmd string

func (f fakeCmd) Name() string                                                        { return string(f) }
func (fakeCmd) Synopsis() string                                                      { return "" }
func (fakeCmd) Usage() string                                                         { return "" }
func (fakeCmd) SetFlags(*flag.FlagSet)                                                {}
func (fakeCmd) Execute(context.Context, *flag.FlagSet, ...any) subcommands.ExitStatus { return 0 }
func (fakeCmd) FetchSpec(*config.Config, *flag.FlagSet) (string, *specs.Spec, error) {
	return "", nil, nil
}
