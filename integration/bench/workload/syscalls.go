package workload

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

func init() {
	register(Spec{Name: "getpid", Description: "getpid(2) in a loop: the cost of one syscall", Metric: "ns/op", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			v, err := perOp(pick(p, 200_000, 2_000_000), func() error { unix.Getpid(); return nil })
			return v, nil, err
		}})
	register(Spec{Name: "open-close", Description: "open(2)+close(2) of a file", Metric: "ns/op", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			path := filepath.Join(p.Dir, "open-close")
			if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
				return 0, nil, err
			}
			v, err := perOp(pick(p, 20_000, 200_000), func() error {
				fd, err := unix.Open(path, unix.O_RDONLY, 0)
				if err != nil {
					return err
				}
				return unix.Close(fd)
			})
			return v, nil, err
		}})
	register(Spec{Name: "read-write", Description: "pwrite(2)+pread(2) of 4 KiB on an open file", Metric: "ns/op", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			f, err := os.Create(filepath.Join(p.Dir, "read-write"))
			if err != nil {
				return 0, nil, err
			}
			defer f.Close()
			buf := make([]byte, 4096)
			fd := int(f.Fd())
			v, err := perOp(pick(p, 20_000, 200_000), func() error {
				if _, err := unix.Pwrite(fd, buf, 0); err != nil {
					return err
				}
				_, err := unix.Pread(fd, buf, 0)
				return err
			})
			return v, nil, err
		}})
	register(Spec{Name: "pipe-pingpong", Description: "one byte back and forth over two pipes between two threads", Metric: "ns/op", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			var a, b [2]int
			if err := unix.Pipe(a[:]); err != nil {
				return 0, nil, err
			}
			if err := unix.Pipe(b[:]); err != nil {
				return 0, nil, err
			}
			n := pick(p, 10_000, 100_000)
			errc := make(chan error, 1)
			go func() {
				runtime.LockOSThread()
				buf := make([]byte, 1)
				for i := 0; i < n; i++ {
					if _, err := unix.Read(a[0], buf); err != nil {
						errc <- err
						return
					}
					if _, err := unix.Write(b[1], buf); err != nil {
						errc <- err
						return
					}
				}
				errc <- nil
			}()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			buf := []byte{1}
			v, err := perOp(n, func() error {
				if _, err := unix.Write(a[1], buf); err != nil {
					return err
				}
				_, err := unix.Read(b[0], buf)
				return err
			})
			if err == nil {
				err = <-errc
			}
			return v, nil, err
		}})
	register(Spec{Name: "futex-wake", Description: "two threads waking each other with FUTEX_WAIT/FUTEX_WAKE", Metric: "ns/op", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			var word atomic.Int32 // 0: main's turn to wake, 1: helper's
			n := pick(p, 10_000, 100_000)
			addr := unsafe.Pointer(&word)
			// linux/futex.h; x/sys/unix does not name them.
			const futexWait, futexWake, futexPrivate = 0, 1, 128
			wait := func(val int32) {
				for word.Load() == val {
					unix.Syscall6(unix.SYS_FUTEX, uintptr(addr), futexWait|futexPrivate, uintptr(val), 0, 0, 0)
				}
			}
			wake := func() {
				unix.Syscall6(unix.SYS_FUTEX, uintptr(addr), futexWake|futexPrivate, 1, 0, 0, 0)
			}
			done := make(chan struct{})
			go func() {
				runtime.LockOSThread()
				for i := 0; i < n; i++ {
					wait(0)
					word.Store(0)
					wake()
				}
				close(done)
			}()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			v, err := perOp(n, func() error {
				word.Store(1)
				wake()
				wait(1)
				return nil
			})
			<-done
			return v, nil, err
		}})
	register(Spec{Name: "mmap-munmap", Description: "mmap(2) 64 KiB anonymous, touch one page, munmap(2)", Metric: "ns/op", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			v, err := perOp(pick(p, 10_000, 100_000), func() error {
				b, err := unix.Mmap(-1, 0, 64<<10, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
				if err != nil {
					return fmt.Errorf("mmap: %w", err)
				}
				b[0] = 1
				return unix.Munmap(b)
			})
			return v, nil, err
		}})
}
