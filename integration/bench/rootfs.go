package bench

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// buildRootfs makes the benchmark image: the static runsc-ai binary (which
// carries the workloads) as /rsbench, and static busybox for /bin/true and
// /bin/sh when the host has it. Nothing is downloaded.
func buildRootfs(dir, self string) (hasBusybox bool, err error) {
	for _, d := range []string{"bin", "proc", "dev", "sys", "tmp", "data", "etc"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return false, err
		}
	}
	if err := copyFile(self, filepath.Join(dir, "rsbench"), 0o755); err != nil {
		return false, fmt.Errorf("copying the workload binary: %w", err)
	}
	if hasBusybox, err = installBusybox(dir); err != nil {
		return false, err
	}
	return hasBusybox, os.WriteFile(filepath.Join(dir, "etc", "hostname"), []byte("bench\n"), 0o644)
}

// installBusybox puts the host's static busybox in dir/bin with true and sh
// linked to it; false if the host has none (a dynamic one would not run in
// a bare rootfs).
func installBusybox(dir string) (bool, error) {
	bb, err := exec.LookPath("busybox")
	if err != nil || !isStatic(bb) {
		return false, nil
	}
	if err := copyFile(bb, filepath.Join(dir, "bin", "busybox"), 0o755); err != nil {
		return false, err
	}
	for _, l := range []string{"true", "sh"} {
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", l)); err != nil && !os.IsExist(err) {
			return false, err
		}
	}
	return true, nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// isStatic: a dynamically linked busybox would not run in the bare rootfs;
// a dynamic ELF names its interpreter in a PT_INTERP segment.
func isStatic(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}
