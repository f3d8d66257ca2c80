package ollama_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

// runsc-ai decide with the model inside runsc-ai: the decision comes from
// the fast tier at once, the in-process model answers under the schema, and
// the same situation is then served from the cached, validated answer.
func TestDecideWithInProcessModel(t *testing.T) {
	e := testenv.Get(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.gguf")
	if err := tinygguf.WriteSpec(model, tinygguf.Spec{Seed: 11, Type: 8, Template: "<|user|>\n{{ x }}</s>\n<|assistant|>\n"}); err != nil {
		t.Fatal(err)
	}
	sit := filepath.Join(dir, "s.json")
	os.WriteFile(sit, []byte(`{"kind":"cpu","sandbox":"web-1","image":"nginx","features":{"cpu_util":0.95,"cpu_throttle":0.6,"latency_need":0.9},"evidence":5,"limits":{"cpu_shares":4096},"current":{"cpu_shares":1024}}`), 0o600)
	out, err := exec.Command(e.RunscAI, "--ai-state="+dir, "decide", "--situation", sit, "--history", "", "--backend", "inproc", "--model", model,
		"--wait", "2m").CombinedOutput()
	if err != nil {
		t.Fatalf("decide: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	if !strings.Contains(string(out), "after the deep tier:") || !strings.Contains(string(out), "tier:       cache") {
		t.Errorf("the in-process answer was not used:\n%s", out)
	}
	// A model that is not there: a clear error naming it.
	out, err = exec.Command(e.RunscAI, "--ai-state="+dir, "decide", "--situation", sit, "--history", "", "--backend", "inproc", "--model", "/no/such.gguf").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "/no/such.gguf") {
		t.Errorf("missing model: %v\n%s", err, out)
	}
}

// The agent says which model it runs, or why it runs without one.
func TestAgentReportsItsModel(t *testing.T) {
	e := testenv.Get(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.gguf")
	if err := tinygguf.WriteSpec(model, tinygguf.Spec{Seed: 12}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, backend, model, wantBackend, wantNote string
	}{
		{"usable", "auto", model, "inproc:tiny", "in-process"},
		{"missing", "auto", filepath.Join(dir, "missing.gguf"), "embedded", "no usable model, running as embedded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := t.TempDir()
			cmd := exec.Command(e.RunscAI, "--ai-run="+run, "--ai-state="+t.TempDir(), "agent", "--metrics=", "--backend", tc.backend, "--model", tc.model)
			cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			var logs strings.Builder
			cmd.Stdout, cmd.Stderr = &logs, &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			var st struct {
				Backend, Model string
				Note           string `json:"model_note"`
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				out, err := exec.Command(e.RunscAI, "--ai-run="+run, "agent", "status", "--json").Output()
				if err == nil && json.Unmarshal(out, &st) == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no agent status: %s", logs.String())
				}
				time.Sleep(100 * time.Millisecond)
			}
			if !strings.HasPrefix(st.Backend, tc.wantBackend) || !strings.Contains(st.Note, tc.wantNote) {
				t.Errorf("status backend %q model %q note %q", st.Backend, st.Model, st.Note)
			}
			t.Logf("backend %s; model %s; %s", st.Backend, st.Model, st.Note)
		})
	}
}
