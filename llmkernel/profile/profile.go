// Package profile learns what the sandboxes of each image normally do — the
// binaries they execute, their syscall-class mix, the socket families they
// open, how fast they create processes, which privileged operations they
// attempt — from the tap's windows over the image's first runs, and checks
// each later window against it and the policy's security rules. A
// deviation is an Anomaly, with the evidence that triggered it; what is
// done about it (report, pause, kill) is the engine's and the policy's.
//
// Everything a profile learns is container-controlled, so a profile is
// bounded whatever a container does (at most MaxExecs binary names, each
// already cleaned by the tap's summary format), and a frozen profile learns
// nothing: a container cannot teach its image's profile what it is about
// to do.
package profile

import (
	"fmt"
	"maps"
	"strings"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

// MaxExecs bounds the binary names a profile keeps; names beyond it are
// counted together (ExecsOver), and a frozen profile's unknown names are
// anomalies whatever their number.
const MaxExecs = 64

// Window is one sandbox's tap evidence for one window (all its containers).
type Window struct {
	Classes [summary.NumClasses]summary.Count
	Execs   []string // basenames, as the summary format cleaned them
	Seconds float64  // the window's length
}

// Add adds a container's window to w.
func (w *Window) Add(c *summary.Container) {
	for i, k := range c.Classes {
		w.Classes[i].Calls += k.Calls
		w.Classes[i].Bytes += k.Bytes
	}
	w.Execs = append(w.Execs, c.Execs...)
}

// Profile is what an image's sandboxes did while it was learned.
type Profile struct {
	Image   string `json:"image"`
	Runs    int    `json:"runs"`    // sandboxes of the image learned from
	Windows int    `json:"windows"` // their windows
	Frozen  bool   `json:"frozen"`
	// Execs counts each binary executed (at most MaxExecs names);
	// ExecsOver counts the executions of names beyond that.
	Execs     map[string]uint64 `json:"execs,omitempty"`
	ExecsOver uint64            `json:"execs_over,omitempty"`
	// Calls are the calls per class: the syscall mix, the socket
	// families, the privileged operations attempted.
	Calls [summary.NumClasses]uint64 `json:"calls"`
	// MaxForkRate is the highest process-creation rate of a window
	// (clone, fork and execve calls per second).
	MaxForkRate float64 `json:"max_fork_rate"`
}

// clone is a deep copy of p.
func (p *Profile) clone() Profile {
	c := *p
	c.Execs = maps.Clone(p.Execs)
	if c.Execs == nil {
		c.Execs = map[string]uint64{}
	}
	return c
}

// New is an empty profile for image.
func New(image string) *Profile {
	return &Profile{Image: image, Execs: map[string]uint64{}}
}

// Learning says how long a profile learns: until the image has run Runs
// sandboxes and Windows windows (both).
type Learning struct {
	Runs, Windows int
}

// StartRun counts a new sandbox of the image, and freezes the profile once
// it has learned enough (l) before this run.
func (p *Profile) StartRun(l Learning) {
	if !p.Frozen && p.Runs >= l.Runs && p.Windows >= l.Windows {
		p.Frozen = true
	}
	if !p.Frozen {
		p.Runs++
	}
}

// Learn adds a window to an unfrozen profile; a frozen one is unchanged
// (it reports false).
func (p *Profile) Learn(w *Window) bool {
	if p.Frozen {
		return false
	}
	p.Windows++
	for i, k := range w.Classes {
		p.Calls[i] += k.Calls
	}
	if p.Execs == nil {
		p.Execs = map[string]uint64{}
	}
	for _, x := range w.Execs {
		if _, ok := p.Execs[x]; ok || len(p.Execs) < MaxExecs {
			p.Execs[x]++
		} else {
			p.ExecsOver++
		}
	}
	p.MaxForkRate = max(p.MaxForkRate, forkRate(w))
	return true
}

// forkRate is a window's process-creation calls per second.
func forkRate(w *Window) float64 {
	if w.Seconds <= 0 {
		return 0
	}
	return float64(w.Classes[summary.Process].Calls) / w.Seconds
}

// Network says whether the image ever opened a socket of a family other
// than AF_UNIX, or made network calls.
func (p *Profile) Network() bool {
	return p.Calls[summary.SockInet]+p.Calls[summary.SockNetlink]+p.Calls[summary.SockOther] > 0
}

// String summarises the profile in one line.
func (p *Profile) String() string {
	state := "learning"
	if p.Frozen {
		state = "frozen"
	}
	names := p.sortedExecs()
	var fams, sens []string
	for c := summary.SockInet; c <= summary.SockOther; c++ {
		if p.Calls[c] > 0 {
			fams = append(fams, strings.TrimPrefix(c.String(), "sock_"))
		}
	}
	for c := summary.FirstSensitive; c <= summary.LastSensitive; c++ {
		if p.Calls[c] > 0 {
			sens = append(sens, fmt.Sprintf("%s %d", c, p.Calls[c]))
		}
	}
	return fmt.Sprintf("%q: %s after %d runs, %d windows; binaries %s; sockets %s; privileged %s; fork rate up to %.1f/s",
		p.Image, state, p.Runs, p.Windows, list(names), list(fams), list(sens), p.MaxForkRate)
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
