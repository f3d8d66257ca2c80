package summary

// Bytes says where a syscall's byte count comes from.
type Bytes int

// Byte sources.
const (
	NoBytes   Bytes = iota
	RetBytes        // the return value (bytes read, written, sent, received)
	Arg1Bytes       // the second argument (a length: mmap, munmap, madvise, mprotect)
	Arg2Bytes       // the third argument (mremap's new length)
	Refusals        // one per call the Sentry refused (an error returned)
)

// ClassRule is how the tap counts one syscall.
type ClassRule struct {
	Class Class
	Bytes Bytes
	// Futex: the class depends on the operation (FutexClass).
	Futex bool
	// Exec: the first argument is the path of a binary being executed.
	Exec bool
	// Socket: the class depends on the address family (SocketClass).
	Socket bool
}

// rules classifies syscalls by name, so one table serves every
// architecture's syscall numbers. Names missing here are Other.
var rules = map[string]ClassRule{
	// File I/O.
	"read": {Class: FileIO, Bytes: RetBytes}, "write": {Class: FileIO, Bytes: RetBytes},
	"pread64": {Class: FileIO, Bytes: RetBytes}, "pwrite64": {Class: FileIO, Bytes: RetBytes},
	"readv": {Class: FileIO, Bytes: RetBytes}, "writev": {Class: FileIO, Bytes: RetBytes},
	"preadv": {Class: FileIO, Bytes: RetBytes}, "pwritev": {Class: FileIO, Bytes: RetBytes},
	"preadv2": {Class: FileIO, Bytes: RetBytes}, "pwritev2": {Class: FileIO, Bytes: RetBytes},
	"sendfile": {Class: FileIO, Bytes: RetBytes}, "copy_file_range": {Class: FileIO, Bytes: RetBytes},
	"splice": {Class: FileIO, Bytes: RetBytes}, "tee": {Class: FileIO, Bytes: RetBytes},
	"open": {Class: FileIO}, "openat": {Class: FileIO},
	"openat2": {Class: FileIO}, "creat": {Class: FileIO},
	"close": {Class: FileIO}, "fsync": {Class: FileIO},
	"fdatasync": {Class: FileIO}, "sync_file_range": {Class: FileIO},
	"lseek": {Class: FileIO}, "fallocate": {Class: FileIO},
	"ftruncate": {Class: FileIO}, "truncate": {Class: FileIO},
	// Network.
	"socket": {Socket: true}, "connect": {Class: Network},
	"accept": {Class: Network}, "accept4": {Class: Network},
	"bind": {Class: Network}, "listen": {Class: Network},
	"shutdown": {Class: Network}, "socketpair": {Class: Network},
	"getsockopt": {Class: Network}, "setsockopt": {Class: Network},
	"sendto": {Class: Network, Bytes: RetBytes}, "recvfrom": {Class: Network, Bytes: RetBytes},
	"sendmsg": {Class: Network, Bytes: RetBytes}, "recvmsg": {Class: Network, Bytes: RetBytes},
	"sendmmsg": {Class: Network}, "recvmmsg": {Class: Network},
	// Memory management.
	"mmap": {Class: Memory, Bytes: Arg1Bytes}, "munmap": {Class: Memory, Bytes: Arg1Bytes},
	"mremap": {Class: Memory, Bytes: Arg2Bytes}, "madvise": {Class: Memory, Bytes: Arg1Bytes},
	"mprotect": {Class: Memory, Bytes: Arg1Bytes}, "brk": {Class: Memory},
	"mlock": {Class: Memory, Bytes: Arg1Bytes}, "munlock": {Class: Memory, Bytes: Arg1Bytes},
	// Blocking and wake-ups.
	"futex":     {Class: Blocking, Futex: true},
	"nanosleep": {Class: Blocking}, "clock_nanosleep": {Class: Blocking},
	"epoll_wait": {Class: Blocking}, "epoll_pwait": {Class: Blocking},
	"epoll_pwait2": {Class: Blocking}, "poll": {Class: Blocking},
	"ppoll": {Class: Blocking}, "select": {Class: Blocking},
	"pselect6": {Class: Blocking}, "sched_yield": {Class: Blocking},
	"pause": {Class: Blocking},
	// Process lifecycle.
	"clone": {Class: Process}, "clone3": {Class: Process},
	"fork": {Class: Process}, "vfork": {Class: Process},
	"execve": {Class: Process, Exec: true}, "execveat": {Class: Process},
	"exit": {Class: Process}, "exit_group": {Class: Process},
	"wait4": {Class: Process}, "waitid": {Class: Process},
	// Privileged operations (attempts; refusals counted as bytes).
	"ptrace": {Class: Ptrace, Bytes: Refusals}, "process_vm_readv": {Class: Ptrace, Bytes: Refusals},
	"process_vm_writev": {Class: Ptrace, Bytes: Refusals}, "kcmp": {Class: Ptrace, Bytes: Refusals},
	"mount": {Class: Mount, Bytes: Refusals}, "umount2": {Class: Mount, Bytes: Refusals},
	"pivot_root": {Class: Mount, Bytes: Refusals}, "chroot": {Class: Mount, Bytes: Refusals},
	"fsopen": {Class: Mount, Bytes: Refusals}, "fsmount": {Class: Mount, Bytes: Refusals},
	"fsconfig": {Class: Mount, Bytes: Refusals}, "move_mount": {Class: Mount, Bytes: Refusals},
	"open_tree": {Class: Mount, Bytes: Refusals}, "mount_setattr": {Class: Mount, Bytes: Refusals},
	"setns": {Class: Namespace, Bytes: Refusals}, "unshare": {Class: Namespace, Bytes: Refusals},
	"bpf": {Class: BPF, Bytes: Refusals}, "perf_event_open": {Class: BPF, Bytes: Refusals},
	"init_module": {Class: Module, Bytes: Refusals}, "finit_module": {Class: Module, Bytes: Refusals},
	"delete_module": {Class: Module, Bytes: Refusals}, "kexec_load": {Class: Module, Bytes: Refusals},
	"kexec_file_load": {Class: Module, Bytes: Refusals},
	"keyctl":          {Class: Keys, Bytes: Refusals}, "add_key": {Class: Keys, Bytes: Refusals},
	"request_key": {Class: Keys, Bytes: Refusals},
	"reboot":      {Class: Privileged, Bytes: Refusals}, "swapon": {Class: Privileged, Bytes: Refusals},
	"swapoff": {Class: Privileged, Bytes: Refusals}, "iopl": {Class: Privileged, Bytes: Refusals},
	"ioperm": {Class: Privileged, Bytes: Refusals}, "settimeofday": {Class: Privileged, Bytes: Refusals},
	"clock_settime": {Class: Privileged, Bytes: Refusals}, "adjtimex": {Class: Privileged, Bytes: Refusals},
	"clock_adjtime": {Class: Privileged, Bytes: Refusals}, "acct": {Class: Privileged, Bytes: Refusals},
	"quotactl": {Class: Privileged, Bytes: Refusals}, "syslog": {Class: Privileged, Bytes: Refusals},
	"personality": {Class: Privileged, Bytes: Refusals}, "userfaultfd": {Class: Privileged, Bytes: Refusals},
}

// RuleFor is how syscall name is counted.
func RuleFor(name string) ClassRule {
	if r, ok := rules[name]; ok {
		return r
	}
	return ClassRule{Class: Other}
}

// SocketClass is the class of a socket(2) call for address family domain
// (its first argument).
func SocketClass(domain uint64) Class {
	switch domain {
	case 2, 10: // AF_INET, AF_INET6
		return SockInet
	case 1: // AF_UNIX
		return SockUnix
	case 16: // AF_NETLINK
		return SockNetlink
	default:
		return SockOther
	}
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
