package sandboxconf_test

import (
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/policies"
)

// A fold that takes the journal away between an appender's open and its
// lock (fault injection: the fold runs in that instant) must not lose the
// run: the appender finds its file replaced and appends to the new one.
func TestAppendAfterTheJournalWasTakenLosesNothing(t *testing.T) {
	st, err := sandboxconf.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pol := policies.Default()
	r := sandboxconf.Run{ContainerID: "early", At: time.Now().UTC(), Profile: "profile_default", Measure: "run", StartupMs: 100}
	if _, err := st.Finish("img", r); err != nil {
		t.Fatal(err)
	}
	folded := 0
	injected := false
	sandboxconf.SetBeforeLock(st, func() {
		if injected {
			return
		}
		injected = true
		n, err := st.Fold(&pol)
		if err != nil {
			t.Error(err)
		}
		folded += n
	})
	late := sandboxconf.Run{ContainerID: "late", At: time.Now().UTC(), Profile: "profile_default", Measure: "run", StartupMs: 90}
	if _, err := st.Finish("img", late); err != nil {
		t.Fatal(err)
	}
	if folded != 1 {
		t.Fatalf("the injected fold folded %d runs, want the early one", folded)
	}
	if n, err := st.Fold(&pol); n != 1 || err != nil {
		t.Errorf("the late run: folded %d, %v; want 1", n, err)
	}
	h, _ := st.Runs("img")
	if len(h.Runs) != 2 || h.Runs[1].ContainerID != "late" {
		t.Errorf("history %+v, want early and late", h.Runs)
	}
}
