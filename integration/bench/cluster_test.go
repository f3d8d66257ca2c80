package bench_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/bench"
	"github.com/go-os-agent/runsc-ai/integration/bench/kube"
	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

// The cluster mode against a real kube-apiserver (with etcd): the Jobs it
// generates are accepted and stored as generated; the per-node merge is fed
// the real output of each Job's command, run on this machine in the runtime
// the Job names (plain runsc, runsc-ai; the default runtime natively).
func TestBenchClusterJobsAndMerge(t *testing.T) {
	e := testenv.Get(t)
	api := testenv.StartAPIServer(t)
	out := t.TempDir()
	args := []string{"bench", "cluster", "--kubeconfig", api.Kubeconfig, "--nodes", "pi4-a,pi4-b", "--arch", "arm64",
		"--runtime-classes", "default,runsc,runsc-ai", "--workload", "getpid,cpu-sha256", "--quick", "--repeat", "2",
		"--run-id", "t1", "--wait", "0", "--out", out}
	b, err := exec.Command(e.RunscAI, args...).CombinedOutput()
	if err != nil || !strings.Contains(string(b), "submitted 24 Jobs to namespace runsc-ai-bench") {
		t.Fatalf("bench cluster: %v\n%s", err, b)
	}
	jobs, err := bench.ReadJobs(filepath.Join(out, "jobs.yaml"))
	if err != nil || len(jobs) != 24 {
		t.Fatalf("jobs.yaml: %d jobs, %v", len(jobs), err)
	}
	client, err := kube.FromKubeconfig(api.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	classes := map[string]int{}
	for _, j := range jobs {
		got, err := client.GetJob(ctx, j.Metadata.Namespace, j.Metadata.Name)
		if err != nil {
			t.Fatalf("job %s not stored: %v", j.Metadata.Name, err)
		}
		spec := got.Spec.Template.Spec
		a := got.Metadata.Annotations
		if spec.NodeSelector["kubernetes.io/hostname"] != a[bench.AnnoNode] || spec.NodeSelector["kubernetes.io/arch"] != "arm64" {
			t.Errorf("%s: node selector %v for node %s", j.Metadata.Name, spec.NodeSelector, a[bench.AnnoNode])
		}
		rc := "default"
		if spec.RuntimeClassName != nil {
			rc = *spec.RuntimeClassName
		}
		if rc != a[bench.AnnoRuntime] {
			t.Errorf("%s: runtime class %q, annotated %q", j.Metadata.Name, rc, a[bench.AnnoRuntime])
		}
		classes[rc]++
		c := spec.Containers[0]
		if strings.Join(c.Command, " ") != "/rsbench/runsc-ai bench-workload --dir /data --quick "+a[bench.AnnoWorkload] {
			t.Errorf("%s: command %v", j.Metadata.Name, c.Command)
		}
		if spec.Volumes[0].HostPath == nil || spec.Volumes[0].HostPath.Path != "/usr/local/bin" || !c.VolumeMounts[0].ReadOnly {
			t.Errorf("%s: workload binary not mounted read-only from the node: %+v", j.Metadata.Name, spec.Volumes)
		}
		// Defaulted by the apiserver: it really processed the object.
		if got.Spec.Completions == nil || *got.Spec.Completions != 1 || spec.RestartPolicy != "Never" {
			t.Errorf("%s: not defaulted by the apiserver: %+v", j.Metadata.Name, got.Spec)
		}
	}
	if classes["default"] != 8 || classes["runsc"] != 8 || classes["runsc-ai"] != 8 {
		t.Errorf("jobs per runtime class: %v", classes)
	}
	// Submitting the same run again fails, naming the Job.
	b, err = exec.Command(e.RunscAI, args...).CombinedOutput()
	if err == nil || !strings.Contains(string(b), "AlreadyExists") || !strings.Contains(string(b), "job rsb-t1-") {
		t.Errorf("resubmission: %v\n%s", err, b)
	}

	// Each Job's command, run here in its runtime, is the Job's log.
	logs := filepath.Join(out, "logs")
	os.MkdirAll(logs, 0o755)
	for i, j := range jobs {
		if i == 0 {
			continue // one Job never reports: merged as an error, not dropped
		}
		cmd := j.Spec.Template.Spec.Containers[0].Command
		wargs := append([]string{"bench-workload", "--dir", t.TempDir()}, cmd[4:]...)
		var run *exec.Cmd
		switch j.Metadata.Annotations[bench.AnnoRuntime] {
		case "default":
			run = exec.Command(e.RunscAI, wargs...)
		case "runsc":
			rt := testenv.NewRuntime(t, e.Runsc, "--network=none", "--ignore-cgroups")
			run = rt.Command(ctx, append([]string{"do", e.RunscAI}, wargs...)...)
		case "runsc-ai":
			rt := testenv.NewRuntime(t, e.RunscAI, "--network=none", "--ignore-cgroups")
			run = rt.Command(ctx, append([]string{"do", e.RunscAI}, wargs...)...)
		}
		log, err := run.Output()
		if err != nil {
			t.Fatalf("%s: %v", j.Metadata.Name, err)
		}
		os.WriteFile(filepath.Join(logs, j.Metadata.Name+".log"), log, 0o644)
	}
	merged := t.TempDir()
	if b, err := exec.Command(e.RunscAI, "bench", "merge", "--jobs", filepath.Join(out, "jobs.yaml"), "--logs", logs, "--out", merged).CombinedOutput(); err != nil ||
		!strings.Contains(string(b), "merged 24 Jobs from 2 nodes") {
		t.Fatalf("merge: %v\n%s", err, b)
	}
	all, err := bench.Load(filepath.Join(merged, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	missing := jobs[0].Metadata.Annotations
	for _, w := range []string{"getpid", "cpu-sha256"} {
		for _, rc := range []string{"default", "runsc", "runsc-ai"} {
			s := all.Find(w, "", rc)
			want := 4 // 2 nodes × 2 repetitions
			if w == missing[bench.AnnoWorkload] && rc == missing[bench.AnnoRuntime] {
				want = 3
				if len(s.Errors) != 1 || !strings.Contains(s.Errors[0], jobs[0].Metadata.Name) {
					t.Errorf("the missing log is not reported: %v", s.Errors)
				}
			}
			if s == nil || len(s.Values) != want || s.Median <= 0 {
				t.Errorf("overall %s on %s: %+v, want %d values", w, rc, s, want)
			}
		}
		if ra, ok := all.RatioOf(w, "", "runsc-ai"); !ok || ra.Vs != "runsc" || len(ra.Pairs) < 3 {
			t.Errorf("%s: no runsc-ai/runsc ratio: %+v", w, ra)
		}
	}
	for _, node := range []string{"pi4-a", "pi4-b"} {
		r, err := bench.Load(filepath.Join(merged, "nodes", node, "results.json"))
		if err != nil {
			t.Fatalf("node %s: %v", node, err)
		}
		if r.Machine.Hostname != node || len(r.Series) != 6 {
			t.Errorf("node %s: machine %+v, %d series", node, r.Machine, len(r.Series))
		}
		if rep, err := os.ReadFile(filepath.Join(merged, "nodes", node, "report.md")); err != nil || !strings.Contains(string(rep), "| getpid | ns/op | lower |") {
			t.Errorf("node %s report: %v", node, err)
		}
	}
}
