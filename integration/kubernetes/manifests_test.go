package kubernetes_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/go-os-agent/runsc-ai/integration/bench/kube"
	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

// decodeFile returns a manifest file's documents as JSON-shaped objects.
func decodeFile(t *testing.T, name string) []kube.Object {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var objs []kube.Object
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var doc any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if doc == nil {
			continue
		}
		// Through JSON: the shapes (float64 numbers, map[string]any) the
		// apiserver's answers decode to.
		j, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var obj kube.Object
		json.Unmarshal(j, &obj)
		objs = append(objs, obj)
	}
	return objs
}

// diff lists the fields of want that got lacks or holds differently.
func diff(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, stored %v", path, got)}
		}
		var out []string
		for k, v := range w {
			out = append(out, diff(path+"."+k, v, g[k])...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %v, stored %v", path, want, got)}
		}
		var out []string
		for i := range w {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: want %v, stored %v", path, want, got)}
		}
		return nil
	}
}

func TestManifestsAgainstAPIServer(t *testing.T) {
	api := testenv.StartAPIServer(t)
	c, err := kube.FromKubeconfig(api.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, file := range []string{"runtimeclass.yaml", "agent-daemonset.yaml", "pod-example.yaml"} {
		for _, obj := range decodeFile(t, file) {
			name := fmt.Sprintf("%s %s/%s", file, obj["kind"], obj["metadata"].(map[string]any)["name"])
			if _, err := c.Create(ctx, obj); err != nil {
				t.Errorf("%s: create: %v", name, err)
				continue
			}
			got, err := c.Get(ctx, obj)
			if err != nil {
				t.Errorf("%s: read back: %v", name, err)
				continue
			}
			for _, d := range diff("", obj, got) {
				t.Errorf("%s: %s", name, d)
			}
		}
	}
	// The RuntimeClass admission plugin gave the pod the class's overhead and
	// node selector: what the scheduler and kubelet will use.
	pod := decodeFile(t, "pod-example.yaml")[0]
	got, err := c.Get(ctx, pod)
	if err != nil {
		t.Fatal(err)
	}
	rc := decodeFile(t, "runtimeclass.yaml")[0]
	spec := got["spec"].(map[string]any)
	if d := diff("spec.overhead", rc["overhead"].(map[string]any)["podFixed"], spec["overhead"]); d != nil {
		t.Errorf("pod overhead not from the RuntimeClass: %v", d)
	}
	if d := diff("spec.nodeSelector", rc["scheduling"].(map[string]any)["nodeSelector"], spec["nodeSelector"]); d != nil {
		t.Errorf("pod node selector not from the RuntimeClass: %v", d)
	}
	// A broken manifest is refused, so the checks above can fail.
	bad := decodeFile(t, "runtimeclass.yaml")[0]
	bad["metadata"].(map[string]any)["name"] = "runsc-ai-bad"
	bad["handler"] = "not a DNS label!"
	if _, err := c.Create(ctx, bad); err == nil || !strings.Contains(err.Error(), "handler") {
		t.Errorf("invalid handler accepted or error does not name it: %v", err)
	}
}

// The containerd snippets parse, with the runtime where CRI looks for it,
// in the containerd versions they are written for.
func TestContainerdSnippets(t *testing.T) {
	dir2 := testenv.Containerd2Dir(t)
	containerd16, err := exec.LookPath("containerd")
	if err != nil {
		t.Fatalf("containerd not installed (make deps installs it): %v", err)
	}
	for _, tc := range []struct {
		bin, snippet, version string
		want                  []string
	}{
		{containerd16, "containerd-runsc-ai.toml", "version = 2", []string{
			`[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc-ai]`,
			`runtime_type = "io.containerd.runsc-ai.v1"`,
		}},
		{filepath.Join(dir2, "containerd"), "containerd2-runsc-ai.toml", "version = 3", []string{
			`[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runsc-ai]`,
			`runtime_type = 'io.containerd.runsc-ai.v1'`,
		}},
	} {
		t.Run(tc.snippet, func(t *testing.T) {
			snippet, err := os.ReadFile(tc.snippet)
			if err != nil {
				t.Fatal(err)
			}
			cfg := filepath.Join(t.TempDir(), "config.toml")
			os.WriteFile(cfg, append([]byte(tc.version+"\n"), snippet...), 0o644)
			out, err := exec.Command(tc.bin, "--config", cfg, "config", "dump").CombinedOutput()
			if err != nil {
				t.Fatalf("containerd config dump: %v\n%s", err, out)
			}
			for _, w := range append(tc.want, "/etc/containerd/runsc-ai.toml", "io.containerd.runsc.v1.options") {
				if !strings.Contains(string(out), w) {
					t.Errorf("dumped config lacks %s", w)
				}
			}
		})
	}
}
