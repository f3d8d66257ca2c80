package host

import (
	"fmt"
	"unsafe"
)

const (
	kvmArmPreferredTarget = 0x8020AEAF // _IOR(KVMIO, 0xaf, struct kvm_vcpu_init: 32 bytes)
	kvmArmVCPUInit        = 0x4020AEAE // _IOW(KVMIO, 0xae, struct kvm_vcpu_init)
	kvmSetOneReg          = 0x4010AEAC // _IOW(KVMIO, 0xac, struct kvm_one_reg)

	// KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | offsetof(regs.pc)/4
	regPC = 0x6030000000100040

	wantExit = 6 // KVM_EXIT_MMIO
)

// guestCode stores to 0x1000, which no memory slot covers, so the guest
// exits with KVM_EXIT_MMIO:
//
//	movz x1, #0x1000
//	str  x0, [x1]
var guestCode = []byte{
	0x01, 0x00, 0x82, 0xd2,
	0x20, 0x00, 0x00, 0xf9,
}

func setupVCPU(vm, vcpu int) error {
	var init [8]uint32 // target, features[7]
	if _, err := ioctl(vm, kvmArmPreferredTarget, uintptr(unsafe.Pointer(&init[0]))); err != nil {
		return fmt.Errorf("KVM_ARM_PREFERRED_TARGET: %w", err)
	}
	if _, err := ioctl(vcpu, kvmArmVCPUInit, uintptr(unsafe.Pointer(&init[0]))); err != nil {
		return fmt.Errorf("KVM_ARM_VCPU_INIT: %w", err)
	}
	pc := uint64(guestMemAddr)
	reg := [2]uint64{regPC, uint64(uintptr(unsafe.Pointer(&pc)))}
	if _, err := ioctl(vcpu, kvmSetOneReg, uintptr(unsafe.Pointer(&reg[0]))); err != nil {
		return fmt.Errorf("KVM_SET_ONE_REG pc: %w", err)
	}
	return nil
}
