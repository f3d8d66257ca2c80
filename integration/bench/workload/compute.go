package workload

import (
	"context"
	"crypto/sha256"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	register(Spec{Name: "cpu-sha256", Description: "SHA-256 over a buffer: pure CPU, no syscalls", Metric: "MB/s", Better: "higher",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			buf := make([]byte, 1<<20)
			n := pick(p, 64, 512)
			start := time.Now()
			for i := 0; i < n; i++ {
				sum := sha256.Sum256(buf)
				buf[0] = sum[0]
			}
			return float64(n) / time.Since(start).Seconds(), nil, nil
		}})
	register(Spec{Name: "mem-bandwidth", Description: "copying a 64 MiB buffer", Metric: "MB/s", Better: "higher",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			src, dst := make([]byte, 64<<20), make([]byte, 64<<20)
			for i := range src {
				src[i] = byte(i)
			}
			n := pick(p, 8, 64)
			start := time.Now()
			for i := 0; i < n; i++ {
				copy(dst, src)
			}
			return float64(n*64) / time.Since(start).Seconds(), nil, nil
		}})
	register(Spec{Name: "page-faults", Description: "first touch of every page of a fresh anonymous mapping", Metric: "faults/ms", Better: "higher",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			size := pick(p, 64<<20, 256<<20)
			page := unix.Getpagesize()
			b, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
			if err != nil {
				return 0, nil, err
			}
			defer unix.Munmap(b)
			start := time.Now()
			for i := 0; i < size; i += page {
				b[i] = 1
			}
			return float64(size/page) / float64(time.Since(start).Milliseconds()+1), nil, nil
		}})
}
