package host

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func discoverFixture(t *testing.T, name string) Info {
	t.Helper()
	return Discover(context.Background(), Options{Root: "testdata/" + name})
}

func mustOK[T any](t *testing.T, name string, f Fact[T]) T {
	t.Helper()
	if !f.OK() {
		t.Fatalf("%s: unexpected error %q (source %s)", name, f.Err, f.Source)
	}
	if f.Source == "" {
		t.Fatalf("%s: no source", name)
	}
	return f.Value
}

func TestPi4RaspberryPiOS64(t *testing.T) {
	info := discoverFixture(t, "pi4-rpios64")
	// No kernel.arch sysctl on 5.15: the architecture comes from cpuinfo.
	if got := mustOK(t, "arch", info.Arch); got != "aarch64" || info.Arch.Source != cpuinfoPath {
		t.Errorf("arch = %q from %s, want aarch64 from %s", got, info.Arch.Source, cpuinfoPath)
	}
	if got := mustOK(t, "model", info.CPUModel); got != "ARM Cortex-A72" {
		t.Errorf("cpu model = %q", got)
	}
	if got := mustOK(t, "simd", info.SIMD); !reflect.DeepEqual(got, []string{"ASIMD (NEON)"}) {
		t.Errorf("simd = %v", got)
	}
	if got := mustOK(t, "board", info.Board); got != "Raspberry Pi 4 Model B Rev 1.4" || info.Board.Source != dtModelPath {
		t.Errorf("board = %q from %s", got, info.Board.Source)
	}
	if got := mustOK(t, "cores", info.Cores); got != 4 {
		t.Errorf("cores = %d", got)
	}
	if got := mustOK(t, "memory", info.MemoryBytes); got != 3885508*1024 {
		t.Errorf("memory = %d", got)
	}
	cg := mustOK(t, "cgroup", info.Cgroup)
	if cg.Version != "v2" || cg.Mount != "/sys/fs/cgroup" {
		t.Errorf("cgroup = %+v", cg)
	}
	// Raspberry Pi OS disables the memory controller unless asked.
	if !reflect.DeepEqual(cg.Missing, []string{"memory"}) {
		t.Errorf("missing controllers = %v, want [memory]", cg.Missing)
	}
	if a := cg.Advice(); !strings.Contains(a, "cgroup_enable=memory cgroup_memory=1") {
		t.Errorf("advice %q does not give the fix", a)
	}
	if info.PSI.OK() {
		t.Errorf("psi = %+v, want unavailable (no /proc/pressure)", info.PSI)
	}
	if v := mustOK(t, "virtualized", info.Virtualized); v {
		t.Error("a Pi is not virtualized")
	}
	if !info.KVMDevice.Value {
		t.Error("kvm device not seen")
	}
	if info.KVMUsable != nil || info.Platforms != nil {
		t.Error("probes ran on a fixture")
	}
}

func TestX86CloudVM(t *testing.T) {
	info := discoverFixture(t, "x86-cloud-vm")
	if got := mustOK(t, "arch", info.Arch); got != "x86_64" || info.Arch.Source != archPath {
		t.Errorf("arch = %q from %s", got, info.Arch.Source)
	}
	if got := mustOK(t, "model", info.CPUModel); !strings.Contains(got, "Xeon") {
		t.Errorf("cpu model = %q", got)
	}
	simd := strings.Join(mustOK(t, "simd", info.SIMD), ",")
	for _, want := range []string{"AVX2", "SSE4.2"} {
		if !strings.Contains(simd, want) {
			t.Errorf("simd %q lacks %s", simd, want)
		}
	}
	if !mustOK(t, "virtualized", info.Virtualized) {
		t.Error("cloud VM not seen as virtualized")
	}
	if info.Board.OK() {
		t.Errorf("x86 VM has a board: %+v", info.Board)
	}
	if got := mustOK(t, "cores", info.Cores); got != 2 {
		t.Errorf("cores = %d", got)
	}
	cg := mustOK(t, "cgroup", info.Cgroup)
	if cg.Version != "hybrid" || len(cg.Missing) != 0 {
		t.Errorf("cgroup = %+v, want hybrid with nothing missing", cg)
	}
	for _, c := range []string{"blkio", "cpu", "cpuset", "memory", "pids"} {
		if !contains(cg.Controllers, c) {
			t.Errorf("controllers %v lack %s", cg.Controllers, c)
		}
	}
	if contains(cg.Controllers, "systemd") {
		t.Error("name=systemd taken for a controller")
	}
	if p := mustOK(t, "psi", info.PSI); !p.CPU || !p.Memory || !p.IO {
		t.Errorf("psi = %+v", p)
	}
	if got := mustOK(t, "kernel", info.Kernel); got != "6.18.44-fc-v657" {
		t.Errorf("kernel = %q", got)
	}
}

func TestCgroupV2Host(t *testing.T) {
	info := discoverFixture(t, "cgroupv2-host")
	if got := mustOK(t, "arch", info.Arch); got != "x86_64" {
		t.Errorf("arch = %q", got)
	}
	if got := mustOK(t, "model", info.CPUModel); got != "AMD EPYC 7302P 16-Core Processor" {
		t.Errorf("cpu model = %q", got)
	}
	if mustOK(t, "virtualized", info.Virtualized) {
		t.Error("bare metal seen as virtualized")
	}
	if got := mustOK(t, "cores", info.Cores); got != 8 {
		t.Errorf("cores = %d", got)
	}
	cg := mustOK(t, "cgroup", info.Cgroup)
	want := []string{"cpu", "cpuset", "hugetlb", "io", "memory", "misc", "pids", "rdma"}
	if cg.Version != "v2" || !reflect.DeepEqual(cg.Controllers, want) || len(cg.Missing) != 0 {
		t.Errorf("cgroup = %+v, want v2 %v", cg, want)
	}
	if a := cg.Advice(); a != "" {
		t.Errorf("advice %q on a host with every controller", a)
	}
	if !strings.Contains(info.Cgroup.Source, "/sys/fs/cgroup/cgroup.controllers") {
		t.Errorf("cgroup source %q does not name cgroup.controllers", info.Cgroup.Source)
	}
	if got := mustOK(t, "memory", info.MemAvailBytes); got != 63015228*1024 {
		t.Errorf("memory available = %d", got)
	}
}

// Every fact of a malformed tree is an error naming its file, not a panic
// and not a made-up value.
func TestMalformedTree(t *testing.T) {
	info := discoverFixture(t, "malformed")
	for name, f := range map[string]interface{ OK() bool }{
		"arch": info.Arch, "kernel": info.Kernel, "model": info.CPUModel,
		"features": info.CPUFeatures, "board": info.Board, "cores": info.Cores,
		"memory": info.MemoryBytes, "available": info.MemAvailBytes,
		"cgroup": info.Cgroup, "psi": info.PSI,
	} {
		if f.OK() {
			t.Errorf("%s: accepted a malformed file: %+v", name, f)
		}
	}
	if !strings.Contains(info.Cores.Err, "3-1") {
		t.Errorf("cores error %q does not quote the bad value", info.Cores.Err)
	}
	if !strings.Contains(info.MemoryBytes.Err, "MemTotal") {
		t.Errorf("memory error %q does not name the field", info.MemoryBytes.Err)
	}
	if _, err := json.Marshal(info); err != nil {
		t.Fatal(err)
	}
}

func TestEmptyTree(t *testing.T) {
	info := Discover(context.Background(), Options{Root: t.TempDir()})
	if info.Arch.OK() || info.Cgroup.OK() || info.MemoryBytes.OK() || info.Cores.OK() {
		t.Fatalf("facts found in an empty tree: %+v", info)
	}
	if !strings.Contains(info.MemoryBytes.Err, meminfoPath) {
		t.Errorf("error %q does not name %s", info.MemoryBytes.Err, meminfoPath)
	}
	if info.KVMDevice.Value {
		t.Error("kvm seen in an empty tree")
	}
}

// The live machine: whatever it is, the basics are found and consistent.
func TestLiveHost(t *testing.T) {
	info := Discover(context.Background(), Options{Root: "/"})
	mustOK(t, "arch", info.Arch)
	if n := mustOK(t, "cores", info.Cores); n < 1 {
		t.Errorf("cores = %d", n)
	}
	if m := mustOK(t, "memory", info.MemoryBytes); m < 64<<20 {
		t.Errorf("memory = %d", m)
	}
	mustOK(t, "cgroup", info.Cgroup)
}

// The KVM probe answers within its timeout whatever /dev/kvm does: here it
// exists under nested virtualisation.
func TestLiveKVMProbeAnswers(t *testing.T) {
	if _, err := os.Stat("/dev/kvm"); err != nil {
		t.Skipf("no /dev/kvm on this machine: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := ProbeKVM(ctx, 3*time.Second)
	if ctx.Err() != nil {
		t.Fatal("probe outlived its timeout")
	}
	// Usable exactly when no error was found, and always with a source.
	if f.Value != f.OK() || f.Source == "" {
		t.Fatalf("inconsistent fact %+v", f)
	}
	t.Logf("kvm guest probe: %+v", f)
}

// With the runsc-ai binary (RUNSC_AI_BIN, set by `make test`), probes boot
// real sandboxes: systrap works on every supported host, a bogus platform
// fails with gVisor's own message.
func TestLivePlatformProbes(t *testing.T) {
	bin := os.Getenv("RUNSC_AI_BIN")
	if bin == "" || os.Geteuid() != 0 {
		t.Skip("needs root and RUNSC_AI_BIN (a built runsc-ai); `make test` provides both")
	}
	// As runsc-ai host probes: plain runsc behaviour, no history, no tap.
	p := ExecPlatformProber{Binary: bin, Args: []string{"--ai-decide=false"}}
	ctx := context.Background()
	if f := p.Probe(ctx, "systrap", 30*time.Second); !f.Usable {
		t.Fatalf("systrap does not boot: %+v", f)
	}
	f := p.Probe(ctx, "no-such-platform", 30*time.Second)
	if f.Usable || !strings.Contains(f.Err, "no-such-platform") {
		t.Fatalf("bogus platform: %+v", f)
	}
	info := Discover(ctx, Options{Root: "/", Probe: true, Platforms: p, ProbeTimeout: 20 * time.Second})
	if info.KVMUsable == nil || len(info.Platforms) != 3 {
		t.Fatalf("probes missing: %+v", info)
	}
	// Consistency: KVM is usable exactly when gVisor booted on it.
	if info.KVMUsable.Value != info.Platforms[2].Usable {
		t.Errorf("kvm usable %v but kvm platform %+v", info.KVMUsable.Value, info.Platforms[2])
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// The thermal state from recorded trees: a Pi 4 with its firmware's
// throttling bits, a cloud VM without thermal zones (an error, said so).
func TestReadThermal(t *testing.T) {
	pi, err := ReadThermal("testdata/pi4-rpios64")
	if err != nil {
		t.Fatal(err)
	}
	if pi.TempC != 61.835 || !strings.Contains(pi.Zone, "cpu-thermal") || !pi.HasPiFirmware || pi.Throttled != 0x50005 || !pi.Throttling() {
		t.Errorf("pi: %+v", pi)
	}
	if _, err := ReadThermal("testdata/x86-cloud-vm"); err == nil {
		t.Error("a tree without thermal zones read as a temperature")
	}
	dir := t.TempDir()
	for i, v := range []string{"45000", "garbage", "999999999", "71250"} {
		z := filepath.Join(dir, "sys/class/thermal", fmt.Sprintf("thermal_zone%d", i))
		os.MkdirAll(z, 0o755)
		os.WriteFile(filepath.Join(z, "temp"), []byte(v+"\n"), 0o644)
	}
	got, err := ReadThermal(dir)
	if err != nil || got.TempC != 71.25 || got.Throttling() {
		t.Errorf("hottest sane zone: %+v %v", got, err)
	}
}
