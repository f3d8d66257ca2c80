package agent

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/control"
	"github.com/go-os-agent/runsc-ai/llmkernel/history"
	"github.com/go-os-agent/runsc-ai/llmkernel/profile"
	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
	"github.com/go-os-agent/runsc-ai/policies"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// The security side end to end inside the agent, on a real engine and
// history: three runs of an image teach its profile; in the fourth, a
// binary never seen and a mount attempt are security decisions, in the
// history (explain), the status and the metrics — for that sandbox only.
func TestAgentReportsAnomalies(t *testing.T) {
	pol := policies.Default()
	st, err := history.Open(filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e, err := llmkernel.New(llmkernel.Config{Policy: pol, NoRecords: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	a := &agent{state: newSandboxes(), log: zap.NewNop(), engine: e, store: st, policy: &pol}
	a.startWatch()
	now := time.Unix(1_700_000_000, 0)
	seq := map[string]uint64{}
	window := func(sb string, execs []string, mounts uint64) {
		now = now.Add(time.Second)
		seq[sb]++
		c := summary.Container{ID: sb, Execs: execs}
		c.Classes[summary.FileIO].Calls = 50
		c.Classes[summary.Mount] = summary.Count{Calls: mounts, Bytes: mounts}
		s := &summary.Summary{Sandbox: sb, Seq: seq[sb], UnixNano: now.UnixNano(), WindowMs: 1000, Containers: []summary.Container{c}}
		a.state.Add(s, now)
		a.observe(s, now)
	}
	for run := 0; run < 4; run++ {
		sb := fmt.Sprintf("web-%d", run)
		a.watchTargets([]control.Target{{Sandbox: sb, Image: "image:web"}}, now)
		for i := 0; i < 4; i++ {
			execs := []string{"web"}
			var mounts uint64
			if run == 3 && i == 1 {
				execs, mounts = []string{"web", "nc"}, 1
			}
			window(sb, execs, mounts)
		}
	}
	// A sandbox of another image, still learning, in the same windows.
	a.watchTargets([]control.Target{{Sandbox: "db-0", Image: "image:db"}}, now)
	window("db-0", []string{"nc"}, 1)

	status := a.securityStatus()
	if len(status.Recent) != 2 || status.Counts["web-3"]["unexpected_binary"] != 1 || status.Counts["web-3"]["unexpected_privileged"] != 1 || len(status.Counts) != 1 {
		t.Fatalf("security status %+v", status)
	}
	recs, err := st.ForSandbox("web-3", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Kind+" "+r.Action+" "+r.Tier+": "+r.Reason)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{`security report_anomaly policy: rule unexpected_binary: executed "nc", never seen in this image`,
		"security report_anomaly policy: rule unexpected_privileged: 1 attempts at mount operations (1 refused)"} {
		if !strings.Contains(all, want) {
			t.Errorf("history of web-3 lacks %q:\n%s", want, all)
		}
	}
	var buf strings.Builder
	writeSecurityMetrics(&buf, status)
	if !strings.Contains(buf.String(), `runsc_ai_anomalies_total{sandbox="web-3",rule="unexpected_binary"} 1`) {
		t.Errorf("metrics:\n%s", buf.String())
	}
	if ps, _ := st.Profiles(); len(ps) != 2 {
		t.Errorf("profiles stored: %+v", ps)
	}
}

// With no agent running, behaviour accept works on the history itself:
// the anomaly's subject becomes part of its image's profile there; an
// always-rule's anomaly, a tuning decision and an unknown ID are refused
// with the reason, and no history at all is an error naming the path.
func TestAcceptWithoutAgent(t *testing.T) {
	state := t.TempDir()
	o := &node.Options{State: state, Run: t.TempDir()}
	if _, _, _, err := Accept(o, 1); err == nil || !strings.Contains(err.Error(), "no history at") {
		t.Errorf("no history: %v", err)
	}
	st, err := history.Open(o.History())
	if err != nil {
		t.Fatal(err)
	}
	p := profile.New("image:web")
	p.StartRun(profile.Learning{Runs: 1, Windows: 1})
	w := &profile.Window{Seconds: 1, Execs: []string{"web"}}
	p.Learn(w)
	p.StartRun(profile.Learning{Runs: 1, Windows: 1})
	if err := st.SaveProfile(p); err != nil {
		t.Fatal(err)
	}
	for _, r := range []llmkernel.DecisionRecord{
		{ID: 7, Sandbox: "web-3", Image: "image:web", Kind: "security", Action: "report_anomaly", Subject: "exec:nc", Reason: `rule unexpected_binary: executed "nc"`},
		{ID: 8, Sandbox: "web-3", Image: "image:web", Kind: "security", Action: "report_anomaly", Reason: "rule module_or_kexec: 1 attempts"},
		{ID: 9, Sandbox: "web-3", Image: "image:web", Kind: "cpu", Action: "lower_shares"},
	} {
		if err := st.PutDecision(r); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	got, subject, source, err := Accept(o, 7)
	if err != nil || subject != "exec:nc" || source != o.History() || got.Execs["nc"] != 1 || !got.Frozen {
		t.Fatalf("accept 7: %+v %q %q %v", got, subject, source, err)
	}
	for id, want := range map[uint64]string{8: "reports every attempt", 9: "not an anomaly", 99: "no such decision"} {
		if _, _, _, err := Accept(o, id); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("accept %d: %v, want %q", id, err, want)
		}
	}
	st, err = history.OpenReadOnly(o.History())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if q, err := st.LoadProfile("image:web"); err != nil || q.Execs["nc"] != 1 {
		t.Errorf("stored after accept: %+v %v", q, err)
	}
}
