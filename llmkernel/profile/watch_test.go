package profile_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel/history"
	"github.com/go-os-agent/runsc-ai/llmkernel/profile"
	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
	"github.com/go-os-agent/runsc-ai/policies"
)

func window(execs ...string) *profile.Window {
	w := &profile.Window{Seconds: 1, Execs: execs}
	w.Classes[summary.FileIO].Calls = 100
	w.Classes[summary.Process].Calls = 2
	return w
}

// Three runs of an image teach its profile (kept in the history, so a new
// agent knows it); the fourth run's unexpected binary, raw socket and
// mount attempts are reported once each per rate-limit period, evidence
// included; evidence that arrived before the sandbox's image was known is
// checked when it is.
func TestWatcherLearnsThenReports(t *testing.T) {
	db, err := history.Open(filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := profile.Learning{Runs: 3, Windows: 6}
	now := time.Unix(1000, 0)
	w := profile.NewWatcher(db, policies.Default().Security.Rules, l, time.Minute)
	for run := 0; run < 3; run++ {
		sb := fmt.Sprintf("run-%d", run)
		w.SetImage(sb, "image:web", now)
		for i := 0; i < 3; i++ {
			now = now.Add(time.Second)
			if f := w.Observe(sb, window("web", "sh"), now); len(f) != 0 {
				t.Fatalf("run %d: %v", run, f)
			}
		}
		w.Forget(sb)
	}
	// A new agent (a new watcher on the same history) checks run four.
	w = profile.NewWatcher(db, policies.Default().Security.Rules, l, time.Minute)
	bad := window("web", "nc")
	bad.Classes[summary.SockOther].Calls = 1
	bad.Classes[summary.Mount] = summary.Count{Calls: 2, Bytes: 2}
	if f := w.Observe("run-3", bad, now); len(f) != 0 {
		t.Fatalf("before the image is known: %v", f)
	}
	got := w.SetImage("run-3", "image:web", now)
	rules := map[string]string{}
	for _, f := range got {
		rules[f.Anomaly.Rule.Name] = f.String()
	}
	for r, want := range map[string]string{"unexpected_binary": `executed "nc", never seen in this image`, "unexpected_network": "sock_other", "unexpected_privileged": "2 attempts at mount operations (2 refused)"} {
		if !strings.Contains(rules[r], want) {
			t.Errorf("%s: %q, want %q (all: %v)", r, rules[r], want, got)
		}
	}
	if len(got) != 3 {
		t.Errorf("%d findings: %v", len(got), got)
	}
	// The same again within the minute: held back, counted.
	if f := w.Observe("run-3", bad, now.Add(10*time.Second)); len(f) != 0 {
		t.Errorf("not rate-limited: %v", f)
	}
	if f := w.Observe("run-3", bad, now.Add(2*time.Minute)); len(f) != 3 {
		t.Errorf("after the period: %v", f)
	}
	st := w.Stats()
	if st.Limited != 3 || st.Counts["run-3"]["unexpected_binary"] != 2 || len(st.Recent) != 6 {
		t.Errorf("stats %+v", st)
	}
	// The frozen profile did not learn nc.
	if p := w.Profile("image:web"); p.Execs["nc"] != 0 || !p.Frozen || p.Runs != 3 {
		t.Errorf("profile %s", &p)
	}
	stored, err := db.Profiles()
	if err != nil || len(stored) != 1 || stored[0].Windows != 9 {
		t.Errorf("stored %v %v", stored, err)
	}
	// The operator accepts nc (its subject, as the decision record keeps
	// it): in memory at once, and in the history for the next agent.
	var nc profile.Finding
	for _, f := range got {
		if f.Anomaly.Exec == "nc" {
			nc = f
		}
	}
	if _, err := w.Accept("image:web", nc.Anomaly.Subject()); err != nil {
		t.Fatal(err)
	}
	for _, f := range w.Observe("run-3", bad, now.Add(4*time.Minute)) {
		if f.Anomaly.Exec == "nc" {
			t.Errorf("accepted, still reported: %s", f)
		}
	}
	if p, err := db.LoadProfile("image:web"); err != nil || p.Execs["nc"] != 1 {
		t.Errorf("stored after accept: %v %v", p, err)
	}
	if _, err := w.Accept("image:other", "exec:nc"); err == nil || !strings.Contains(err.Error(), "no profile") {
		t.Errorf("accept into an image with no profile: %v", err)
	}
	if _, err := w.Accept("image:web", "exec:../nc"); err == nil {
		t.Error("a hostile subject was accepted")
	}
}

// One sandbox cannot act on another's findings or profile: each finding
// names its sandbox, and a sandbox of another image is checked against its
// own (still learning) profile.
func TestWatcherKeepsSandboxesApart(t *testing.T) {
	l := profile.Learning{Runs: 1, Windows: 1}
	now := time.Unix(1000, 0)
	w := profile.NewWatcher(nil, policies.Default().Security.Rules, l, time.Minute)
	w.SetImage("a", "image:a", now)
	w.Observe("a", window("a"), now)
	w.SetImage("a2", "image:a", now)
	w.SetImage("b", "image:b", now)
	if f := w.Observe("b", window("evil"), now); len(f) != 0 {
		t.Errorf("b learning: %v", f)
	}
	f := w.Observe("a2", window("evil"), now)
	if len(f) != 1 || f[0].Sandbox != "a2" || f[0].Image != "image:a" {
		t.Errorf("a2: %v", f)
	}
	if st := w.Stats(); len(st.Counts) != 1 || st.Counts["a2"]["unexpected_binary"] != 1 {
		t.Errorf("counts %v", st.Counts)
	}
}

// Bounded: more sandboxes than MaxSandboxes are not watched (and cost
// nothing); a flood of distinct binaries yields rate-limited findings and
// a bounded recent list.
func TestWatcherBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	w := profile.NewWatcher(nil, policies.Default().Security.Rules, profile.Learning{}, time.Minute)
	for i := 0; i < profile.MaxSandboxes+10; i++ {
		w.Observe(fmt.Sprintf("sb-%d", i), window(), now)
	}
	if n := len(w.Sandboxes()); n != profile.MaxSandboxes {
		t.Errorf("%d sandboxes watched", n)
	}
	w.SetImage("sb-1", "image:x", now)
	w.Observe("sb-1", window("x"), now)
	w.SetImage("sb-2", "image:x", now)
	for i := 0; i < 10000; i++ {
		w.Observe("sb-2", window(fmt.Sprintf("b%d", i%300)), now.Add(time.Duration(i)*time.Millisecond))
	}
	if st := w.Stats(); len(st.Recent) != profile.MaxRecent || st.Counts["sb-2"]["unexpected_binary"] > 256+1 {
		t.Errorf("recent %d, counted %d", len(st.Recent), st.Counts["sb-2"]["unexpected_binary"])
	}
}
