package shim

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/pkg/sys/reaper"
	"github.com/containerd/log"
	"gvisor.dev/gvisor/pkg/shim/v1/proc"
)

// internalErrorCode is the status gVisor's shim reports when `runsc wait`
// fails (proc's internalErrorCode).
const internalErrorCode = 128

// reapedWait is how long a failed wait looks for the sandbox's exit status;
// the reaper publishes it moments after `runsc wait` saw the sandbox gone.
const reapedWait = 2 * time.Second

// maxReaped bounds the exit statuses kept; each entry is a few bytes and
// only sandboxes of this shim's containers matter.
const maxReaped = 4096

// exitFixer gives a container that exits at once its real exit code.
//
// The sandbox process is re-parented to the shim (a subreaper), whose reaper
// collects it. When the container exits before `runsc wait` connects, wait
// can only ask the kernel for the sandbox's status, which the reaper already
// took: "sandbox no longer running and its exit status is unavailable", and
// the shim reports 128. The sandbox exits with its root container's status,
// so the fixer keeps what the reaper saw and puts it into the exit the
// service receives, before the service records or publishes it.
type exitFixer struct {
	mu      sync.Mutex
	reaped  map[int]int       // pid -> exit status, from the reaper
	order   []int             // insertion order, to bound reaped
	bundles map[string]string // container ID -> bundle
	cond    *sync.Cond
}

func newExitFixer() *exitFixer {
	f := &exitFixer{reaped: map[int]int{}, bundles: map[string]string{}}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// start interposes on gVisor's exit channel. gVisor's service has already
// captured proc.ExitCh (it reads it); processes started from now on send to
// the new channel, and the fixer forwards to the service's.
func (f *exitFixer) start(ctx context.Context) {
	exits := reaper.Default.Subscribe()
	go func() {
		for e := range exits {
			f.mu.Lock()
			if len(f.order) >= maxReaped {
				delete(f.reaped, f.order[0])
				f.order = f.order[1:]
			}
			f.reaped[e.Pid] = e.Status
			f.order = append(f.order, e.Pid)
			f.cond.Broadcast()
			f.mu.Unlock()
		}
	}()
	service := proc.ExitCh
	raw := make(chan proc.Exit, cap(service))
	proc.ExitCh = raw
	go func() {
		for e := range raw {
			if e.Status != internalErrorCode {
				service <- e
				continue
			}
			go func(e proc.Exit) {
				if st, ok := f.sandboxStatus(e.ID); ok && st != e.Status {
					log.G(ctx).Infof("container %s: wait failed after the sandbox exited; reporting the sandbox's exit status %d", e.ID, st)
					e.Status = st
				}
				service <- e
			}(e)
		}
	}()
}

// track remembers a container's bundle (where runsc writes its pid file).
func (f *exitFixer) track(id, bundle string) {
	f.mu.Lock()
	f.bundles[id] = bundle
	f.mu.Unlock()
}

// sandboxStatus is the reaped exit status of container id's sandbox process.
func (f *exitFixer) sandboxStatus(id string) (int, bool) {
	f.mu.Lock()
	bundle, ok := f.bundles[id]
	f.mu.Unlock()
	if !ok {
		return 0, false // an exec'd process, or not ours
	}
	b, err := os.ReadFile(filepath.Join(bundle, "init.pid"))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, false
	}
	deadline := time.Now().Add(reapedWait)
	wake := time.AfterFunc(reapedWait, func() { f.mu.Lock(); f.cond.Broadcast(); f.mu.Unlock() })
	defer wake.Stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if st, ok := f.reaped[pid]; ok {
			return st, true
		}
		if time.Now().After(deadline) {
			return 0, false
		}
		f.cond.Wait()
	}
}
