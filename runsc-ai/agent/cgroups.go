package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/runsc/container"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/control"
	"github.com/go-os-agent/runsc-ai/platform/cgroup"
	"github.com/go-os-agent/runsc-ai/sentry/tap"
)

// cgroupHost is the agent's control.Actuator: each sandbox's cgroup through
// platform/cgroup, the files `runsc update` writes.
type cgroupHost struct {
	mu      sync.Mutex
	open    map[string]*cgroup.Cgroup // by cgroup path
	cpus    int
	hostMem uint64
	floors  llmkernel.Resources // the policy floors: read back exactly on v2
}

func newCgroupHost(floors llmkernel.Resources) *cgroupHost {
	h := &cgroupHost{open: map[string]*cgroup.Cgroup{}, cpus: runtime.NumCPU(), floors: floors}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		h.hostMem = uint64(si.Totalram) * uint64(si.Unit)
	}
	return h
}

func (h *cgroupHost) cgroup(path string) (*cgroup.Cgroup, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if cg, ok := h.open[path]; ok {
		if _, err := os.Stat(anyDir(cg)); err == nil {
			return cg, nil
		}
		cg.Close() // the descriptors its CPU wait keeps
		delete(h.open, path)
	}
	cg, err := cgroup.Open(path)
	if err != nil {
		return nil, err
	}
	if len(h.open) > 4*maxTargets {
		for _, old := range h.open {
			old.Close()
		}
		clear(h.open)
	}
	h.open[path] = cg
	return cg, nil
}

// forget drops a cgroup whose sandbox is gone, with the descriptors its
// CPU wait keeps.
func (h *cgroupHost) forget(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if cg, ok := h.open[path]; ok {
		cg.Close()
		delete(h.open, path)
	}
}

func anyDir(cg *cgroup.Cgroup) string {
	if cg.V2 != "" {
		return cg.V2
	}
	for _, d := range cg.V1 {
		return d
	}
	return ""
}

// current reads the settings in force as limits (0: unset or unlimited).
// The values the loop compares against — t's ceilings and baseline, the
// floors — are read back exactly where cgroup v2's weights are coarser.
func (h *cgroupHost) current(cg *cgroup.Cgroup, t *control.Target) (llmkernel.Resources, cgroup.Settings, error) {
	known := func(l llmkernel.Resources) cgroup.Settings {
		return cgroup.Settings{CPUShares: l.CPUShares, IOWeight: l.IOWeight}
	}
	s, err := cg.ReadKnown(known(t.Ceiling), known(t.Baseline), known(h.floors))
	if err != nil {
		return llmkernel.Resources{}, s, err
	}
	l := llmkernel.Resources{CPUShares: s.CPUShares, IOWeight: s.IOWeight}
	if s.CPUQuotaUs > 0 && s.CPUPeriodUs > 0 {
		l.CPUQuotaPct = uint64(s.CPUQuotaUs) * 100 / s.CPUPeriodUs
	}
	// v1 writes "no limit" as a huge number; a limit beyond the host's
	// memory limits nothing either.
	if s.MemoryLimit > 0 && (h.hostMem == 0 || s.MemoryLimit < h.hostMem) {
		l.MemoryBytes = s.MemoryLimit
	}
	return l, s, nil
}

func (h *cgroupHost) Sample(_ context.Context, t *control.Target) (control.Sample, error) {
	cg, err := h.cgroup(t.Cgroup)
	if err != nil {
		return control.Sample{}, err
	}
	u, err := cg.Usage()
	if err != nil {
		return control.Sample{}, err
	}
	cur, _, err := h.current(cg, t)
	if err != nil {
		return control.Sample{}, err
	}
	return control.Sample{
		At: time.Now(), CPUUsage: u.CPU, CPUWait: u.CPUWait, Periods: u.Periods, Throttled: u.Throttled,
		MemWorkingSet: u.WorkingSet(), OOMKills: u.OOMKills, MemPressure: u.MemPressure, IOPressure: u.IOPressure,
		Current: cur, CPUs: h.cpus,
	}, nil
}

func (h *cgroupHost) SampleCPU(_ context.Context, t *control.Target, wait bool) (control.Sample, error) {
	cg, err := h.cgroup(t.Cgroup)
	if err != nil {
		return control.Sample{}, err
	}
	u, err := cg.CPU()
	if err != nil {
		return control.Sample{}, err
	}
	w := time.Duration(-1) // not asked for
	if wait {
		w = cg.WaitReading()
	}
	return control.Sample{At: time.Now(), CPUUsage: u, CPUWait: w}, nil
}

func (h *cgroupHost) Apply(_ context.Context, t *control.Target, set llmkernel.Resources) error {
	cg, err := h.cgroup(t.Cgroup)
	if err != nil {
		return err
	}
	s := cgroup.Settings{CPUShares: set.CPUShares, MemoryLimit: set.MemoryBytes, IOWeight: set.IOWeight}
	if set.CPUQuotaPct > 0 {
		_, cur, err := h.current(cg, t)
		if err != nil {
			return err
		}
		period := max(cur.CPUPeriodUs, 1000)
		s.CPUQuotaUs, s.CPUPeriodUs = int64(set.CPUQuotaPct*period/100), period
	}
	return cg.Apply(s)
}

// maxTargets bounds the sandboxes the agent manages at once.
const maxTargets = 4096

// targets finds the sandboxes to manage: every sandbox with a tap FIFO in
// the tap directory, resolved through its runsc state (spec, cgroup; the
// root is in its pod init config) and re-read now and then.
type targets struct {
	tapDir string
	host   *cgroupHost
	// peak is the most memory an image's earlier runs used (0: unknown);
	// nil: none known.
	peak  func(image string) uint64
	mu    sync.Mutex
	known map[string]resolved
}

type resolved struct {
	t     control.Target
	err   error
	retry time.Time // when to load the state again
	tries int       // failed loads in a row
}

// retryResolve is how long a sandbox that could not be resolved waits at
// most: a new sandbox's state is often locked by its own create or start,
// so the first retries come sooner (firstRetry, doubling), and a
// short-lived sandbox is still resolved while it runs (its image is what
// the behaviour watcher needs). refreshResolve is how often a resolved
// one's spec is read again (a user's `runsc update` or `docker update`
// changes its limits).
const (
	firstRetry     = 100 * time.Millisecond
	retryResolve   = 5 * time.Second
	refreshResolve = 30 * time.Second
)

// backoff is the wait after tries failed loads in a row.
func backoff(tries int) time.Duration {
	if tries >= 6 {
		return retryResolve
	}
	return min(firstRetry<<tries, retryResolve)
}

func newTargets(tapDir string, h *cgroupHost) *targets {
	return &targets{tapDir: tapDir, host: h, known: map[string]resolved{}}
}

// list returns the sandboxes to manage now, and the ones that cannot be
// managed with why.
func (ts *targets) list(now time.Time) ([]control.Target, map[string]string) {
	ents, _ := os.ReadDir(ts.tapDir)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	present := map[string]bool{}
	var out []control.Target
	skipped := map[string]string{}
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".fifo")
		if !ok || len(out) >= maxTargets {
			continue
		}
		present[id] = true
		r, ok := ts.known[id]
		if !ok || now.After(r.retry) {
			t, err := ts.resolve(id)
			switch {
			case err == nil:
				r = resolved{t: t, retry: now.Add(refreshResolve)}
			case ok && r.err == nil:
				// A refresh failed (the state file busy, say): keep
				// managing with what was known, try again soon.
				r.retry = now.Add(retryResolve)
			default:
				// Not manageable; what is known of it (its image) is kept.
				if t.Image == "" {
					t.Image = r.t.Image
				}
				r = resolved{t: t, err: err, retry: now.Add(backoff(r.tries)), tries: r.tries + 1}
			}
			ts.known[id] = r
		}
		if r.err != nil {
			skipped[id] = r.err.Error()
			continue
		}
		out = append(out, r.t)
	}
	for id, r := range ts.known {
		if !present[id] {
			delete(ts.known, id)
			if r.t.Cgroup != "" {
				ts.host.forget(r.t.Cgroup)
			}
		}
	}
	return out, skipped
}

// images lists every present sandbox whose image is known, managed or not
// (the behaviour watcher needs no cgroup).
func (ts *targets) images() []control.Target {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var out []control.Target
	for id, r := range ts.known {
		if r.t.Image != "" {
			out = append(out, control.Target{Sandbox: id, Image: r.t.Image})
		}
	}
	return out
}

// resolve loads sandbox id's state from the runsc root its create used.
// Where the state loads but the sandbox cannot be managed, the target
// returned still names its sandbox and image.
func (ts *targets) resolve(id string) (control.Target, error) {
	f := tap.FilesFor(ts.tapDir, id)
	root, err := tap.ReadRoot(f.Config)
	if err != nil {
		return control.Target{}, err
	}
	c, err := container.Load(root, container.FullID{SandboxID: id, ContainerID: id},
		container.LoadOpts{Exact: true, SkipCheck: true, TryLock: container.TryAcquire})
	if err != nil {
		return control.Target{}, fmt.Errorf("runsc state in %s: %w", root, err)
	}
	t := control.Target{Sandbox: id}
	if c.Spec != nil {
		var args []string
		if c.Spec.Process != nil {
			args = c.Spec.Process.Args
		}
		t.Image = llmkernel.ImageKey(c.Spec.Annotations, args)
		if ts.peak != nil && t.Image != "" {
			t.PeakMemory = ts.peak(t.Image)
		}
	}
	if c.Spec == nil || c.Spec.Linux == nil || c.Spec.Linux.CgroupsPath == "" {
		return t, errors.New("no linux.cgroupsPath in the spec: the sandbox runs without cgroups, nothing to manage")
	}
	path := c.Spec.Linux.CgroupsPath
	if strings.Contains(path, ":") {
		return t, fmt.Errorf("cgroupsPath %q: systemd-managed cgroups are not managed by the agent", path)
	}
	if !filepath.IsAbs(path) {
		path = "/" + path
	}
	cg, err := ts.host.cgroup(path)
	if err != nil {
		return t, err
	}
	t.Cgroup, t.Ceiling = path, llmkernel.ResourcesOf(c.Spec.Linux.Resources)
	t.Baseline, err = ts.baseline(f.Baseline, cg, &t)
	return t, err
}

// baseline is the sandbox's settings when the agent first saw it, kept in
// the tap directory so a restarted agent (after changes) still knows them.
func (ts *targets) baseline(path string, cg *cgroup.Cgroup, t *control.Target) (llmkernel.Resources, error) {
	var l llmkernel.Resources
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &l); err != nil {
			return l, fmt.Errorf("%s: %w", path, err)
		}
		return l, nil
	}
	l, _, err := ts.host.current(cg, t)
	if err != nil {
		return l, err
	}
	b, _ := json.Marshal(l)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return l, err
	}
	return l, nil
}
