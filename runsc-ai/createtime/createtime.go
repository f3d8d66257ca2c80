// Package createtime is runsc-ai's create-time wrapper around gVisor's
// create, run and do (and delete): it asks llmkernel/sandboxconf for a plan
// from the host facts, the spec and the image's history, applies the
// settings the user left unset to gVisor's config the way gVisor applies
// flag annotations (all or nothing), watches the boot and falls back once to
// gVisor's defaults when a decided setting does not boot, names the
// sandbox's Sentry tap, and at delete scores the run's outcome. It is the
// only package that changes a gVisor config.Config.
package createtime

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/subcommands"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.uber.org/zap"
	"gvisor.dev/gvisor/runsc/cmd/util"
	"gvisor.dev/gvisor/runsc/config"
	"gvisor.dev/gvisor/runsc/container"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/platform/cgroup"
	"github.com/go-os-agent/runsc-ai/platform/host"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
	"github.com/go-os-agent/runsc-ai/sentry/tap"
)

// Wrap wraps gVisor's command c when runsc-ai decides around it (create, run
// and do; delete, to score the outcome); any other command is returned as is.
func Wrap(c util.SubCommand, o *node.Options) util.SubCommand {
	switch c.Name() {
	case "create", "run", "do":
		return &decidedCmd{SubCommand: c, opts: o}
	case "delete":
		return finishingDelete{SubCommand: c, opts: o}
	}
	return c
}

// decidedCmd wraps create, run and do: it makes the create-time plan, applies
// the settings the user left unset to gVisor's config, and delegates. A
// decided platform that fails to boot (an error, or no boot within the
// policy's timeout) is recorded and retried once with gVisor's default.
type decidedCmd struct {
	util.SubCommand
	opts *node.Options
	spec *specs.Spec
	cid  string
}

// FetchSpec implements util.SubCommand; cli.Run calls it before Execute, so
// the wrapper sees the spec gVisor will use without reading it twice.
func (c *decidedCmd) FetchSpec(conf *config.Config, f *flag.FlagSet) (string, *specs.Spec, error) {
	id, spec, err := c.SubCommand.FetchSpec(conf, f)
	if err == nil {
		c.cid, c.spec = id, spec
	}
	return id, spec, err
}

// Session is one create-time decision on its way to being applied.
type Session struct {
	Policy  llmkernel.Policy
	Records *sandboxconf.Records
	Host    sandboxconf.HostFacts
	Plan    sandboxconf.Plan

	saveHost func() // the discovered host facts' cache, not yet written
}

// SaveHostFacts writes the host facts this session discovered to the
// state's cache (once; nothing when they came from it): the create path
// calls it after its container has started.
func (s *Session) SaveHostFacts() {
	if s.saveHost != nil {
		defer node.Span("host-save")()
		s.saveHost()
		s.saveHost = nil
	}
}

// plan decides. A bad runsc-ai annotation is the user's error and fails the
// command; anything else that goes wrong (an unwritable state directory) only
// costs the decision, never the container.
func (c *decidedCmd) plan(ctx context.Context, conf *config.Config) (*Session, error) {
	off, err := DecisionsOff(c.spec)
	if err != nil || off {
		return nil, err
	}
	specIn, err := SpecInputs(c.spec)
	if err != nil {
		return nil, err
	}
	explicit := ExplicitSettings(flag.CommandLine, c.spec)
	if c.Name() == "do" {
		// do sets the overlay itself from its --force-overlay flag.
		explicit["overlay2"] = sandboxconf.Choice{Name: "overlay2", Value: conf.Overlay2.String(), Source: sandboxconf.SourceFlag, Reason: "set by do --force-overlay"}
	}
	s, err := NewSession(ctx, c.opts, c.cid, specIn, explicit, nil)
	if errors.Is(err, sandboxconf.ErrLimitsUnenforceable) {
		return nil, err // gVisor would fail too, without saying why
	}
	if err != nil {
		node.Warn("create-time decision skipped; gVisor's defaults apply", zap.String("container", c.cid), zap.Error(err))
		return nil, nil
	}
	return s, nil
}

// NewSession makes the create-time plan for container cid: from the host
// facts (cached, if given, else this host's), the spec's inputs, the
// settings the user set explicitly and the image's history. It records
// nothing.
func NewSession(ctx context.Context, o *node.Options, cid string, specIn sandboxconf.Spec, explicit map[string]sandboxconf.Choice, cached *host.Info) (*Session, error) {
	end := node.Span("policy")
	pol, err := o.LoadPolicy()
	end()
	if err != nil {
		return nil, err
	}
	end = node.Span("history")
	st, err := sandboxconf.Open(o.CreateDir())
	if err != nil {
		end()
		return nil, err
	}
	hist, herr := st.Digest(specIn.Image)
	// An image's first runs each count: fold the runs that wait (the
	// image's last run, perhaps) before deciding. Later ones are folded in
	// the background while the container runs.
	if hist.Runs < pol.MinEvidence(llmkernel.KindCreate) && st.Journaled() {
		if _, err := st.Fold(&pol); err != nil {
			node.Warn("create-time history", zap.Error(err))
		}
		hist, herr = st.Digest(specIn.Image)
	}
	end()
	if herr != nil {
		node.Warn("create-time history", zap.Error(herr))
	}
	end = node.Span("host-facts")
	hostIn, saveHost := o.HostFacts(ctx, cached)
	end()
	end = node.Span("engine")
	e, err := llmkernel.New(llmkernel.Config{Policy: pol, Models: st.ModelStore(), Capacity: 4})
	end()
	if err != nil {
		return nil, err
	}
	defer e.Close()
	end = node.Span("decision")
	plan, err := sandboxconf.Decide(ctx, e, &pol, sandboxconf.Inputs{ContainerID: cid, Host: hostIn, Spec: specIn, Explicit: explicit, History: hist})
	end()
	if err != nil {
		return nil, err
	}
	return &Session{Policy: pol, Records: st, Host: hostIn, Plan: plan, saveHost: saveHost}, nil
}

// applyPlan sets the decided values on conf the way gVisor applies flag
// annotations, then validates; on error conf is restored, so nothing is left
// half-applied.
func applyPlan(conf *config.Config, choices []sandboxconf.Choice) error {
	orig := *conf
	for _, ch := range choices {
		if err := conf.Override(flag.CommandLine, ch.Name, ch.Value, true); err != nil {
			*conf = orig
			return fmt.Errorf("applying %s=%s: %w", ch.Name, ch.Value, err)
		}
	}
	if err := conf.Validate(); err != nil {
		*conf = orig
		return fmt.Errorf("decided configuration invalid: %w", err)
	}
	return nil
}

// Execute implements subcommands.Command.
func (c *decidedCmd) Execute(ctx context.Context, f *flag.FlagSet, args ...any) (status subcommands.ExitStatus) {
	conf, ok := args[0].(*config.Config)
	endTap := node.Span("tap-files")
	tapped := ok && enableTap(c.opts, conf, c.spec, c.cid)
	endTap()
	if tapped {
		// A failed command leaves no sandbox; run and do end with it gone,
		// except run --detach, whose sandbox runs on: its tap files go at
		// delete, like a created container's.
		defer func() {
			if status != subcommands.ExitSuccess || c.Name() == "do" || c.Name() == "run" && !flagTrue(f, "detach") {
				tap.Remove(c.opts.TapDir(), c.cid)
			}
		}()
	}
	if !ok || !c.opts.Decide || c.spec == nil || conf.Rootless {
		return c.SubCommand.Execute(ctx, f, args...)
	}
	endPlan := node.Span("plan")
	s, err := c.plan(ctx, conf)
	endPlan()
	if err != nil {
		return util.Errorf("runsc-ai: %v", err)
	}
	if s == nil {
		return c.SubCommand.Execute(ctx, f, args...)
	}
	orig := *conf
	endApply := node.Span("apply")
	err = applyPlan(conf, s.Plan.Decided())
	endApply()
	if err != nil {
		node.Warn("create-time decision not applied; gVisor's defaults apply", zap.String("container", c.cid), zap.Error(err))
		return c.SubCommand.Execute(ctx, f, args...)
	}

	var cgBefore map[string]bool
	if s.Plan.Risky() {
		cgBefore = cgroupDirs(c.spec, c.cid)
	}
	start := time.Now()
	peak := func() uint64 { return 0 }
	if !detached(c.Name(), f) {
		peak = watchPeak(conf.RootDir, c.cid) // attached: delete will not see the cgroup
	}
	sniff := &errorSniffer{next: util.ErrorLogger}
	util.ErrorLogger = sniff
	endRunsc := node.Span("runsc-" + c.Name())
	status, timedOut := c.attempt(ctx, f, conf, args, s)
	endRunsc()
	util.ErrorLogger = sniff.next
	s.SaveHostFacts()

	run := sandboxconf.NewRun(&s.Plan, c.cid)
	if status != subcommands.ExitSuccess && s.Plan.Risky() && (timedOut || sniff.bootFailure()) {
		why := sniff.last()
		if timedOut {
			why = fmt.Sprintf("no boot within %v", s.Policy.Create.BootTimeout)
		}
		removeNewCgroups(c.spec, c.cid, cgBefore)
		status = c.retry(ctx, f, conf, &orig, args, s, why)
		run = sandboxconf.NewRun(&s.Plan, c.cid) // with the fallback choices
		run.Failed = why
	}
	run.PeakMemory = peak()
	if status != subcommands.ExitSuccess {
		return status
	}
	run.StartupMs = float64(time.Since(start).Microseconds()) / 1000
	endRecord := node.Span("record")
	due := c.record(s, run, f)
	endRecord()
	if due {
		// One command in about twenty, after its container is done.
		defer node.Span("fold")()
		if _, err := s.Records.Tidy(&s.Policy); err != nil {
			node.Warn("create-time history", zap.Error(err))
		}
	}
	return status
}

// attempt runs the wrapped command, with a boot watchdog when the plan
// decided a boot-critical setting.
func (c *decidedCmd) attempt(ctx context.Context, f *flag.FlagSet, conf *config.Config, args []any, s *Session) (subcommands.ExitStatus, bool) {
	var timedOut atomic.Bool
	if s.Plan.Risky() {
		root := conf.RootDir
		done := make(chan struct{})
		var watchdog sync.WaitGroup
		// The watchdog is gone before the command goes on: one still
		// scanning /proc when the attempt returned would kill the
		// retry's fresh sandbox (seen where the first attempt failed at
		// once, as kvm does without /dev/kvm, just as the timer fired).
		defer watchdog.Wait()
		defer close(done)
		// Once the boot is late, its processes are killed until the
		// command returns: on a busy machine the sandbox may not exist
		// yet when the timer fires, and one kill would miss it.
		watchdog.Add(1)
		go func() {
			defer watchdog.Done()
			t := time.NewTimer(s.Policy.Create.BootTimeout)
			defer t.Stop()
			select {
			case <-done:
				return
			case <-t.C:
			}
			if booted(root, c.cid) {
				return
			}
			timedOut.Store(true)
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				killDescendants(os.Getpid())
				select {
				case <-done:
					return
				case <-tick.C:
				}
			}
		}()
	}
	status := c.SubCommand.Execute(ctx, f, args...)
	return status, timedOut.Load()
}

// retry falls back: the decided boot-critical settings go back to gVisor's
// defaults (everything else decided stays), the failure is remembered for
// the image and in the host facts, and the command runs once more.
func (c *decidedCmd) retry(ctx context.Context, f *flag.FlagSet, conf, orig *config.Config, args []any, s *Session, why string) subcommands.ExitStatus {
	changed := s.Plan.FallBack(why)
	for _, ch := range changed {
		if err := s.Records.RecordFailure(s.Plan.Image, ch.Name, ch.Value, why); err != nil {
			node.Warn("recording the failed boot", zap.Error(err))
		}
		if ch.Name == "platform" {
			if err := host.MarkPlatformUnusable(c.opts.HostCache(), node.Version, ch.Value, why); err != nil {
				node.Warn("updating host facts", zap.Error(err))
			}
		}
		fb, _ := s.Plan.Get(ch.Name)
		node.Warn(fmt.Sprintf("decided %s=%s did not boot; retrying once with %s=%s", ch.Name, ch.Value, ch.Name, fb.Value),
			zap.String("container", c.cid), zap.String("error", why))
	}
	destroyLeftovers(conf.RootDir, c.cid)
	*conf = *orig
	if err := applyPlan(conf, s.Plan.Decided()); err != nil {
		*conf = *orig
	}
	return c.SubCommand.Execute(ctx, f, args...)
}

// detached: the container outlives the command (create, run --detach).
func detached(name string, f *flag.FlagSet) bool {
	if name == "create" {
		return true
	}
	d := f.Lookup("detach")
	return d != nil && d.Value.String() == "true"
}

// record keeps the run: a container that is still there (create, run
// --detach) is finished at delete; an attached run or do is finished now.
// due: the journal of finished runs should be folded.
func (c *decidedCmd) record(s *Session, run sandboxconf.Run, f *flag.FlagSet) (due bool) {
	var err error
	if detached(c.Name(), f) {
		run.Measure = "create"
		err = s.Records.Pending(s.Plan.Image, run)
	} else {
		run.Measure = "run"
		due, err = s.Records.Finish(s.Plan.Image, run)
	}
	if err != nil {
		node.Warn("create-time history not updated", zap.String("container", c.cid), zap.Error(err))
	}
	return due
}

// booted reports whether the container got past creation; a state file
// still locked by its creator means it has not.
func booted(root, cid string) bool {
	c, err := container.Load(root, container.FullID{ContainerID: cid}, container.LoadOpts{SkipCheck: true, TryLock: container.TryAcquire})
	return err == nil && c.Status != container.Creating
}

// destroyLeftovers removes what a failed creation left, if anything.
func destroyLeftovers(root, cid string) {
	c, err := container.Load(root, container.FullID{ContainerID: cid}, container.LoadOpts{SkipCheck: true})
	if err != nil {
		return
	}
	if err := c.Destroy(); err != nil {
		node.Warn("cleaning up the failed boot", zap.String("container", cid), zap.Error(err))
	}
}

// killDescendants SIGKILLs every process below pid: the sandbox and gofer a
// hung boot left behind. gVisor's create then fails and cleans up.
func killDescendants(pid int) {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name may hold spaces and parentheses: parse after
		// the last ')'.
		i := strings.LastIndexByte(string(b), ')')
		fields := strings.Fields(string(b[i+1:]))
		if len(fields) < 2 {
			continue
		}
		if pp, err := strconv.Atoi(fields[1]); err == nil {
			children[pp] = append(children[pp], p)
		}
	}
	queue := children[pid]
	for len(queue) > 0 {
		p := queue[0]
		queue = append(queue[1:], children[p]...)
		syscall.Kill(p, syscall.SIGKILL)
	}
}

// errorSniffer sits in gVisor's error log writer to see why a command failed
// (it forwards everything unchanged).
type errorSniffer struct {
	next io.Writer
	mu   sync.Mutex
	msgs []string
}

func (e *errorSniffer) Write(b []byte) (int, error) {
	var m struct {
		Msg string `json:"msg"`
	}
	if json.Unmarshal(b, &m) == nil {
		e.mu.Lock()
		e.msgs = append(e.msgs, m.Msg)
		e.mu.Unlock()
	}
	if e.next != nil {
		return e.next.Write(b)
	}
	return len(b), nil
}

func (e *errorSniffer) last() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.msgs) == 0 {
		return "the sandbox did not boot"
	}
	m := e.msgs[len(e.msgs)-1]
	if len(m) > 300 {
		m = m[:300] + "…"
	}
	return m
}

// bootFailure: gVisor reports a failed sandbox boot as "creating container:"
// (create, run and do alike); a failed workload is reported otherwise.
func (e *errorSniffer) bootFailure() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.msgs {
		if strings.Contains(m, "creating container:") {
			return true
		}
	}
	return false
}

// cgroupDirs are the directories of the container's cgroup in every mounted
// hierarchy, each with whether it exists now. gVisor defaults the path to
// /<id>; systemd-style paths are left alone.
func cgroupDirs(spec *specs.Spec, cid string) map[string]bool {
	path := "/" + cid
	if spec.Linux != nil && spec.Linux.CgroupsPath != "" {
		path = spec.Linux.CgroupsPath
	}
	ds, err := cgroup.Dirs(path)
	if err != nil {
		return nil
	}
	dirs := map[string]bool{}
	for _, d := range ds {
		_, err := os.Stat(d)
		dirs[d] = err == nil
	}
	return dirs
}

// removeNewCgroups removes the cgroup directories a failed boot created
// (present now, absent before): gVisor does not remove them on that path,
// and would then treat them as the user's on the retry and leave them for
// good. rmdir only succeeds on an empty cgroup.
func removeNewCgroups(spec *specs.Spec, cid string, before map[string]bool) {
	if before == nil {
		return
	}
	for d, now := range cgroupDirs(spec, cid) {
		if now && !before[d] {
			if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
				node.Warn("removing the failed boot's cgroup", zap.String("dir", d), zap.Error(err))
			}
		}
	}
}
