package host

import (
	"context"
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// KVM ioctls (linux/kvm.h). KVMIO is 0xAE.
const (
	kvmGetAPIVersion       = 0xAE00
	kvmCreateVM            = 0xAE01
	kvmGetVCPUMmapSize     = 0xAE04
	kvmCreateVCPU          = 0xAE41
	kvmSetUserMemoryRegion = 0x4020AE46 // _IOW(KVMIO, 0x46, 32 bytes)
	kvmRun                 = 0xAE80

	kvmAPIVersion = 12
	guestMemAddr  = 0x10000
)

// kvmUserspaceMemoryRegion is struct kvm_userspace_memory_region.
type kvmUserspaceMemoryRegion struct {
	slot, flags                          uint32
	guestPhysAddr, memorySize, userspace uint64
}

func ioctl(fd int, req uintptr, arg uintptr) (uintptr, error) {
	r, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, arg)
	if errno != 0 {
		return 0, errno
	}
	return r, nil
}

// ProbeKVM runs a tiny real guest to completion: /dev/kvm existing is not
// enough, since under nested virtualisation it can be present but hang or
// fail. The guest runs on a locked OS thread; when the deadline passes the
// thread is signalled, which makes a KVM_RUN stuck in the kernel return
// EINTR, so a hung KVM costs the timeout and leaks nothing.
func ProbeKVM(ctx context.Context, timeout time.Duration) Fact[bool] {
	const src = "KVM probe (run a one-instruction guest on /dev/kvm)"
	start := time.Now()
	type result struct{ err error }
	done := make(chan result, 1)
	tidc := make(chan int, 1)
	go func() {
		runtime.LockOSThread()
		// The thread may have been interrupted mid-ioctl; never reuse it.
		tidc <- unix.Gettid()
		done <- result{runKVMGuest()}
	}()
	tid := <-tidc
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case r := <-done:
			if r.err != nil {
				return failed[bool](src, r.err)
			}
			return found(true, fmt.Sprintf("%s, %v", src, time.Since(start).Round(time.Millisecond)))
		case <-timer.C:
		case <-ctx.Done():
		}
		// Interrupt the guest; keep signalling until the goroutine returns,
		// then report the hang rather than its EINTR.
		_ = unix.Tgkill(unix.Getpid(), tid, unix.SIGURG)
		select {
		case <-done:
			return failed[bool](src, fmt.Errorf("/dev/kvm hung: guest did not exit within %v", timeout))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func runKVMGuest() error {
	kvm, err := unix.Open("/dev/kvm", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /dev/kvm: %w", err)
	}
	defer unix.Close(kvm)
	v, err := ioctl(kvm, kvmGetAPIVersion, 0)
	if err != nil {
		return fmt.Errorf("KVM_GET_API_VERSION: %w", err)
	}
	if v != kvmAPIVersion {
		return fmt.Errorf("KVM API version %d, want %d", v, kvmAPIVersion)
	}
	vmfd, err := ioctl(kvm, kvmCreateVM, 0)
	if err != nil {
		return fmt.Errorf("KVM_CREATE_VM: %w", err)
	}
	vm := int(vmfd)
	defer unix.Close(vm)

	mem, err := unix.Mmap(-1, 0, 0x1000, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_ANONYMOUS)
	if err != nil {
		return fmt.Errorf("mmap guest memory: %w", err)
	}
	defer unix.Munmap(mem)
	copy(mem, guestCode)
	region := kvmUserspaceMemoryRegion{
		guestPhysAddr: guestMemAddr,
		memorySize:    uint64(len(mem)),
		userspace:     uint64(uintptr(unsafe.Pointer(&mem[0]))),
	}
	if _, err := ioctl(vm, kvmSetUserMemoryRegion, uintptr(unsafe.Pointer(&region))); err != nil {
		return fmt.Errorf("KVM_SET_USER_MEMORY_REGION: %w", err)
	}
	vcpufd, err := ioctl(vm, kvmCreateVCPU, 0)
	if err != nil {
		return fmt.Errorf("KVM_CREATE_VCPU: %w", err)
	}
	vcpu := int(vcpufd)
	defer unix.Close(vcpu)
	size, err := ioctl(kvm, kvmGetVCPUMmapSize, 0)
	if err != nil {
		return fmt.Errorf("KVM_GET_VCPU_MMAP_SIZE: %w", err)
	}
	run, err := unix.Mmap(vcpu, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("mmap kvm_run: %w", err)
	}
	defer unix.Munmap(run)
	if err := setupVCPU(vm, vcpu); err != nil {
		return err
	}
	if _, err := ioctl(vcpu, kvmRun, 0); err != nil {
		return fmt.Errorf("KVM_RUN: %w", err)
	}
	// exit_reason is the u32 at offset 8 of struct kvm_run.
	reason := *(*uint32)(unsafe.Pointer(&run[8]))
	if reason != wantExit {
		return fmt.Errorf("guest exited with reason %d, want %d", reason, wantExit)
	}
	return nil
}
