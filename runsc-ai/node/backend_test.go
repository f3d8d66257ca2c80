package node

import (
	"strings"
	"testing"
)

// The thermal guard on a recorded Raspberry Pi 4 (61.8 °C, firmware bits
// 0x50005: throttled now) and on a VM without thermal zones.
func TestThermalGate(t *testing.T) {
	pi := "../../platform/host/testdata/pi4-rpios64"
	if err := ThermalGate(pi, 80)(); err == nil || !strings.Contains(err.Error(), "firmware throttles") {
		t.Errorf("throttled Pi: %v", err)
	}
	if err := ThermalGate(pi, 60)(); err == nil || !strings.Contains(err.Error(), "61.8 °C, above deep.max_temp_c 60") {
		t.Errorf("hot Pi: %v", err)
	}
	if err := ThermalGate("../../platform/host/testdata/x86-cloud-vm", 60)(); err != nil {
		t.Errorf("a VM without sensors is held back: %v", err)
	}
	if ThermalGate(pi, 0) != nil {
		t.Error("max_temp_c 0 must turn the guard off")
	}
}
