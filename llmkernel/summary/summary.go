// Package summary is the wire format of the Sentry tap: what one sandbox's
// containers did during one window (syscall classes: calls and bytes, the
// binaries they executed), as the tap in sentry/ writes it and the agent
// reads it. Everything in a summary is controlled by the sandboxed workload
// or the sandbox itself, so Decode bounds and validates it.
package summary

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Class is a syscall class the tap counts.
type Class int

// The classes. Bytes are counted for FileIO and Network (bytes moved) and
// Memory (bytes mapped, unmapped or advised).
//
// The security evidence follows Other: attempts at privileged operations,
// allowed or refused (for these, Bytes counts the attempts the Sentry
// refused), and socket(2) calls by address family. Each syscall is counted
// in exactly one class, so a container's total is the sum of all. The
// classes only ever grow at the end: a reader of an older tap gets zeros
// for the newer classes, and a reader that knows fewer drops the rest
// (encoding/json discards array elements beyond a Go array's length), so
// agents and taps of different versions keep working together.
const (
	FileIO      Class = iota // read/write family, open, close, fsync, lseek
	Network                  // socket calls but socket(2), send/recv family
	Memory                   // mmap, munmap, brk, mremap, madvise, mprotect
	Blocking                 // futex waits, sleeps, epoll/poll/select waits
	Wakeups                  // futex wakes and requeues
	Process                  // clone, fork, execve, exit, wait
	Other                    // everything else
	Ptrace                   // ptrace, process_vm_readv/writev, kcmp
	Mount                    // mount, umount2, pivot_root, chroot, the new mount API
	Namespace                // setns, unshare
	BPF                      // bpf, perf_event_open
	Module                   // init_module, finit_module, delete_module, kexec_load, kexec_file_load
	Keys                     // keyctl, add_key, request_key
	Privileged               // reboot, swapon/off, iopl/ioperm, clock and time setting, acct, quotactl, syslog, personality, userfaultfd
	SockInet                 // socket(2) of AF_INET or AF_INET6
	SockUnix                 // socket(2) of AF_UNIX
	SockNetlink              // socket(2) of AF_NETLINK
	SockOther                // socket(2) of any other family (AF_PACKET: raw frames, …)
	NumClasses
)

// FirstSensitive..LastSensitive are the privileged-operation classes.
const (
	FirstSensitive = Ptrace
	LastSensitive  = Privileged
)

var classNames = [NumClasses]string{"file_io", "network", "memory", "blocking", "wakeups", "process", "other",
	"ptrace", "mount", "namespace", "bpf", "module", "keys", "privileged",
	"sock_inet", "sock_unix", "sock_netlink", "sock_other"}

// Sensitive: the class counts attempts at privileged operations.
func (c Class) Sensitive() bool { return c >= FirstSensitive && c <= LastSensitive }

// ParseClass is the class named name (as String gives it).
func ParseClass(name string) (Class, error) {
	for i, n := range classNames {
		if n == name {
			return Class(i), nil
		}
	}
	return 0, fmt.Errorf("unknown syscall class %q (want one of %s)", name, strings.Join(classNames[:], ", "))
}

func (c Class) String() string {
	if c < 0 || c >= NumClasses {
		return fmt.Sprintf("class(%d)", int(c))
	}
	return classNames[c]
}

// Limits on what a summary may hold: a summary must fit in one atomic pipe
// write (PIPE_BUF, 4096 bytes).
const (
	MaxSize       = 4096
	MaxContainers = 16
	MaxIDLen      = 128
	MaxExecs      = 4
	MaxExecLen    = 64
)

// Count is a class's calls and bytes in a window.
type Count struct {
	Calls uint64 `json:"c"`
	Bytes uint64 `json:"b,omitempty"`
}

// Container is one container's window.
type Container struct {
	ID      string            `json:"id"`
	Classes [NumClasses]Count `json:"k"`
	// Execs are the basenames of binaries executed in the window (at most
	// MaxExecs, each cut to MaxExecLen); ExecsDropped counts the rest.
	Execs        []string `json:"x,omitempty"`
	ExecsDropped uint64   `json:"xd,omitempty"`
}

// Total is the container's syscalls in the window.
func (c *Container) Total() uint64 {
	var n uint64
	for _, k := range c.Classes {
		n += k.Calls
	}
	return n
}

// Summary is one window of one sandbox.
type Summary struct {
	Sandbox    string      `json:"s"`
	Seq        uint64      `json:"q"`            // 1, 2, … per sandbox; a gap means lost summaries
	UnixNano   int64       `json:"t"`            // end of the window
	WindowMs   uint32      `json:"w"`            // window length
	Dropped    uint64      `json:"d"`            // summaries the tap could not write so far
	Truncated  uint64      `json:"tr,omitempty"` // containers left out of this one
	Containers []Container `json:"c,omitempty"`
}

// Encode returns s as one line, cut to fit MaxSize: containers beyond what
// fits are left out and counted in Truncated.
func Encode(s *Summary) ([]byte, error) {
	for {
		b, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		if len(b)+1 <= MaxSize {
			return append(b, '\n'), nil
		}
		if len(s.Containers) == 0 {
			return nil, errors.New("summary: does not fit even without containers")
		}
		s.Containers = s.Containers[:len(s.Containers)-1]
		s.Truncated++
	}
}

// Decode parses and validates one line. Errors name what was wrong.
func Decode(line []byte) (*Summary, error) {
	if len(line) > MaxSize {
		return nil, fmt.Errorf("summary: %d bytes, more than %d", len(line), MaxSize)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var s Summary
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	if rest := bytes.TrimSpace(line[dec.InputOffset():]); len(rest) > 0 {
		return nil, fmt.Errorf("summary: %d bytes of trailing data", len(rest))
	}
	if err := ValidID(s.Sandbox); err != nil {
		return nil, fmt.Errorf("summary: sandbox: %w", err)
	}
	if s.Seq == 0 || s.UnixNano <= 0 || s.WindowMs == 0 || s.WindowMs > 3_600_000 {
		return nil, fmt.Errorf("summary of %s: seq %d, time %d, window %d ms: out of range", s.Sandbox, s.Seq, s.UnixNano, s.WindowMs)
	}
	if len(s.Containers) > MaxContainers {
		return nil, fmt.Errorf("summary of %s: %d containers, more than %d", s.Sandbox, len(s.Containers), MaxContainers)
	}
	for i := range s.Containers {
		c := &s.Containers[i]
		if err := ValidID(c.ID); err != nil {
			return nil, fmt.Errorf("summary of %s: container %d: %w", s.Sandbox, i, err)
		}
		for j := range i {
			if s.Containers[j].ID == c.ID {
				return nil, fmt.Errorf("summary of %s: container %s twice", s.Sandbox, c.ID)
			}
		}
		if len(c.Execs) > MaxExecs {
			return nil, fmt.Errorf("summary of %s: container %s: %d execs, more than %d", s.Sandbox, c.ID, len(c.Execs), MaxExecs)
		}
		for j, x := range c.Execs {
			c.Execs[j] = CleanExec(x)
		}
	}
	return &s, nil
}

// ErrForeign is wrapped by DecodeFrom's error for a summary that claims a
// sandbox other than the one whose FIFO it came through.
var ErrForeign = errors.New("summary claims another sandbox")

// DecodeFrom decodes a line read from sandbox's own FIFO: a summary is only
// ever about the sandbox whose Sentry holds the FIFO, so a line claiming
// another sandbox is refused (whoever writes into one FIFO must not
// influence another sandbox's state).
func DecodeFrom(sandbox string, line []byte) (*Summary, error) {
	s, err := Decode(line)
	if err != nil {
		return nil, err
	}
	if s.Sandbox != sandbox {
		return nil, fmt.Errorf("summary: %w: FIFO of %s, line claims %s", ErrForeign, sandbox, trim(s.Sandbox))
	}
	return s, nil
}

// ValidID accepts OCI container IDs as runsc does ([A-Za-z0-9_.-], at most
// MaxIDLen).
func ValidID(id string) error {
	if id == "" || len(id) > MaxIDLen {
		return fmt.Errorf("id %q: length %d not in 1..%d", trim(id), len(id), MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return fmt.Errorf("id %q: character %q not allowed", trim(id), c)
		}
	}
	return nil
}

// SelfExec says whether an executed path names the binary only
// indirectly — /proc/self/exe, /proc/PID/exe, /dev/fd/N, /proc/self/fd/N —
// so that its argv[0] names it better.
func SelfExec(path string) bool {
	if strings.HasPrefix(path, "/dev/fd/") {
		return true
	}
	rest, ok := strings.CutPrefix(path, "/proc/")
	if !ok {
		return false
	}
	_, after, ok := strings.Cut(rest, "/")
	return ok && (after == "exe" || strings.HasPrefix(after, "fd/"))
}

// CleanExec makes an executed binary's name safe to log and to put in a
// prompt: its base name, printable ASCII only, at most MaxExecLen bytes.
func CleanExec(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		path = path[i+1:]
	}
	var b strings.Builder
	for i := 0; i < len(path) && b.Len() < MaxExecLen; i++ {
		c := path[i]
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		b.WriteByte(c)
	}
	return b.String()
}

func trim(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
