package inproc

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// lowerThread puts the calling OS thread in the idle scheduling class
// (SCHED_IDLE: it runs only when no other thread wants the CPU), or failing
// that at nice 19, and says which.
func lowerThread() string {
	attr := unix.SchedAttr{Size: uint32(unsafe.Sizeof(unix.SchedAttr{})), Policy: unix.SCHED_IDLE}
	if err := unix.SchedSetAttr(0, &attr, 0); err == nil {
		return "SCHED_IDLE"
	}
	if err := unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 19); err != nil {
		return fmt.Sprintf("normal priority (lowering failed: %v)", err)
	}
	return "nice 19"
}

// threadCPU is the calling thread's CPU time.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// processCPU is this process's CPU time, every thread's.
func processCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
