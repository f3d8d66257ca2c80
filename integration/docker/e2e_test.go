package docker_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/integration/docker"
	"github.com/go-os-agent/runsc-ai/integration/testenv"
	"github.com/go-os-agent/runsc-ai/runsc-ai/daemonjson"
)

const image = "runsc-ai-e2e:1"

// dockerd is a private Docker daemon: data, exec root, socket and cgroup
// parent all belong to the test; no bridge, iptables or forwarding changes.
type dockerd struct {
	sock, dir string
}

func startDockerd(t *testing.T, config string) *dockerd {
	t.Helper()
	testenv.SerializeDaemons(t)
	bin, err := exec.LookPath("dockerd")
	if err != nil {
		t.Fatalf("dockerd not installed (apt install docker.io; make deps does): %v", err)
	}
	dir, err := os.MkdirTemp("", "runsc-ai-dockerd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cgroupParent := "runsc-ai-e2e-" + filepath.Base(dir)
	// Hard-coded directories: dockerd's plugin sockets, its containerd's
	// shim sockets.
	testenv.RemoveIfNew(t, "/run/docker", "/run/docker/plugins", "/run/containerd", "/run/containerd/s")
	testenv.GuardHost(t, []string{dir}, []string{cgroupParent})
	d := &dockerd{sock: filepath.Join(dir, "docker.sock"), dir: dir}
	testenv.StartDaemon(t, filepath.Join(dir, "dockerd.log"), bin,
		"--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"), "--host", "unix://"+d.sock,
		"--config-file", config, "--cgroup-parent", "/"+cgroupParent,
		"--iptables=false", "--ip6tables=false", "--bridge=none", "--ip-forward=false", "--ip-masq=false")
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := d.try("version"); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("dockerd did not come up: %v\n%s", err, testenv.TailFile(filepath.Join(dir, "dockerd.log"), 3000))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Containers first, daemon second (cleanups run last-in first-out).
	t.Cleanup(func() {
		if ids, err := d.try("ps", "-aq"); err == nil && strings.TrimSpace(ids) != "" {
			d.try(append([]string{"rm", "-f"}, strings.Fields(ids)...)...)
		}
	})
	return d
}

// try runs the Docker client of the same package as dockerd.
func (d *dockerd) try(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/docker", append([]string{"--host", "unix://" + d.sock}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// run returns combined output and exit code; it fails the test only when
// docker itself could not run.
func (d *dockerd) run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := d.try(args...)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out, 0
	case errors.As(err, &ee):
		return out, ee.ExitCode()
	default:
		t.Fatalf("docker %v: %v: %s", args, err, out)
		return "", 0
	}
}

func TestDockerRunsRunscAI(t *testing.T) {
	env := testenv.Get(t)
	work := t.TempDir()
	config := filepath.Join(work, "daemon.json")
	aiState := filepath.Join(work, "ai-state")
	aiRun := filepath.Join(work, "run")
	// A user's existing daemon.json: install must keep it.
	if err := os.WriteFile(config, []byte(`{"log-level": "warn", "storage-driver": "overlay2"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(env.RunscAI, "install", "--config", config, "--",
		"--ai-state="+aiState, "--ai-run="+aiRun, "--network=none").CombinedOutput()
	if err != nil {
		t.Fatalf("runsc-ai install: %v: %s", err, out)
	}
	rt, ok, err := daemonjson.Lookup(config, "runsc-ai")
	if err != nil || !ok || rt.Path != env.RunscAI {
		t.Fatalf("after install: %+v %v %v", rt, ok, err)
	}
	d := startDockerd(t, config)
	testenv.StartDaemon(t, filepath.Join(work, "agent.log"), env.RunscAI, "--ai-run="+aiRun, "--ai-state="+aiState, "agent", "--metrics=", "--poll=100ms", "--backend=embedded")

	imgPath := filepath.Join(work, "image.tar")
	if err := docker.WriteImageFile(imgPath, env.Rootfs, image, []string{"/bin/sh"}); err != nil {
		t.Fatal(err)
	}
	if out, code := d.run(t, "load", "-i", imgPath); code != 0 {
		t.Fatalf("docker load: %d: %s", code, out)
	}

	t.Run("output and exit code", func(t *testing.T) {
		out, code := d.run(t, "run", "--rm", "--runtime=runsc-ai", "--name", "e2e-exit", image,
			"sh", "-c", "echo hello-from-docker; dmesg | head -1; exit 7")
		if code != 7 {
			t.Errorf("exit code %d, want 7; output:\n%s", code, out)
		}
		if !strings.Contains(out, "hello-from-docker") || !strings.Contains(out, "Starting gVisor") {
			t.Errorf("output lacks the echo or gVisor's boot banner:\n%s", out)
		}
	})

	t.Run("detached, exec, stop", func(t *testing.T) {
		out, code := d.run(t, "run", "-d", "--runtime=runsc-ai", "--name", "e2e-long", image, "sleep", "300")
		if code != 0 {
			t.Fatalf("docker run -d: %d: %s", code, out)
		}
		// The ID is the last line (dockerd warns first: no IP forwarding).
		lines := strings.Fields(out)
		id := lines[len(lines)-1]
		if out, code := d.run(t, "exec", "e2e-long", "sh", "-c", "echo exec-ok; exit 3"); code != 3 || !strings.Contains(out, "exec-ok") {
			t.Errorf("docker exec: code %d, output %q; want 3 and exec-ok", code, out)
		}
		if out, code := d.run(t, "inspect", "-f", "{{.HostConfig.Runtime}}", "e2e-long"); code != 0 || strings.TrimSpace(out) != "runsc-ai" {
			t.Errorf("inspect runtime: %q", out)
		}
		// runsc-ai's create path ran under Docker: the decision is recorded.
		expl, err := exec.Command(env.RunscAI, "--ai-state="+aiState, "explain", id).CombinedOutput()
		if err != nil || !strings.Contains(string(expl), "platform") {
			t.Errorf("runsc-ai explain %s: %v\n%s", id, err, expl)
		}
		// The agent on the runtime's --ai-run sees the sandbox's tap.
		deadline := time.Now().Add(20 * time.Second)
		for {
			st, err := exec.Command(env.RunscAI, "--ai-run="+aiRun, "agent", "status", "--json").Output()
			if err == nil && strings.Contains(string(st), `"id": "`+id+`"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("agent never saw sandbox %s: %v\n%s", id, err, st)
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if out, code := d.run(t, "rm", "-f", "e2e-long"); code != 0 {
			t.Errorf("docker rm -f: %d: %s", code, out)
		}
	})

	t.Run("uninstall", func(t *testing.T) {
		out, err := exec.Command(env.RunscAI, "uninstall", "--config", config).CombinedOutput()
		if err != nil {
			t.Fatalf("runsc-ai uninstall: %v: %s", err, out)
		}
		b, _ := os.ReadFile(config)
		if strings.Contains(string(b), "runsc-ai") || !strings.Contains(string(b), `"storage-driver": "overlay2"`) {
			t.Errorf("daemon.json after uninstall:\n%s", b)
		}
		if b, _ := os.ReadFile(config + daemonjson.BackupSuffix); !strings.Contains(string(b), "runsc-ai") {
			t.Errorf("backup does not hold the installed config:\n%s", b)
		}
	})
}
