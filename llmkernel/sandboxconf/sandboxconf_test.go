package sandboxconf_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/policies"
)

func engine(t *testing.T, st *sandboxconf.Records, pol llmkernel.Policy) *llmkernel.Engine {
	t.Helper()
	e, err := llmkernel.New(llmkernel.Config{Policy: pol, Models: st.ModelStore()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func x86() sandboxconf.HostFacts {
	return sandboxconf.HostFacts{Arch: "amd64", Cores: 2, MemoryBytes: 8 << 30,
		Platforms: map[string]sandboxconf.Probe{"systrap": {Usable: true}, "ptrace": {Usable: true}, "kvm": {Usable: false, Detail: "nested"}}}
}

func pi4() sandboxconf.HostFacts {
	return sandboxconf.HostFacts{Arch: "arm64", Cores: 4, MemoryBytes: 4 << 30,
		Platforms: map[string]sandboxconf.Probe{"systrap": {Usable: true}, "kvm": {Usable: true}}}
}

func decide(t *testing.T, st *sandboxconf.Records, pol llmkernel.Policy, in sandboxconf.Inputs) sandboxconf.Plan {
	t.Helper()
	if in.History == nil {
		d, err := st.Digest(in.Spec.Image)
		if err != nil {
			t.Fatal(err)
		}
		in.History = d
	}
	p, err := sandboxconf.Decide(context.Background(), engine(t, st, pol), &pol, in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func get(t *testing.T, p sandboxconf.Plan, name string) sandboxconf.Choice {
	t.Helper()
	c, ok := p.Get(name)
	if !ok {
		t.Fatalf("plan lacks %s", name)
	}
	return c
}

func TestFirstRunIsDefaultsWithHostPlatform(t *testing.T) {
	st, _ := sandboxconf.Open(t.TempDir())
	pol := policies.Default()
	for _, tc := range []struct {
		host sandboxconf.HostFacts
		want string
	}{{x86(), "systrap"}, {pi4(), "kvm"}} {
		p := decide(t, st, pol, sandboxconf.Inputs{ContainerID: "c1", Host: tc.host, Spec: sandboxconf.Spec{Image: "busybox"}})
		if c := get(t, p, "platform"); c.Value != tc.want || c.Source != sandboxconf.SourceHost {
			t.Errorf("%s: platform %+v, want %s from host", tc.host.Arch, c, tc.want)
		}
		if p.Profile != "keep" || !strings.Contains(p.Decision.Reason, "first run") {
			t.Errorf("first run: profile %s (%s), want keep", p.Profile, p.Decision.Reason)
		}
		if c := get(t, p, "overlay2"); c.Source != sandboxconf.SourceDefault || c.Value != "root:self" {
			t.Errorf("overlay2 %+v, want gVisor's default", c)
		}
		if got := len(p.Choices); got != len(sandboxconf.Settings()) {
			t.Errorf("%d choices, want one per setting", got)
		}
	}
}

func TestKVMNeedsAProbe(t *testing.T) {
	st, _ := sandboxconf.Open(t.TempDir())
	h := pi4()
	h.Platforms = nil // no probe has run
	p := decide(t, st, policies.Default(), sandboxconf.Inputs{Host: h, Spec: sandboxconf.Spec{Image: "x"}})
	c := get(t, p, "platform")
	if c.Value != "systrap" || !strings.Contains(c.Reason, "kvm: not probed") {
		t.Errorf("unprobed kvm chosen or reason silent: %+v", c)
	}
	if p.Risky() {
		t.Error("a systrap plan is not risky")
	}
}

func TestExplicitSettingsWin(t *testing.T) {
	st, _ := sandboxconf.Open(t.TempDir())
	explicit := map[string]sandboxconf.Choice{
		"platform": {Name: "platform", Value: "ptrace", Source: sandboxconf.SourceFlag},
		"overlay2": {Name: "overlay2", Value: "none", Source: sandboxconf.SourceAnnotation},
	}
	p := decide(t, st, policies.Default(), sandboxconf.Inputs{Host: pi4(), Spec: sandboxconf.Spec{Image: "x", Profile: "profile_io_heavy"}, Explicit: explicit})
	for name, want := range explicit {
		if c := get(t, p, name); c != want {
			t.Errorf("%s: %+v, want the user's %+v", name, c, want)
		}
	}
	// The annotation-chosen profile applies to what the user left unset.
	if c := get(t, p, "num-network-channels"); c.Value != "4" || c.Source != sandboxconf.SourceProfile {
		t.Errorf("num-network-channels %+v, want 4 (cores) from the profile annotation", c)
	}
	for _, c := range p.Decided() {
		if c.Name == "platform" || c.Name == "overlay2" {
			t.Errorf("explicit %s would be applied: %+v", c.Name, c)
		}
	}
}

func TestBadProfileAnnotation(t *testing.T) {
	st, _ := sandboxconf.Open(t.TempDir())
	pol := policies.Default()
	_, err := sandboxconf.Decide(context.Background(), engine(t, st, pol), &pol,
		sandboxconf.Inputs{Host: x86(), Spec: sandboxconf.Spec{Image: "x", Profile: "profile_turbo\x1b[2J"}})
	if err == nil || !strings.Contains(err.Error(), "runsc-ai.profile") {
		t.Fatalf("err = %v, want one naming the annotation", err)
	}
}

func TestFailedPlatformIsAvoidedAndFallsBack(t *testing.T) {
	st, _ := sandboxconf.Open(t.TempDir())
	pol := policies.Default()
	p := decide(t, st, pol, sandboxconf.Inputs{ContainerID: "a", Host: pi4(), Spec: sandboxconf.Spec{Image: "img"}})
	if !p.Risky() {
		t.Fatal("kvm plan should be risky")
	}
	changed := p.FallBack("kvm did not boot")
	if len(changed) != 1 || changed[0].Value != "kvm" {
		t.Fatalf("fallback changed %+v", changed)
	}
	if c := get(t, p, "platform"); c.Value != "systrap" || c.Source != sandboxconf.SourceFallback {
		t.Errorf("after fallback: %+v", c)
	}
	if err := st.RecordFailure("img", "platform", "kvm", "panic: error setting system registers"); err != nil {
		t.Fatal(err)
	}
	p2 := decide(t, st, pol, sandboxconf.Inputs{ContainerID: "b", Host: pi4(), Spec: sandboxconf.Spec{Image: "img"}})
	if c := get(t, p2, "platform"); c.Value != "systrap" || !strings.Contains(c.Reason, "kvm failed to boot this image") {
		t.Errorf("second run: %+v, want systrap citing the failure", c)
	}
	// Another image is not affected.
	p3 := decide(t, st, pol, sandboxconf.Inputs{ContainerID: "c", Host: pi4(), Spec: sandboxconf.Spec{Image: "other"}})
	if c := get(t, p3, "platform"); c.Value != "kvm" {
		t.Errorf("other image: %+v", c)
	}
}

func TestHistoryScoresRunsAndTeachesTheFastTier(t *testing.T) {
	dir := t.TempDir()
	st, _ := sandboxconf.Open(dir)
	pol := policies.Default()
	img := "registry.example/app:1"
	var rewards []float64
	for i, ms := range []float64{100, 100, 50} {
		p := decide(t, st, pol, sandboxconf.Inputs{ContainerID: "c", Host: x86(), Spec: sandboxconf.Spec{Image: img}})
		if p.Situation.Evidence != i {
			t.Errorf("run %d: evidence %d, want %d earlier runs", i, p.Situation.Evidence, i)
		}
		if i > 0 && p.Decision.Tier == llmkernel.TierFallback {
			t.Errorf("run %d: decided by %s (%s), want the fast tier", i, p.Decision.Tier, p.Decision.Rejected)
		}
		r := sandboxconf.NewRun(&p, "c")
		r.StartupMs, r.Measure = ms, "create"
		if err := st.Pending(img, r); err != nil {
			t.Fatal(err)
		}
		gotImg, pend, err := st.Take("c")
		if err != nil || gotImg != img {
			t.Fatalf("take: %q %v", gotImg, err)
		}
		done, err := st.Complete(gotImg, pend, &pol)
		if err != nil {
			t.Fatal(err)
		}
		rewards = append(rewards, *done.Reward)
	}
	if rewards[0] != 0 || rewards[2] <= 0 {
		t.Errorf("rewards %v: want 0 for the first run and > 0 for the run twice as fast", rewards)
	}
	if _, err := os.Stat(filepath.Join(dir, llmkernel.ModelName+".bin")); err != nil {
		t.Errorf("no learned model: %v", err)
	}
	h, _ := st.Runs(img)
	if len(h.Runs) != 3 {
		t.Errorf("history has %d runs", len(h.Runs))
	}
	if _, r, live, err := st.Find("c"); err != nil || live || r.StartupMs != 50 {
		t.Errorf("find: %+v live=%v %v", r, live, err)
	}
}

func TestConcurrentCompletesLoseNothing(t *testing.T) {
	st, _ := sandboxconf.Open(t.TempDir())
	pol := policies.Default()
	p := decide(t, st, pol, sandboxconf.Inputs{Host: x86(), Spec: sandboxconf.Spec{Image: "img"}})
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := sandboxconf.NewRun(&p, "c")
			r.StartupMs, r.Measure = float64(100+i), "run"
			if _, err := st.Complete("img", r, &pol); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if h, _ := st.Runs("img"); len(h.Runs) != 16 {
		t.Errorf("%d runs recorded, want 16", len(h.Runs))
	}
}

// Writers replace files by removing the old one and renaming the new one in
// (no ext4 flush on the command's path); readers that take no lock must
// still never see an image's history, its digest or the model missing.
func TestReadersNeverSeeAFileMissingWhileItIsReplaced(t *testing.T) {
	st, _ := sandboxconf.Open(t.TempDir())
	pol := policies.Default()
	p := decide(t, st, pol, sandboxconf.Inputs{Host: x86(), Spec: sandboxconf.Spec{Image: "img"}})
	complete := func(i int) {
		r := sandboxconf.NewRun(&p, fmt.Sprint("c", i))
		r.StartupMs, r.Measure = float64(100+i%7), "run"
		if _, err := st.Complete("img", r, &pol); err != nil {
			t.Error(err)
		}
	}
	complete(0)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 1; i < 300; i++ {
			complete(i)
		}
	}()
	reads := 0
	for running := true; running; reads++ {
		select {
		case <-done:
			running = false
		default:
		}
		if h, err := st.Runs("img"); err != nil || len(h.Runs) == 0 {
			t.Fatalf("read %d: history %v, %v", reads, h, err)
		}
		if d, err := st.Digest("img"); err != nil || d.Image != "img" || d.Runs == 0 {
			t.Fatalf("read %d: digest %+v, %v", reads, d, err)
		}
		b, err := st.ModelStore().LoadModel(llmkernel.ModelName)
		if err != nil || len(b) == 0 {
			t.Fatalf("read %d: model of %d bytes, %v", reads, len(b), err)
		}
	}
	wg.Wait()
	t.Logf("%d reads while 300 runs were recorded", reads)
}

// A command's end only journals its run; a fold scores journaled runs in
// order, teaches the model, and never adds a run twice, even when an earlier
// fold died half-way.
func TestJournaledRunsAreFoldedOnce(t *testing.T) {
	dir := t.TempDir()
	st, _ := sandboxconf.Open(dir)
	pol := policies.Default()
	p := decide(t, st, pol, sandboxconf.Inputs{Host: x86(), Spec: sandboxconf.Spec{Image: "img"}})
	run := func(id string, ms float64) sandboxconf.Run {
		r := sandboxconf.NewRun(&p, id)
		r.StartupMs, r.Measure = ms, "run"
		return r
	}
	runs := map[string]sandboxconf.Run{}
	for i, id := range []string{"a", "b", "c"} {
		runs[id] = run(id, []float64{100, 110, 90}[i])
		if _, err := st.Finish("img", runs[id]); err != nil {
			t.Fatal(err)
		}
	}
	if d, _ := st.Digest("img"); d.Runs != 0 {
		t.Errorf("digest counts %d runs before any fold", d.Runs)
	}
	if n, err := st.Fold(&pol); n != 3 || err != nil {
		t.Fatalf("fold: %d runs, %v; want 3", n, err)
	}
	model, _ := st.ModelStore().LoadModel(llmkernel.ModelName)
	h, _ := st.Runs("img")
	var ids []string
	for _, r := range h.Runs {
		ids = append(ids, r.ContainerID)
	}
	if strings.Join(ids, ",") != "a,b,c" || h.Runs[2].Reward == nil || *h.Runs[2].Reward <= 0 {
		t.Fatalf("history %v; c (90 ms, after 100 and 110) must be rewarded: %v", ids, h.Runs[2].Reward)
	}
	if d, _ := st.Digest("img"); d.Runs != 3 {
		t.Errorf("digest counts %d runs after the fold", d.Runs)
	}
	if len(model) == 0 {
		t.Error("the fold taught no model")
	}
	if n, err := st.Fold(&pol); n != 0 || err != nil {
		t.Errorf("second fold: %d runs, %v", n, err)
	}

	// A fold died after writing b's image history: its journal.fold holds
	// b (already in) and d (not yet), and a damaged line.
	line := func(image string, r sandboxconf.Run) string {
		b, _ := json.Marshal(map[string]any{"image": image, "run": r})
		return string(b) + "\n"
	}
	leftover := line("img", runs["b"]) + "{not json\n" + line("img", run("d", 95))
	if err := os.WriteFile(filepath.Join(dir, "journal.fold"), []byte(leftover), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Finish("img", run("e", 100)); err != nil {
		t.Fatal(err)
	}
	n, err := st.Fold(&pol)
	if n != 2 || err == nil || !strings.Contains(err.Error(), "1 damaged entries skipped") {
		t.Errorf("fold after a dead one: %d runs, %v; want d and e, and the damaged line named", n, err)
	}
	h, _ = st.Runs("img")
	ids = ids[:0]
	for _, r := range h.Runs {
		ids = append(ids, r.ContainerID)
	}
	if strings.Join(ids, ",") != "a,b,c,d,e" {
		t.Errorf("history %v, want a,b,c,d,e", ids)
	}
	for _, f := range []string{"journal", "journal.fold"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s left after the fold", f)
		}
	}
	if m, _ := st.ModelStore().LoadModel(llmkernel.ModelName); string(m) == string(model) {
		t.Error("d and e taught the model nothing")
	}
}

// Runs journaled while folds take the journal away are all folded, once.
func TestAppendsDuringFoldsLoseNothing(t *testing.T) {
	st, _ := sandboxconf.Open(t.TempDir())
	pol := policies.Default()
	p := decide(t, st, pol, sandboxconf.Inputs{Host: x86(), Spec: sandboxconf.Spec{Image: "img"}})
	const images, perImage = 6, 20
	stop := make(chan struct{})
	var folders sync.WaitGroup
	for range 2 {
		folders.Add(1)
		go func() {
			defer folders.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := st.Fold(&pol); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	var wg sync.WaitGroup
	for i := range images {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range perImage {
				r := sandboxconf.NewRun(&p, fmt.Sprintf("c%d-%d", i, j))
				r.StartupMs, r.Measure = float64(100+j%5), "run"
				if _, err := st.Finish(fmt.Sprint("img", i), r); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	folders.Wait()
	if _, err := st.Fold(&pol); err != nil {
		t.Fatal(err)
	}
	for i := range images {
		h, _ := st.Runs(fmt.Sprint("img", i))
		seen := map[string]bool{}
		for _, r := range h.Runs {
			if seen[r.ContainerID] {
				t.Errorf("img%d: %s folded twice", i, r.ContainerID)
			}
			seen[r.ContainerID] = true
		}
		if len(seen) != perImage {
			t.Errorf("img%d: %d runs folded, want %d", i, len(seen), perImage)
		}
	}
}

// Finish says when the journal is due to be folded: not for the first
// runs, once it holds FoldDue bytes.
func TestJournalFallsDue(t *testing.T) {
	st, _ := sandboxconf.Open(t.TempDir())
	pol := policies.Default()
	p := decide(t, st, pol, sandboxconf.Inputs{Host: x86(), Spec: sandboxconf.Spec{Image: "img"}})
	n := 0
	for ; n < 1000; n++ {
		due, err := st.Finish("img", sandboxconf.NewRun(&p, fmt.Sprint("c", n)))
		if err != nil {
			t.Fatal(err)
		}
		if due {
			break
		}
	}
	if n < 5 || n >= 200 {
		t.Errorf("due after %d runs; want a batch of tens", n+1)
	}
	if folded, err := st.Fold(&pol); err != nil || folded != n+1 {
		t.Errorf("folded %d, %v; want %d", folded, err, n+1)
	}
	if due, _ := st.Finish("img", sandboxconf.NewRun(&p, "after")); due {
		t.Error("due again right after a fold")
	}
}

// A journal nothing folds stops growing at the store's file bound.
func TestFullJournalRefusesRuns(t *testing.T) {
	dir := t.TempDir()
	st, _ := sandboxconf.Open(dir)
	pol := policies.Default()
	p := decide(t, st, pol, sandboxconf.Inputs{Host: x86(), Spec: sandboxconf.Spec{Image: "img"}})
	if err := os.WriteFile(filepath.Join(dir, "journal"), make([]byte, 1<<20-10), 0o600); err != nil {
		t.Fatal(err)
	}
	due, err := st.Finish("img", sandboxconf.NewRun(&p, "x"))
	if err == nil || !strings.Contains(err.Error(), "full") || !due {
		t.Errorf("finish into a full journal: due %v, %v", due, err)
	}
}

func TestDamagedHistoryStartsAfresh(t *testing.T) {
	dir := t.TempDir()
	st, _ := sandboxconf.Open(dir)
	pol := policies.Default()
	if err := st.RecordFailure("img", "platform", "kvm", "x"); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "images", "*.json"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	os.WriteFile(files[0], []byte("{\"image\": \"img\", \"runs\": [tru"), 0o600)
	h, err := st.Runs("img")
	if err == nil || len(h.Runs) != 0 {
		t.Fatalf("damaged file: %v, %d runs", err, len(h.Runs))
	}
	r := sandboxconf.NewRun(new(sandboxconf.Plan), "c")
	r.Profile = "keep"
	if _, err := st.Complete("img", r, &pol); err != nil {
		t.Fatalf("complete after damage: %v", err)
	}
}

// On a host without the memory controller (Raspberry Pi OS's default),
// where gVisor fails every sandbox with a cgroup: a container without limits
// runs without a cgroup, one with limits is refused with the fix, an
// explicit --ignore-cgroups is the user's, and a host with every controller
// changes nothing.
func TestMissingMemoryControllerDecides(t *testing.T) {
	st, _ := sandboxconf.Open(t.TempDir())
	pol := policies.Default()
	e := engine(t, st, pol)
	host := pi4()
	host.MissingCgroups, host.CgroupFix = []string{"memory"}, "add cgroup_enable=memory cgroup_memory=1"
	in := sandboxconf.Inputs{Host: host, Spec: sandboxconf.Spec{Image: "img"}, History: &sandboxconf.Digest{}}
	p, err := sandboxconf.Decide(context.Background(), e, &pol, in)
	if err != nil {
		t.Fatal(err)
	}
	if c := get(t, p, "ignore-cgroups"); c.Value != "true" || c.Source != sandboxconf.SourceHost || !strings.Contains(c.Reason, "cgroup_enable=memory") {
		t.Errorf("no limits: %+v", c)
	}
	in.Spec.Limits = []string{"memory"}
	_, err = sandboxconf.Decide(context.Background(), e, &pol, in)
	if !errors.Is(err, sandboxconf.ErrLimitsUnenforceable) || !strings.Contains(err.Error(), "sets memory limits") || !strings.Contains(err.Error(), "cgroup_enable=memory") {
		t.Errorf("limits: %v", err)
	}
	in.Explicit = map[string]sandboxconf.Choice{"ignore-cgroups": {Name: "ignore-cgroups", Value: "true", Source: sandboxconf.SourceFlag}}
	if p, err := sandboxconf.Decide(context.Background(), e, &pol, in); err != nil || get(t, p, "ignore-cgroups").Source != sandboxconf.SourceFlag {
		t.Errorf("explicit --ignore-cgroups: %v", err)
	}
	in.Explicit, in.Host = nil, pi4()
	if p, err := sandboxconf.Decide(context.Background(), e, &pol, in); err != nil || get(t, p, "ignore-cgroups").Source != sandboxconf.SourceDefault {
		t.Errorf("every controller: %v", err)
	}
	if err := sandboxconf.CheckSetting("ignore-cgroups", "true"); err == nil {
		t.Error("a profile may choose ignore-cgroups")
	}
}

func TestCheckSettingRejectsWeakening(t *testing.T) {
	for _, bad := range [][2]string{{"network", "host"}, {"host-uds", "all"}, {"platform", "kvm;rm"}, {"num-network-channels", "64"}, {"overlay2", "none"}} {
		if err := sandboxconf.CheckSetting(bad[0], bad[1]); err == nil {
			t.Errorf("%s=%s accepted", bad[0], bad[1])
		}
	}
}

func TestPruneForgetsOnlyOldPendingRuns(t *testing.T) {
	dir := t.TempDir()
	st, _ := sandboxconf.Open(dir)
	for _, id := range []string{"old", "new"} {
		r := sandboxconf.NewRun(new(sandboxconf.Plan), id)
		if err := st.Pending("img", r); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "containers", "*.json"))
	var oldFile string
	for _, f := range files {
		if b, _ := os.ReadFile(f); strings.Contains(string(b), `"container_id":"old"`) {
			oldFile = f
		}
	}
	past := time.Now().Add(-sandboxconf.PendingTTL - time.Hour)
	if err := os.Chtimes(oldFile, past, past); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Prune(sandboxconf.PendingTTL); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	if _, _, live, err := st.Find("new"); err != nil || !live {
		t.Errorf("the recent pending run was pruned: %v", err)
	}
	if _, _, _, err := st.Find("old"); err == nil {
		t.Error("the old pending run survived")
	}
}

// The create path reads the digest; it agrees with the history, and a
// damaged digest falls back to the history itself.
func TestDigestFollowsHistory(t *testing.T) {
	dir := t.TempDir()
	st, _ := sandboxconf.Open(dir)
	pol := policies.Default()
	for i, ms := range []float64{120, 80, 100} {
		r := sandboxconf.NewRun(new(sandboxconf.Plan), "c")
		r.Profile, r.StartupMs, r.Measure, r.PeakMemory = "keep", ms, "create", uint64(i+1)<<20
		if _, err := st.Complete("img", r, &pol); err != nil {
			t.Fatal(err)
		}
	}
	st.RecordFailure("img", "platform", "kvm", "boom")
	h, _ := st.Runs("img")
	want := h.Digest()
	d, err := st.Digest("img")
	if err != nil || d.Runs != 3 || d.PeakMemory != 3<<20 || d.MedianMs["create"] != 100 || d.Failed["platform=kvm"].Error != "boom" {
		t.Fatalf("digest %+v, %v", d, err)
	}
	if d.Summary() != want.Summary() || !strings.Contains(d.Summary(), "history: 3 earlier runs, median 100 ms (create)") {
		t.Errorf("summary %q vs %q", d.Summary(), want.Summary())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "images", "*.digest"))
	os.WriteFile(files[0], []byte("{garbage"), 0o600)
	if d2, _ := st.Digest("img"); d2.Runs != 3 || d2.Failed["platform=kvm"].Error != "boom" {
		t.Errorf("fallback digest %+v", d2)
	}
}
