package node

import (
	"context"
	"errors"
	"flag"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/platform/host"
	"github.com/go-os-agent/runsc-ai/policies"
)

// The thermal guard on a recorded Raspberry Pi 4 (61.8 °C, firmware bits
// 0x50005: throttled now) and on a VM without thermal zones.
func TestThermalGate(t *testing.T) {
	pi := "../../platform/host/testdata/pi4-rpios64"
	if err := ThermalGate(pi, 80)(); err == nil || !strings.Contains(err.Error(), "firmware throttles") {
		t.Errorf("throttled Pi: %v", err)
	}
	if err := ThermalGate(pi, 60)(); err == nil || !strings.Contains(err.Error(), "61.8 °C, above deep.max_temp_c 60") {
		t.Errorf("hot Pi: %v", err)
	}
	if err := ThermalGate("../../platform/host/testdata/x86-cloud-vm", 60)(); err != nil {
		t.Errorf("a VM without sensors is held back: %v", err)
	}
	if ThermalGate(pi, 0) != nil {
		t.Error("max_temp_c 0 must turn the guard off")
	}
}

// The latency guard: above deep.max_latency_need it names the sandbox and
// its need; at or below it, with no evidence, or turned off, nothing.
func TestLatencyGuard(t *testing.T) {
	need := func(id string, v float64) func() (string, float64) {
		return func() (string, float64) { return id, v }
	}
	if err := LatencyGuard(need("web", 0.9), 0.4)(); err == nil || err.Error() != `sandbox "web" needs low latency (latency need 90%, above deep.max_latency_need 40%)` {
		t.Errorf("need 0.9: %v", err)
	}
	for _, v := range []float64{0, 0.2, 0.4} {
		if err := LatencyGuard(need("batch", v), 0.4)(); err != nil {
			t.Errorf("need %v held inference back: %v", v, err)
		}
	}
	if LatencyGuard(need("web", 1), 0) != nil || LatencyGuard(nil, 0.4) != nil {
		t.Error("max_latency_need 0, or no loop to ask, must mean no guard")
	}
}

// The agent's contention guard on this host: with a busy loop on every
// CPU (other processes, at normal priority) the in-process model declines
// to start an inference, says why, and counts it.
func TestContentionGuardLive(t *testing.T) {
	if _, err := host.ReadCPUTime("/"); err != nil {
		t.Skipf("no host CPU time here: %v", err)
	}
	model := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := tinygguf.WriteSpec(model, tinygguf.Spec{Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for range runtime.NumCPU() {
		hog := exec.Command("sh", "-c", "while :; do :; done")
		if err := hog.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { hog.Process.Kill(); hog.Wait() })
	}
	pol := policies.Default()
	if pol.Deep.MaxHostCPU != 0.5 {
		t.Fatalf("the default deep.max_host_cpu is %v; this test expects the guard on at 0.5", pol.Deep.MaxHostCPU)
	}
	var b BackendFlags
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	b.Register(fs, "inproc")
	if err := fs.Parse([]string{"--model", model}); err != nil {
		t.Fatal(err)
	}
	b.Beside = true
	ob, err := b.Open(&pol)
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	s := llmkernel.Situation{Kind: llmkernel.KindCPU, Sandbox: "sb", Evidence: 5, Ceiling: llmkernel.Resources{CPUShares: 1024}, Current: llmkernel.Resources{CPUShares: 1024}}
	allowed := pol.Kinds[llmkernel.KindCPU].Allowed
	c := llmkernel.Assemble(&s, llmkernel.Readers{}, pol.Goal)
	_, err = ob.Backend.Infer(context.Background(), llmkernel.Request{Kind: s.Kind, Prompt: llmkernel.Prompt(s.Kind, allowed, &c), Schema: llmkernel.Schema(s.Kind, allowed)})
	if !errors.Is(err, llmkernel.ErrDeclined) || !strings.Contains(err.Error(), "above deep.max_host_cpu 50%") {
		t.Errorf("every CPU busy: %v", err)
	}
	if st := ob.Stats(); st.ContentionPauses != 1 || st.Inferences != 0 {
		t.Errorf("stats %+v", st)
	}
	t.Logf("%v", err)
}
