//go:build e2e_kubernetes

// The single-node end-to-end test: `make e2e-kubernetes` (opt-in; it
// builds kubelet, kube-controller-manager and kube-scheduler once, ~10 min
// cold). It runs etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kubelet on containerd 2.x with runsc-ai's shim, applies
// the RuntimeClass manifest and runs a pod with runtimeClassName: runsc-ai
// to completion. Host settings kubelet changes (sysctls, iptables, cgroups,
// mounts, pod log links) are put back at the end.
package kubernetes_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/integration/bench/kube"
	"github.com/go-os-agent/runsc-ai/integration/containerd/shim"
	"github.com/go-os-agent/runsc-ai/integration/docker"
	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

const (
	nodeName   = "runsc-ai-e2e-node"
	pauseImage = "docker.io/library/runsc-ai-pause:1"
	podImage   = "docker.io/library/runsc-ai-e2e:1"
)

func kubeBins(t *testing.T) map[string]string {
	names := []string{"kubelet", "kube-controller-manager", "kube-scheduler"}
	args := append([]string{filepath.Join(testenv.RepoRoot(), "integration", "kubernetes", "build-kube.sh")}, names...)
	out, err := exec.Command("sh", args...).Output()
	if err != nil {
		t.Fatalf("build-kube.sh: %v", err)
	}
	paths := strings.Fields(string(out))
	bins := map[string]string{}
	for i, n := range names {
		bins[n] = paths[i]
	}
	return bins
}

func TestSingleNodePod(t *testing.T) {
	start := time.Now()
	env := testenv.Get(t)
	bins := kubeBins(t)
	dir2 := testenv.Containerd2Dir(t)
	testenv.SerializeDaemons(t)
	dir, err := os.MkdirTemp("", "rai-k8s-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range []string{"kubelet", "containerd", "controller-manager", "scheduler"} {
				t.Logf("--- %s.log (tail):\n%s", l, testenv.TailFile(filepath.Join(dir, l+".log"), 6000))
			}
		}
	})
	cgroupRoot := "rai-k8s-" + filepath.Base(dir)[len("rai-k8s-"):]
	runscRoot := filepath.Join(shim.DefaultRoot, "k8s.io")
	// Cleanups run last-in first-out: these paths go after the guard
	// unmounted what is mounted below them.
	testenv.RemoveIfNew(t, "/run/containerd", "/run/containerd/s", "/run/containerd/fifo", shim.DefaultRoot,
		"/var/log/containers", "/var/lib/kubelet", "/var/lib/kubelet/device-plugins")
	testenv.RemoveNewEntries(t, "/var/log/containers")
	testenv.RemoveNewEntries(t, "/var/lib/kubelet/device-plugins")
	t.Cleanup(func() { os.RemoveAll(runscRoot) })
	guard := []string{dir, runscRoot}
	testenv.GuardHost(t, guard, []string{cgroupRoot})
	sock := filepath.Join(dir, "c.sock")
	t.Cleanup(func() {
		// After kubelet and containerd stopped: pod sandboxes and shims.
		if n := testenv.KillMatching(sock) + testenv.KillMatching(runscRoot); n > 0 {
			t.Logf("killed %d leftover shim/sandbox processes", n)
			time.Sleep(500 * time.Millisecond)
		}
	})

	// containerd 2.x with CRI, no CNI (the pod uses the host network
	// namespace; runsc-ai gives it only loopback) and runsc-ai's runtime
	// from the shipped snippet.
	snippet, err := os.ReadFile("containerd2-runsc-ai.toml")
	if err != nil {
		t.Fatal(err)
	}
	aiState := filepath.Join(dir, "ai-state")
	opts := filepath.Join(dir, "runsc-ai.toml")
	os.WriteFile(opts, []byte(fmt.Sprintf("[runsc_config]\n  ai-state = %q\n  ai-run = %q\n  network = \"none\"\n", aiState, filepath.Join(dir, "ai-run"))), 0o644)
	cfg := fmt.Sprintf(`version = 3
root = %q
state = %q
[grpc]
  address = %q
[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = '127.0.0.1'
  stream_server_port = '0'
[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = %q
[plugins.'io.containerd.cri.v1.runtime'.cni]
  conf_dir = %q
  bin_dir = %q
%s`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), sock, pauseImage,
		filepath.Join(dir, "cni", "conf"), filepath.Join(dir, "cni", "bin"),
		strings.ReplaceAll(string(snippet), "/etc/containerd/runsc-ai.toml", opts))
	os.WriteFile(filepath.Join(dir, "containerd.toml"), []byte(cfg), 0o644)
	t.Setenv("PATH", filepath.Dir(env.Shim)+":"+os.Getenv("PATH"))
	testenv.StartDaemon(t, filepath.Join(dir, "containerd.log"), filepath.Join(dir2, "containerd"), "--config", filepath.Join(dir, "containerd.toml"))
	// ctr's stdout, with stderr (ctr 2.x warns there about cgroup v1) in
	// the error.
	ctr := func(args ...string) (string, error) {
		cmd := exec.Command(filepath.Join(dir2, "ctr"), append([]string{"--address", sock, "--namespace", "k8s.io"}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			err = fmt.Errorf("%w: %s", err, stderr.Bytes())
		}
		return string(out), err
	}
	waitFor(t, 30*time.Second, "containerd", func() error { _, err := ctr("version"); return err })
	for ref, cmd := range map[string][]string{pauseImage: {"/bin/sleep", "2147483647"}, podImage: {"/bin/sh"}} {
		p := filepath.Join(dir, strings.NewReplacer("/", "_", ":", "_").Replace(ref)+".tar")
		if err := docker.WriteImageFile(p, env.Rootfs, ref, cmd); err != nil {
			t.Fatal(err)
		}
		if out, err := ctr("images", "import", p); err != nil {
			t.Fatalf("import %s: %v: %s", ref, err, out)
		}
	}

	api := testenv.StartAPIServer(t)
	ports := testenv.FreePorts(t, 3)
	testenv.StartDaemon(t, filepath.Join(dir, "controller-manager.log"), bins["kube-controller-manager"],
		"--kubeconfig="+api.Kubeconfig, "--leader-elect=false", "--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", ports[0]), "--service-account-private-key-file="+api.SAKey,
		"--use-service-account-credentials=false", "--controllers=*,-serviceaccount-token")
	testenv.StartDaemon(t, filepath.Join(dir, "scheduler.log"), bins["kube-scheduler"],
		"--kubeconfig="+api.Kubeconfig, "--leader-elect=false", "--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", ports[1]))
	kubeletCfg := fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: %d
readOnlyPort: 0
healthzPort: 0
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupRoot: /%s
failSwapOn: false
failCgroupV1: false
containerRuntimeEndpoint: unix://%s
imageServiceEndpoint: unix://%s
podLogsDir: %s
resolvConf: ""
evictionHard: {memory.available: "1Mi", nodefs.available: "1%%", imagefs.available: "1%%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
`, ports[2], cgroupRoot, sock, sock, filepath.Join(dir, "pod-logs"))
	os.WriteFile(filepath.Join(dir, "kubelet.yaml"), []byte(kubeletCfg), 0o644)
	makeCgroupRoot(t, cgroupRoot) // kubelet wants its cgroupRoot to exist
	testenv.StartDaemon(t, filepath.Join(dir, "kubelet.log"), bins["kubelet"],
		"--config="+filepath.Join(dir, "kubelet.yaml"), "--kubeconfig="+api.Kubeconfig,
		"--root-dir="+filepath.Join(dir, "kubelet"), "--cert-dir="+filepath.Join(dir, "kubelet-pki"),
		"--hostname-override="+nodeName,
		"--node-labels=runsc-ai.dev/installed=true")

	c, err := kube.FromKubeconfig(api.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	node := kube.Object{"apiVersion": "v1", "kind": "Node", "metadata": map[string]any{"name": nodeName}}
	waitFor(t, 2*time.Minute, "node registration", func() error { _, err := c.Get(ctx, node); return err })
	t.Logf("control plane and node up after %v", time.Since(start).Round(time.Second))

	rc := decodeFile(t, "runtimeclass.yaml")[0]
	if _, err := c.Create(ctx, rc); err != nil {
		t.Fatalf("RuntimeClass: %v", err)
	}
	pod := kube.Object{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "hello", "namespace": "default"},
		"spec": map[string]any{
			"runtimeClassName":             "runsc-ai",
			"restartPolicy":                "Never",
			"hostNetwork":                  true, // no CNI here; runsc-ai gives the pod loopback only
			"automountServiceAccountToken": false,
			"tolerations":                  []any{map[string]any{"operator": "Exists"}},
			"containers": []any{map[string]any{
				"name": "hello", "image": podImage, "imagePullPolicy": "Never",
				"command": []any{"sh", "-c", "echo hello-from-k8s; dmesg | head -1; exit 0"},
			}},
		},
	}
	if _, err := c.Create(ctx, pod); err != nil {
		t.Fatalf("pod: %v", err)
	}
	var got kube.Object
	waitFor(t, 3*time.Minute, "pod completion", func() error {
		var err error
		if got, err = c.Get(ctx, pod); err != nil {
			return err
		}
		status, _ := got["status"].(map[string]any)
		switch phase, _ := status["phase"].(string); phase {
		case "Succeeded":
			return nil
		case "Failed":
			t.Fatalf("pod failed: %v\nkubelet log:\n%s", status, testenv.TailFile(filepath.Join(dir, "kubelet.log"), 6000))
		}
		return fmt.Errorf("phase %v", status["phase"])
	})
	t.Logf("pod Succeeded %v after start", time.Since(start).Round(time.Second))
	// The container log as kubelet wrote it (reading it through the
	// apiserver would send traffic to the node's address).
	meta := got["metadata"].(map[string]any)
	logs, err := os.ReadFile(filepath.Join(dir, "pod-logs", fmt.Sprintf("default_hello_%s", meta["uid"]), "hello", "0.log"))
	if err != nil {
		t.Fatalf("pod log: %v", err)
	}
	if !strings.Contains(string(logs), "hello-from-k8s") || !strings.Contains(string(logs), "Starting gVisor") {
		t.Errorf("pod log lacks the echo or gVisor's banner:\n%s", logs)
	}
	// The pod's container went through runsc-ai's create path.
	cs := got["status"].(map[string]any)["containerStatuses"].([]any)[0].(map[string]any)
	id := strings.TrimPrefix(cs["containerID"].(string), "containerd://")
	if out, err := exec.Command(env.RunscAI, "--ai-state="+aiState, "explain", id).CombinedOutput(); err != nil {
		t.Errorf("runsc-ai explain %s: %v\n%s", id, err, out)
	}
	if spec := got["spec"].(map[string]any); spec["overhead"] == nil {
		t.Errorf("pod has no RuntimeClass overhead: %v", spec)
	}
	// Delete the pod and let kubelet tear the sandbox down before stopping.
	if err := c.Delete(ctx, pod); err != nil {
		t.Errorf("delete pod: %v", err)
	}
	waitFor(t, 2*time.Minute, "pod deletion", func() error {
		if _, err := c.Get(ctx, pod); kube.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("pod still there")
	})
	waitFor(t, time.Minute, "sandbox teardown", func() error {
		if out, _ := ctr("task", "ls", "-q"); strings.TrimSpace(out) != "" {
			return fmt.Errorf("tasks: %s", out)
		}
		return nil
	})
	t.Logf("e2e-kubernetes took %v (pod in runsc-ai, deleted)", time.Since(start).Round(time.Second))
}

// makeCgroupRoot creates /name in every cgroup hierarchy (the host guard
// removes it), with cpuset's CPUs and memory nodes copied from the parent.
func makeCgroupRoot(t *testing.T, name string) {
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		if err := os.MkdirAll(filepath.Join("/sys/fs/cgroup", name), 0o755); err != nil {
			t.Fatal(err)
		}
		return
	}
	hierarchies, _ := filepath.Glob("/sys/fs/cgroup/*")
	for _, h := range hierarchies {
		if fi, err := os.Lstat(h); err != nil || !fi.IsDir() {
			continue // cpu,cpuacct-style symlinks point at a listed directory
		}
		if err := os.MkdirAll(filepath.Join(h, name), 0o755); err != nil {
			t.Fatalf("cgroup root: %v", err)
		}
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			if b, err := os.ReadFile(filepath.Join(h, f)); err == nil {
				if err := os.WriteFile(filepath.Join(h, name, f), b, 0o644); err != nil {
					t.Fatalf("cgroup root %s: %v", f, err)
				}
			}
		}
	}
}

func waitFor(t *testing.T, d time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v: %v", what, d, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
