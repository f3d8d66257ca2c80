// Package tap is runsc-ai's Sentry tap: per-container counters of syscall
// classes (file I/O, network, memory, blocking, wake-ups, process lifecycle),
// kept by wrappers around the Sentry's syscall table, and a summary per
// window written to the runsc-ai agent.
//
// It enters the Sentry as a seccheck sink (seccheck.RegisterSink): runsc-ai
// names the sink in the pod init config it generates for every sandbox, so
// gVisor calls Setup outside the sandbox (which opens the sandbox's FIFO
// under the agent's run directory and donates it) and New inside the Sentry
// at boot (which installs the wrappers and starts the window loop). The sink
// subscribes to no trace point: the wrappers cost one atomic add per syscall
// and the window loop runs on its own goroutine.
//
// Cost on the syscall path: a cached pointer compare, atomic adds, no
// allocation, no lock, no I/O. Summaries go out with non-blocking writes to
// a FIFO: with no agent reading (absent, slow, restarting) the pipe fills
// and summaries are dropped and counted; the sandbox never waits.
package tap

import (
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/abi"
	"gvisor.dev/gvisor/pkg/fd"
	"gvisor.dev/gvisor/pkg/log"
	"gvisor.dev/gvisor/pkg/sentry/arch"
	"gvisor.dev/gvisor/pkg/sentry/kernel"
	"gvisor.dev/gvisor/pkg/sentry/seccheck"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

// SinkName is the seccheck sink's name in a trace session.
const SinkName = "runsc-ai-tap"

// Config keys of the sink (the pod init config's sink "config").
const (
	ConfigFIFO    = "fifo"    // path of the sandbox's FIFO (created by runsc-ai)
	ConfigSandbox = "sandbox" // sandbox (root container) ID
	ConfigWindow  = "window"  // summary period, a Go duration; default 1s
	ConfigRoot    = "root"    // runsc --root of the sandbox, for the agent; unused in the Sentry
)

// DefaultWindow is the summary period.
const DefaultWindow = time.Second

func init() {
	seccheck.RegisterSink(seccheck.SinkDesc{Name: SinkName, Setup: setup, New: newSink})
}

// setup runs in `runsc create`, outside the sandbox: it opens the FIFO for
// the Sentry. Without it the tap still counts; nothing fails the sandbox.
func setup(config map[string]any) (*os.File, error) {
	path, _ := config[ConfigFIFO].(string)
	if path == "" {
		return nil, nil
	}
	// Read-write: opening never blocks for a reader, and the pipe stays
	// valid while agents come and go. Opened blocking and switched to
	// non-blocking by fcntl, so the donation's Fd() leaves it non-blocking.
	fdNum, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		log.Warningf("runsc-ai tap: summaries off, FIFO %q: %v", path, err)
		return nil, nil
	}
	if err := unix.SetNonblock(fdNum, true); err != nil {
		unix.Close(fdNum)
		log.Warningf("runsc-ai tap: summaries off, FIFO %q: %v", path, err)
		return nil, nil
	}
	return os.NewFile(uintptr(fdNum), path), nil
}

// newSink runs in the Sentry at boot.
func newSink(config map[string]any, endpoint *fd.FD) (seccheck.Sink, error) {
	sandbox, _ := config[ConfigSandbox].(string)
	if err := summary.ValidID(sandbox); err != nil {
		return nil, fmt.Errorf("runsc-ai tap: sandbox: %w", err)
	}
	window := DefaultWindow
	if w, ok := config[ConfigWindow].(string); ok && w != "" {
		d, err := time.ParseDuration(w)
		if err != nil || d < 10*time.Millisecond || d > time.Hour {
			return nil, fmt.Errorf("runsc-ai tap: window %q: want a duration in 10ms..1h", w)
		}
		window = d
	}
	t := newTap(sandbox, window, endpoint)
	if err := t.install(); err != nil {
		return nil, err
	}
	go t.loop()
	return t, nil
}

// tap is one sandbox's tap (one per Sentry).
type tap struct {
	seccheck.SinkDefaults
	sandbox string
	window  time.Duration
	out     *fd.FD // nil: no agent FIFO

	reg registry

	stop    chan struct{}
	stopped sync.Once
	dropped uint64 // summaries not written (loop goroutine only)
	seq     uint64
}

func newTap(sandbox string, window time.Duration, out *fd.FD) *tap {
	return &tap{sandbox: sandbox, window: window, out: out, stop: make(chan struct{})}
}

// Name implements seccheck.Sink.
func (*tap) Name() string { return SinkName }

// Status implements seccheck.Sink.
func (*tap) Status() seccheck.SinkStatus { return seccheck.SinkStatus{} }

// Stop implements seccheck.Sink.
func (t *tap) Stop() { t.stopped.Do(func() { close(t.stop) }) }

// install wraps every syscall of the host architecture's Linux table once:
// the counters are this tap's (a Sentry runs one sandbox).
func (t *tap) install() error {
	table, ok := kernel.LookupSyscallTable(abi.Linux, arch.Host)
	if !ok {
		return fmt.Errorf("runsc-ai tap: no Linux syscall table for %v", arch.Host)
	}
	for num, sc := range table.Table {
		if sc.Fn == nil {
			continue
		}
		sc.Fn = t.wrap(sc.Fn, summary.RuleFor(sc.Name))
		table.Table[num] = sc
	}
	table.Init()
	return nil
}

func (t *tap) wrap(orig kernel.SyscallFn, rule summary.ClassRule) kernel.SyscallFn {
	return func(task *kernel.Task, sysno uintptr, args arch.SyscallArguments) (uintptr, *kernel.SyscallControl, error) {
		c := t.reg.get(task.ContainerID())
		if rule.Exec {
			c.noteExec(task, args[0].Pointer(), args[1].Pointer())
		}
		r, ctl, err := orig(task, sysno, args)
		class := rule.Class
		switch {
		case rule.Futex:
			class = summary.FutexClass(args[1].Uint64())
		case rule.Socket:
			class = summary.SocketClass(args[0].Uint64())
		}
		k := &c.k[class]
		k.calls.Add(1)
		switch rule.Bytes {
		case summary.RetBytes:
			if err == nil {
				k.bytes.Add(uint64(r))
			}
		case summary.Arg1Bytes:
			k.bytes.Add(args[1].Uint64())
		case summary.Arg2Bytes:
			k.bytes.Add(args[2].Uint64())
		case summary.Refusals:
			if err != nil {
				k.bytes.Add(1)
			}
		}
		return r, ctl, err
	}
}

// loop writes one summary per window until Stop.
func (t *tap) loop() {
	tick := time.NewTicker(t.window)
	defer tick.Stop()
	var last map[string][summary.NumClasses]summary.Count
	for {
		select {
		case <-t.stop:
			return
		case now := <-tick.C:
			s, cur := t.snapshot(now, last)
			last = cur
			t.send(s)
		}
	}
}

// snapshot builds the window's summary: counters are cumulative, the
// summary carries the window's deltas.
func (t *tap) snapshot(now time.Time, last map[string][summary.NumClasses]summary.Count) (*summary.Summary, map[string][summary.NumClasses]summary.Count) {
	t.seq++
	s := &summary.Summary{
		Sandbox: t.sandbox, Seq: t.seq, UnixNano: now.UnixNano(),
		WindowMs: uint32(t.window / time.Millisecond), Dropped: t.dropped,
	}
	cur := map[string][summary.NumClasses]summary.Count{}
	t.reg.each(func(id string, c *counters) {
		var now [summary.NumClasses]summary.Count
		for i := range c.k {
			now[i] = summary.Count{Calls: c.k[i].calls.Load(), Bytes: c.k[i].bytes.Load()}
		}
		cur[id] = now
		prev := last[id]
		sc := summary.Container{ID: id}
		for i := range now {
			sc.Classes[i] = summary.Count{Calls: now[i].Calls - prev[i].Calls, Bytes: now[i].Bytes - prev[i].Bytes}
		}
		sc.Execs, sc.ExecsDropped = c.takeExecs()
		if sc.Total() > 0 || len(sc.Execs) > 0 {
			s.Containers = append(s.Containers, sc)
		}
	})
	return s, cur
}

func (t *tap) send(s *summary.Summary) {
	if t.out == nil {
		t.dropped++
		return
	}
	b, err := summary.Encode(s)
	if err != nil {
		t.dropped++
		return
	}
	// One write of at most PIPE_BUF bytes is atomic; a full pipe (no agent
	// reading) refuses it at once.
	if _, err := unix.Write(t.out.FD(), b); err != nil {
		t.dropped++
	}
}
