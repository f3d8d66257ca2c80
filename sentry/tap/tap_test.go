package tap

import (
	"fmt"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/sentry/arch"
	"gvisor.dev/gvisor/pkg/sentry/kernel"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

func nop(*kernel.Task, uintptr, arch.SyscallArguments) (uintptr, *kernel.SyscallControl, error) {
	return 7, nil, nil
}

// The wrapper counts calls and bytes into the task's container.
func TestWrapCounts(t *testing.T) {
	tp := newTap("sb", time.Second, nil)
	w := tp.wrap(nop, summary.RuleFor("write"))
	task := &kernel.Task{}
	task.RestoreContainerID("c1")
	for i := 0; i < 10; i++ {
		w(task, 1, arch.SyscallArguments{})
	}
	s, _ := tp.snapshot(time.Now(), nil)
	if len(s.Containers) != 1 || s.Containers[0].Classes[summary.FileIO] != (summary.Count{Calls: 10, Bytes: 70}) {
		t.Fatalf("%+v", s)
	}
	// The next window carries only what happened since.
	s2, _ := tp.snapshot(time.Now(), map[string][summary.NumClasses]summary.Count{"c1": s.Containers[0].Classes})
	if len(s2.Containers) != 0 {
		t.Errorf("second window: %+v", s2.Containers)
	}
	if tp.send(s); tp.dropped != 1 {
		t.Errorf("no FIFO: dropped %d, want 1", tp.dropped)
	}
}

// Containers beyond the tracked number, and invalid IDs, share the overflow
// counters; a summary never lists more than summary.MaxContainers.
func TestRegistryBounded(t *testing.T) {
	tp := newTap("sb", time.Second, nil)
	w := tp.wrap(nop, summary.RuleFor("getpid"))
	for i := 0; i < 100; i++ {
		task := &kernel.Task{}
		task.RestoreContainerID(fmt.Sprintf("c%d", i))
		w(task, 39, arch.SyscallArguments{})
	}
	bad := &kernel.Task{}
	bad.RestoreContainerID("not valid!")
	w(bad, 39, arch.SyscallArguments{})
	s, _ := tp.snapshot(time.Now(), nil)
	if len(s.Containers) != summary.MaxContainers {
		t.Fatalf("%d containers", len(s.Containers))
	}
	var total uint64
	for _, c := range s.Containers {
		total += c.Total()
		if c.ID == overflowID && c.Total() != 101-(summary.MaxContainers-1) {
			t.Errorf("overflow counted %d", c.Total())
		}
	}
	if total != 101 {
		t.Errorf("total %d, want 101", total)
	}
}

// BenchmarkSyscallPath is the tap's cost per syscall: the wrapped call
// minus the bare one is what every syscall in a sandbox pays (compare with
// a systrap syscall's ~5 µs on this kind of machine).
func BenchmarkSyscallPath(b *testing.B) {
	task := &kernel.Task{}
	task.RestoreContainerID("4d3b1c0a9e8f7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e")
	args := arch.SyscallArguments{}
	b.Run("bare", func(b *testing.B) {
		fn := kernel.SyscallFn(nop)
		for i := 0; i < b.N; i++ {
			fn(task, 1, args)
		}
	})
	b.Run("tapped", func(b *testing.B) {
		fn := newTap("sb", time.Second, nil).wrap(nop, summary.RuleFor("write"))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			fn(task, 1, args)
		}
	})
	b.Run("tapped-parallel", func(b *testing.B) {
		fn := newTap("sb", time.Second, nil).wrap(nop, summary.RuleFor("write"))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				fn(task, 1, args)
			}
		})
	})
}

// The pod init config Prepare writes names the runsc root for the agent;
// Remove takes every file away.
func TestPrepareNamesRoot(t *testing.T) {
	dir := t.TempDir()
	f, err := Prepare(dir, "sb1", "/run/runsc-root", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if root, err := ReadRoot(f.Config); err != nil || root != "/run/runsc-root" {
		t.Errorf("ReadRoot = %q, %v", root, err)
	}
	os.WriteFile(f.Config, []byte(`{"trace_session":{"sinks":[{"name":"other","config":{"root":"/x"}}]}}`), 0o600)
	if _, err := ReadRoot(f.Config); err == nil {
		t.Error("a root from another sink was taken")
	}
	Remove(dir, "sb1")
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left after Remove: %v", ents)
	}
}

func refuse(*kernel.Task, uintptr, arch.SyscallArguments) (uintptr, *kernel.SyscallControl, error) {
	return 0, nil, unix.EPERM
}

// Privileged operations are counted per group, their refusals as the
// group's bytes; socket(2) by address family; each call in one class.
func TestWrapCountsSecurityEvidence(t *testing.T) {
	tp := newTap("sb", time.Second, nil)
	task := &kernel.Task{}
	task.RestoreContainerID("c1")
	call := func(fn kernel.SyscallFn, name string, arg0 uint64, n int) {
		w := tp.wrap(fn, summary.RuleFor(name))
		for i := 0; i < n; i++ {
			w(task, 0, arch.SyscallArguments{{Value: uintptr(arg0)}})
		}
	}
	call(refuse, "mount", 0, 3)
	call(nop, "mount", 0, 1)
	call(refuse, "init_module", 0, 2)
	call(refuse, "ptrace", 0, 1)
	call(nop, "unshare", 0, 1)
	call(nop, "socket", unix.AF_INET6, 2)
	call(nop, "socket", unix.AF_UNIX, 1)
	call(nop, "socket", unix.AF_PACKET, 1)
	call(nop, "socket", unix.AF_NETLINK, 1)
	s, _ := tp.snapshot(time.Now(), nil)
	if len(s.Containers) != 1 {
		t.Fatalf("%+v", s)
	}
	k := s.Containers[0].Classes
	for class, want := range map[summary.Class]summary.Count{
		summary.Mount: {Calls: 4, Bytes: 3}, summary.Module: {Calls: 2, Bytes: 2}, summary.Ptrace: {Calls: 1, Bytes: 1},
		summary.Namespace: {Calls: 1}, summary.SockInet: {Calls: 2}, summary.SockUnix: {Calls: 1},
		summary.SockOther: {Calls: 1}, summary.SockNetlink: {Calls: 1}, summary.Network: {}, summary.Other: {},
	} {
		if k[class] != want {
			t.Errorf("%s: %+v, want %+v", class, k[class], want)
		}
	}
	if s.Containers[0].Total() != 13 {
		t.Errorf("total %d, want 13: each call in one class", s.Containers[0].Total())
	}
}
