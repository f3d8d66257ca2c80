package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/go-os-agent/runsc-ai/integration/bench/kube"
	"github.com/go-os-agent/runsc-ai/integration/bench/workload"
)

// Labels and annotations on the benchmark Jobs. Node and runtime class
// names can exceed a label value's 63 characters, so the full values are
// annotations; the run label selects a run's Jobs.
const (
	LabelApp       = "app.kubernetes.io/name"
	AppName        = "runsc-ai-bench"
	LabelRun       = "runsc-ai.dev/bench-run"
	AnnoNode       = "runsc-ai.dev/node"
	AnnoRuntime    = "runsc-ai.dev/runtime-class"
	AnnoWorkload   = "runsc-ai.dev/workload"
	AnnoRepetition = "runsc-ai.dev/repetition"
	// DefaultRuntime names the cluster's default runtime (no runtimeClassName:
	// runc on a stock containerd node).
	DefaultRuntime = "default"
)

// ClusterOptions describe the Jobs of a cluster benchmark.
type ClusterOptions struct {
	RunID          string
	Namespace      string
	Nodes          []string
	RuntimeClasses []string // DefaultRuntime or RuntimeClass names
	Workloads      []string
	Repeat         int
	Quick          bool
	// Arch adds a kubernetes.io/arch node selector (e.g. arm64 for Pi 4s).
	Arch string
	// Image is any image: the workload binary comes from the node.
	Image string
	// HostBinary is runsc-ai's path on the nodes, mounted read-only.
	HostBinary  string
	CPU, Memory string // requests (and memory limit)
}

var (
	dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	quantity = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`)
)

// Check validates the options; node and class names come from the user.
func (o *ClusterOptions) Check() error {
	switch {
	case !dnsLabel.MatchString(o.RunID) || len(o.RunID) > 20:
		return fmt.Errorf("run id %q: want at most 20 lowercase letters, digits and dashes", o.RunID)
	case !dnsLabel.MatchString(o.Namespace):
		return fmt.Errorf("namespace %q is not a valid name", o.Namespace)
	case len(o.Nodes) == 0:
		return errors.New("no nodes (--nodes)")
	case len(o.RuntimeClasses) == 0:
		return errors.New("no runtime classes (--runtime-classes)")
	case o.Repeat < 1:
		return errors.New("repeat must be at least 1")
	case o.Image == "" || !filepath.IsAbs(o.HostBinary):
		return errors.New("an image and an absolute --host-binary path are needed")
	}
	for _, rc := range o.RuntimeClasses {
		if rc != DefaultRuntime && (!dnsLabel.MatchString(rc) || len(rc) > 253) {
			return fmt.Errorf("runtime class %q is not a valid name", rc)
		}
	}
	for _, w := range o.Workloads {
		s, ok := workload.Lookup(w)
		if !ok {
			return fmt.Errorf("unknown workload %q", w)
		}
		if s.External {
			return fmt.Errorf("workload %q is timed from outside the container and cannot run as a Job", w)
		}
	}
	for _, q := range []string{o.CPU, o.Memory} {
		if !quantity.MatchString(q) {
			return fmt.Errorf("resource request %q is not a quantity (e.g. 500m, 512Mi)", q)
		}
	}
	return nil
}

// jobName is unique per run, node, class, workload and repetition, and a
// valid DNS label whatever the node's name.
func jobName(run, node, rc, w string, rep int) string {
	h := sha256.Sum256([]byte(strings.Join([]string{run, node, rc, w, strconv.Itoa(rep)}, "\x00")))
	return fmt.Sprintf("rsb-%s-%s", run, hex.EncodeToString(h[:5]))
}

// Jobs generates one Job per node × runtime class × workload × repetition.
func Jobs(o ClusterOptions) ([]*kube.Job, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	var jobs []*kube.Job
	zero, deadline := int32(0), int64(900)
	for rep := 0; rep < o.Repeat; rep++ {
		for _, node := range o.Nodes {
			for _, rc := range o.RuntimeClasses {
				for _, w := range o.Workloads {
					args := []string{"bench-workload", "--dir", "/data"}
					if o.Quick {
						args = append(args, "--quick")
					}
					args = append(args, w)
					sel := map[string]string{"kubernetes.io/hostname": node}
					if o.Arch != "" {
						sel["kubernetes.io/arch"] = o.Arch
					}
					var class *string
					if rc != DefaultRuntime {
						class = &rc
					}
					labels := map[string]string{LabelApp: AppName, LabelRun: o.RunID}
					jobs = append(jobs, &kube.Job{
						APIVersion: "batch/v1", Kind: "Job",
						Metadata: kube.ObjectMeta{
							Name: jobName(o.RunID, node, rc, w, rep), Namespace: o.Namespace, Labels: labels,
							Annotations: map[string]string{AnnoNode: node, AnnoRuntime: rc, AnnoWorkload: w, AnnoRepetition: strconv.Itoa(rep)},
						},
						Spec: kube.JobSpec{
							BackoffLimit: &zero, ActiveDeadlineSeconds: &deadline,
							Template: kube.PodTemplateSpec{
								Metadata: kube.ObjectMeta{Labels: labels},
								Spec: kube.PodSpec{
									RestartPolicy: "Never", RuntimeClassName: class, NodeSelector: sel,
									Containers: []kube.Container{{
										Name: "workload", Image: o.Image,
										Command: append([]string{"/rsbench/" + filepath.Base(o.HostBinary)}, args...),
										VolumeMounts: []kube.VolumeMount{
											{Name: "rsbench", MountPath: "/rsbench", ReadOnly: true},
											{Name: "data", MountPath: "/data"},
										},
										Resources: kube.Resources{
											Requests: map[string]string{"cpu": o.CPU, "memory": o.Memory},
											Limits:   map[string]string{"memory": o.Memory},
										},
									}},
									Volumes: []kube.Volume{
										{Name: "rsbench", HostPath: &kube.HostPath{Path: filepath.Dir(o.HostBinary), Type: "Directory"}},
										{Name: "data", EmptyDir: &kube.EmptyDir{}},
									},
								},
							},
						},
					})
				}
			}
		}
	}
	return jobs, nil
}

// WriteJobs writes the Jobs as one multi-document YAML file (kubectl apply
// -f takes it as is).
func WriteJobs(path string, jobs []*kube.Job) error {
	var buf bytes.Buffer
	for _, j := range jobs {
		// Through JSON, so the YAML keys are the API's field names.
		b, err := json.Marshal(j)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		y, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		buf.WriteString("---\n")
		buf.Write(y)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// ReadJobs reads WriteJobs' file back.
func ReadJobs(path string) ([]*kube.Job, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var jobs []*kube.Job
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if v == nil {
			continue
		}
		jb, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var j kube.Job
		d := json.NewDecoder(bytes.NewReader(jb))
		d.DisallowUnknownFields()
		if err := d.Decode(&j); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		jobs = append(jobs, &j)
	}
	return jobs, nil
}

// Submit creates the namespace if needed and every Job.
func Submit(ctx context.Context, c *kube.Client, jobs []*kube.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	ns := jobs[0].Metadata.Namespace
	if err := c.CreateNamespace(ctx, ns); err != nil {
		return fmt.Errorf("namespace %s: %w", ns, err)
	}
	for _, j := range jobs {
		if err := c.CreateJob(ctx, j); err != nil {
			a := j.Metadata.Annotations
			return fmt.Errorf("job %s (%s on %s, %s): %w", j.Metadata.Name, a[AnnoWorkload], a[AnnoNode], a[AnnoRuntime], err)
		}
	}
	return nil
}

// Collect waits (up to timeout) for the Jobs to finish and writes each
// finished Job's pod log to logDir/<job>.log; it returns how many are still
// unfinished.
func Collect(ctx context.Context, c *kube.Client, jobs []*kube.Job, logDir string, timeout time.Duration) (pending int, err error) {
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(timeout)
	left := map[string]*kube.Job{}
	for _, j := range jobs {
		left[j.Metadata.Name] = j
	}
	for len(left) > 0 {
		for name, j := range left {
			ns := j.Metadata.Namespace
			cur, err := c.GetJob(ctx, ns, name)
			if err != nil {
				return len(left), err
			}
			if cur.Status == nil || cur.Status.Succeeded == 0 && cur.Status.Failed == 0 {
				continue
			}
			pods, err := c.JobPods(ctx, ns, name)
			if err != nil {
				return len(left), err
			}
			var log []byte
			for _, p := range pods {
				if b, err := c.PodLog(ctx, ns, p.Metadata.Name); err == nil {
					log = b
				}
			}
			if err := os.WriteFile(filepath.Join(logDir, name+".log"), log, 0o644); err != nil {
				return len(left), err
			}
			delete(left, name)
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return len(left), ctx.Err()
		case <-time.After(5 * time.Second):
		}
	}
	return len(left), nil
}

// Merged is a cluster benchmark's results: one Results per node and one
// over all nodes (every node's repetitions pooled).
type Merged struct {
	Nodes   map[string]*Results
	Overall *Results
}

// Merge reads each Job's log (logDir/<job>.log, the workload's JSON line)
// and builds per-node and overall results; a missing or malformed log is
// recorded as an error of its series, not dropped.
func Merge(jobs []*kube.Job, logDir string, cfg Config, command []string) (*Merged, error) {
	m := &Merged{Nodes: map[string]*Results{}}
	now := time.Now().UTC()
	newResults := func() *Results {
		return &Results{Schema: Schema, Started: now, Finished: now, Command: command, Config: cfg}
	}
	m.Overall = newResults()
	sort.SliceStable(jobs, func(a, b int) bool {
		ra, _ := strconv.Atoi(jobs[a].Metadata.Annotations[AnnoRepetition])
		rb, _ := strconv.Atoi(jobs[b].Metadata.Annotations[AnnoRepetition])
		return ra < rb
	})
	for _, j := range jobs {
		a := j.Metadata.Annotations
		node, rc, w := a[AnnoNode], a[AnnoRuntime], a[AnnoWorkload]
		spec, ok := workload.Lookup(w)
		if node == "" || rc == "" || !ok {
			return nil, fmt.Errorf("job %s lacks the benchmark annotations", j.Metadata.Name)
		}
		res, err := readJobLog(filepath.Join(logDir, j.Metadata.Name+".log"), w)
		nr := m.Nodes[node]
		if nr == nil {
			nr = newResults()
			nr.Machine = Machine{Hostname: node}
			m.Nodes[node] = nr
		}
		for _, r := range []*Results{nr, m.Overall} {
			addRuntime(r, rc)
			s := r.Find(w, "", rc)
			if s == nil {
				r.Series = append(r.Series, Series{Workload: w, Runtime: rc, Metric: spec.Metric, Better: spec.Better})
				s = &r.Series[len(r.Series)-1]
			}
			if err != nil {
				s.Errors = append(s.Errors, fmt.Sprintf("%s on %s: %v", j.Metadata.Name, node, err))
				continue
			}
			s.Values = append(s.Values, res.Value)
			s.Samples = append(s.Samples, res.Samples...)
		}
	}
	for _, r := range append([]*Results{m.Overall}, values(m.Nodes)...) {
		for i := range r.Series {
			r.Series[i].summarize(workload.Percentile)
		}
		r.ratios(Runsc)
	}
	m.Overall.Machine = Machine{Hostname: fmt.Sprintf("%d nodes", len(m.Nodes))}
	return m, nil
}

func values(m map[string]*Results) []*Results {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*Results, 0, len(keys))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}

func addRuntime(r *Results, name string) {
	for _, rt := range r.Runtimes {
		if rt.Name == name {
			return
		}
	}
	r.Runtimes = append(r.Runtimes, Runtime{Name: name, Available: true})
}

// readJobLog finds the workload's result line in a pod log.
func readJobLog(path, w string) (workload.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return workload.Result{}, err
	}
	defer f.Close()
	var res workload.Result
	found := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r workload.Result
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Workload == w {
			res, found = r, true
		}
	}
	if !found {
		return res, fmt.Errorf("no %s result in %s", w, filepath.Base(path))
	}
	return res, sc.Err()
}

// SafeName turns a node name into a directory name.
func SafeName(s string) string {
	out := []byte(s)
	for i, ch := range out {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.') || (ch == '.' && i == 0) {
			out[i] = '_'
		}
	}
	if len(out) == 0 {
		return "_"
	}
	return string(out)
}
