package host

import (
	"fmt"
	"unsafe"
)

const (
	kvmGetSregs = 0x8138AE83 // _IOR(KVMIO, 0x83, struct kvm_sregs: 312 bytes)
	kvmSetSregs = 0x4138AE84 // _IOW(KVMIO, 0x84, struct kvm_sregs)
	kvmSetRegs  = 0x4090AE82 // _IOW(KVMIO, 0x82, struct kvm_regs: 144 bytes)

	wantExit = 5 // KVM_EXIT_HLT
)

// guestCode is a real-mode "hlt".
var guestCode = []byte{0xf4}

// setupVCPU points the vCPU at guestCode in real mode.
func setupVCPU(_, vcpu int) error {
	var sregs [312]byte
	if _, err := ioctl(vcpu, kvmGetSregs, uintptr(unsafe.Pointer(&sregs[0]))); err != nil {
		return fmt.Errorf("KVM_GET_SREGS: %w", err)
	}
	// struct kvm_sregs begins with struct kvm_segment cs: base u64, limit
	// u32, selector u16. Real-mode IP is 16 bits, so the code's address goes
	// in the segment and IP starts at 0.
	*(*uint64)(unsafe.Pointer(&sregs[0])) = guestMemAddr
	*(*uint16)(unsafe.Pointer(&sregs[12])) = guestMemAddr >> 4
	if _, err := ioctl(vcpu, kvmSetSregs, uintptr(unsafe.Pointer(&sregs[0]))); err != nil {
		return fmt.Errorf("KVM_SET_SREGS: %w", err)
	}
	var regs [18]uint64 // rax..r15, rip, rflags
	regs[16] = 0
	regs[17] = 2 // bit 1 of RFLAGS is reserved and must be set
	if _, err := ioctl(vcpu, kvmSetRegs, uintptr(unsafe.Pointer(&regs[0]))); err != nil {
		return fmt.Errorf("KVM_SET_REGS: %w", err)
	}
	return nil
}
