package ollama_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/testenv"
	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/policies"
)

// `decide --refine` asks the real model about recent images' create
// situations and teaches the create-time model what it validated.
func TestRefineCreateDecisionsWithRealOllama(t *testing.T) {
	url := realOllama(t)
	e := testenv.Get(t)
	state := t.TempDir()
	st, err := sandboxconf.Open(filepath.Join(state, "create"))
	if err != nil {
		t.Fatal(err)
	}
	pol := policies.Default()
	for i := 0; i < 3; i++ {
		p := sandboxconf.Plan{Profile: "keep"}
		p.Situation.Features[llmkernel.FeatMemUtil] = float64(i) / 3
		r := sandboxconf.NewRun(&p, fmt.Sprintf("c%d", i))
		r.StartupMs, r.Measure = 100, "create"
		if _, err := st.Complete(fmt.Sprintf("image:app-%d", i), r, &pol); err != nil {
			t.Fatal(err)
		}
	}
	model := filepath.Join(state, "create", llmkernel.ModelName+".bin")
	before, _ := os.ReadFile(model)
	// The default policy (deep.timeout 2m) leaves the tiny model on a busy
	// CI machine time enough.
	out, err := exec.Command(e.RunscAI, "--ai-state="+state, "decide", "--refine", "--backend", "ollama",
		"--ollama-host", url, "--model", modelName, "--wait", "5m").CombinedOutput()
	if err != nil {
		t.Fatalf("refine: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	m := regexp.MustCompile(`refined 3 images with ollama:\S+: (\d+) answers validated and learned, (\d+) rejected, 0 timed out, 0 errors`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("unexpected output:\n%s", out)
	}
	validated, _ := strconv.Atoi(string(m[1]))
	rejected, _ := strconv.Atoi(string(m[2]))
	if validated+rejected != 3 {
		t.Errorf("%d validated + %d rejected, want 3 answers accounted for", validated, rejected)
	}
	after, _ := os.ReadFile(model)
	if validated > 0 && bytes.Equal(before, after) {
		t.Error("validated answers did not change the create-time model")
	}
	if validated == 0 && !bytes.Equal(before, after) {
		t.Error("the model changed though nothing was validated")
	}
}
