package createtime

import (
	"context"
	"flag"
	"time"

	"github.com/google/subcommands"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.uber.org/zap"
	"gvisor.dev/gvisor/runsc/cmd/util"
	"gvisor.dev/gvisor/runsc/config"
	"gvisor.dev/gvisor/runsc/container"

	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/platform/cgroup"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
	"github.com/go-os-agent/runsc-ai/sentry/tap"
)

// finishingDelete wraps delete: a container created with a create-time
// decision gets its outcome (start-up time, peak memory) scored and learned
// from once it is deleted.
type finishingDelete struct {
	util.SubCommand
	opts *node.Options
}

type finishing struct {
	image string
	run   sandboxconf.Run
}

// Execute implements subcommands.Command.
func (d finishingDelete) Execute(ctx context.Context, f *flag.FlagSet, args ...any) (status subcommands.ExitStatus) {
	defer func() {
		if status == subcommands.ExitSuccess {
			for _, id := range f.Args() {
				tap.Remove(d.opts.TapDir(), id)
			}
		}
	}()
	conf, ok := args[0].(*config.Config)
	if !ok || !d.opts.Decide {
		return d.SubCommand.Execute(ctx, f, args...)
	}
	endFind := node.Span("pending")
	st, err := sandboxconf.OpenExisting(d.opts.CreateDir())
	if err != nil {
		endFind()
		return d.SubCommand.Execute(ctx, f, args...)
	}
	var done []finishing
	for _, id := range f.Args() {
		image, run, live, err := st.Find(id)
		if err != nil || !live {
			continue
		}
		// Read before gVisor's delete removes the cgroup.
		run.PeakMemory = peakMemory(conf.RootDir, id)
		done = append(done, finishing{image, run})
	}
	endFind()
	endRunsc := node.Span("runsc-delete")
	status = d.SubCommand.Execute(ctx, f, args...)
	endRunsc()
	if status != subcommands.ExitSuccess || len(done) == 0 {
		return status
	}
	endRecord := node.Span("record")
	fold := false
	for _, fin := range done {
		if _, _, err := st.Take(fin.run.ContainerID); err != nil {
			continue // another delete finished it
		}
		due, err := st.Finish(fin.image, fin.run)
		if err != nil {
			node.Warn("create-time outcome not recorded", zap.String("container", fin.run.ContainerID), zap.Error(err))
		}
		fold = fold || due
	}
	endRecord()
	if fold {
		defer node.Span("fold")()
		pol, err := d.opts.LoadPolicy()
		if err == nil {
			_, err = st.Tidy(&pol)
		}
		if err != nil {
			node.Warn("create-time history", zap.Error(err))
		}
	}
	return status
}

// peakMemory is the sandbox cgroup's memory high-water mark (v1
// max_usage_in_bytes, v2 memory.peak); 0 when unknown.
func peakMemory(root, id string) uint64 {
	dir := memoryDir(root, id, false)
	if dir == "" {
		return 0
	}
	v, _ := cgroup.ReadPeak(dir)
	return v
}

// memoryDir is the sandbox's memory cgroup directory ("" when unknown);
// with try, a state file locked by its command is not waited for.
func memoryDir(root, id string, try bool) string {
	opts := container.LoadOpts{SkipCheck: true}
	if try {
		opts.TryLock = container.TryAcquire
	}
	c, err := container.Load(root, container.FullID{ContainerID: id}, opts)
	if err != nil || c.Sandbox == nil || c.Sandbox.CgroupJSON.Cgroup == nil {
		return ""
	}
	return c.Sandbox.CgroupJSON.Cgroup.MakePath("memory")
}

// peakFind is how often an attached run looks for its sandbox's cgroup
// until create has made it.
const peakFind = 250 * time.Millisecond

// watchPeak follows an attached run's memory high-water mark until stop:
// gVisor's run removes the sandbox's cgroup before it returns, so delete's
// reading would come too late. It costs no wake-up while the sandbox's
// memory does not grow (cgroup.FollowPeak).
func watchPeak(root, id string) (stop func() uint64) {
	done := make(chan struct{})
	result := make(chan uint64, 1)
	go func() {
		t := time.NewTimer(peakFind)
		defer t.Stop()
		for {
			select {
			case <-done:
				result <- 0 // the sandbox never had a cgroup to follow
				return
			case <-t.C:
			}
			if dir := memoryDir(root, id, true); dir != "" {
				result <- cgroup.FollowPeak(dir, done).Bytes
				return
			}
			t.Reset(peakFind)
		}
	}()
	return func() uint64 {
		close(done)
		return <-result
	}
}

// FetchSpec implements util.SubCommand. gVisor's delete loads (and caches)
// the first container here, before Execute: it must see the settled status.
func (d finishingDelete) FetchSpec(conf *config.Config, f *flag.FlagSet) (string, *specs.Spec, error) {
	d.settle(conf, f)
	return d.SubCommand.FetchSpec(conf, f)
}

// settle waits for containers that look running but are on their way out.
// gVisor decides "stopped" by asking the sandbox, or, once the sandbox stops
// answering, by whether its process still exists. A killed sandbox that is
// tearing down (or, a zombie, waiting for its parent to reap it) no longer
// answers but still exists, so a delete right after `state` said "stopped"
// fails with "not stopped" (and gVisor exits at once, so it cannot retry). Without
// --force, a container that looks running gets 300 ms, or up to 5 s while its
// sandbox no longer answers; one whose sandbox answers that it runs still
// gets gVisor's error.
func (d finishingDelete) settle(conf *config.Config, f *flag.FlagSet) {
	if conf == nil || flagTrue(f, "force") {
		return
	}
	for _, id := range f.Args() {
		start := time.Now()
		deadline := start.Add(300 * time.Millisecond)
		for {
			c, err := container.Load(conf.RootDir, container.FullID{ContainerID: id}, container.LoadOpts{})
			if err != nil || c.Status == container.Stopped || c.Status == container.Created {
				break
			}
			if _, err := c.Sandbox.ContainerRuntimeState(c.ID); err != nil {
				deadline = start.Add(5 * time.Second) // exiting: not answering
			}
			if time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func flagTrue(f *flag.FlagSet, name string) bool {
	fl := f.Lookup(name)
	return fl != nil && fl.Value.String() == "true"
}
