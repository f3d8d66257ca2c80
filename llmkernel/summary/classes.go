package summary

// Bytes says where a syscall's byte count comes from.
type Bytes int

// Byte sources.
const (
	NoBytes   Bytes = iota
	RetBytes        // the return value (bytes read, written, sent, received)
	Arg1Bytes       // the second argument (a length: mmap, munmap, madvise, mprotect)
	Arg2Bytes       // the third argument (mremap's new length)
)

// ClassRule is how the tap counts one syscall.
type ClassRule struct {
	Class Class
	Bytes Bytes
	// Futex: the class depends on the operation (FutexClass).
	Futex bool
	// Exec: the first argument is the path of a binary being executed.
	Exec bool
}

// rules classifies syscalls by name, so one table serves every
// architecture's syscall numbers. Names missing here are Other.
var rules = map[string]ClassRule{
	// File I/O.
	"read": {FileIO, RetBytes, false, false}, "write": {FileIO, RetBytes, false, false},
	"pread64": {FileIO, RetBytes, false, false}, "pwrite64": {FileIO, RetBytes, false, false},
	"readv": {FileIO, RetBytes, false, false}, "writev": {FileIO, RetBytes, false, false},
	"preadv": {FileIO, RetBytes, false, false}, "pwritev": {FileIO, RetBytes, false, false},
	"preadv2": {FileIO, RetBytes, false, false}, "pwritev2": {FileIO, RetBytes, false, false},
	"sendfile": {FileIO, RetBytes, false, false}, "copy_file_range": {FileIO, RetBytes, false, false},
	"splice": {FileIO, RetBytes, false, false}, "tee": {FileIO, RetBytes, false, false},
	"open": {FileIO, NoBytes, false, false}, "openat": {FileIO, NoBytes, false, false},
	"openat2": {FileIO, NoBytes, false, false}, "creat": {FileIO, NoBytes, false, false},
	"close": {FileIO, NoBytes, false, false}, "fsync": {FileIO, NoBytes, false, false},
	"fdatasync": {FileIO, NoBytes, false, false}, "sync_file_range": {FileIO, NoBytes, false, false},
	"lseek": {FileIO, NoBytes, false, false}, "fallocate": {FileIO, NoBytes, false, false},
	"ftruncate": {FileIO, NoBytes, false, false}, "truncate": {FileIO, NoBytes, false, false},
	// Network.
	"socket": {Network, NoBytes, false, false}, "connect": {Network, NoBytes, false, false},
	"accept": {Network, NoBytes, false, false}, "accept4": {Network, NoBytes, false, false},
	"bind": {Network, NoBytes, false, false}, "listen": {Network, NoBytes, false, false},
	"shutdown": {Network, NoBytes, false, false}, "socketpair": {Network, NoBytes, false, false},
	"getsockopt": {Network, NoBytes, false, false}, "setsockopt": {Network, NoBytes, false, false},
	"sendto": {Network, RetBytes, false, false}, "recvfrom": {Network, RetBytes, false, false},
	"sendmsg": {Network, RetBytes, false, false}, "recvmsg": {Network, RetBytes, false, false},
	"sendmmsg": {Network, NoBytes, false, false}, "recvmmsg": {Network, NoBytes, false, false},
	// Memory management.
	"mmap": {Memory, Arg1Bytes, false, false}, "munmap": {Memory, Arg1Bytes, false, false},
	"mremap": {Memory, Arg2Bytes, false, false}, "madvise": {Memory, Arg1Bytes, false, false},
	"mprotect": {Memory, Arg1Bytes, false, false}, "brk": {Memory, NoBytes, false, false},
	"mlock": {Memory, Arg1Bytes, false, false}, "munlock": {Memory, Arg1Bytes, false, false},
	// Blocking and wake-ups.
	"futex":     {Blocking, NoBytes, true, false},
	"nanosleep": {Blocking, NoBytes, false, false}, "clock_nanosleep": {Blocking, NoBytes, false, false},
	"epoll_wait": {Blocking, NoBytes, false, false}, "epoll_pwait": {Blocking, NoBytes, false, false},
	"epoll_pwait2": {Blocking, NoBytes, false, false}, "poll": {Blocking, NoBytes, false, false},
	"ppoll": {Blocking, NoBytes, false, false}, "select": {Blocking, NoBytes, false, false},
	"pselect6": {Blocking, NoBytes, false, false}, "sched_yield": {Blocking, NoBytes, false, false},
	"pause": {Blocking, NoBytes, false, false},
	// Process lifecycle.
	"clone": {Process, NoBytes, false, false}, "clone3": {Process, NoBytes, false, false},
	"fork": {Process, NoBytes, false, false}, "vfork": {Process, NoBytes, false, false},
	"execve": {Process, NoBytes, false, true}, "execveat": {Process, NoBytes, false, false},
	"exit": {Process, NoBytes, false, false}, "exit_group": {Process, NoBytes, false, false},
	"wait4": {Process, NoBytes, false, false}, "waitid": {Process, NoBytes, false, false},
}

// RuleFor is how syscall name is counted.
func RuleFor(name string) ClassRule {
	if r, ok := rules[name]; ok {
		return r
	}
	return ClassRule{Class: Other}
}

// FutexClass is the class of a futex call with operation op (its second
// argument): waits block, wakes and requeues wake others.
func FutexClass(op uint64) Class {
	switch op & 0x7f { // without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME
	case 1, 3, 4, 5, 10: // WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, WAKE_BITSET
		return Wakeups
	default:
		return Blocking
	}
}
