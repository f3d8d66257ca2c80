package workload

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

func init() {
	register(Spec{Name: "file-seq-write", Description: "sequential 1 MiB writes to a file, then fsync", Metric: "MB/s", Better: "higher",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			f, err := os.Create(filepath.Join(p.Dir, "seq"))
			if err != nil {
				return 0, nil, err
			}
			defer f.Close()
			buf := make([]byte, 1<<20)
			n := pick(p, 32, 256)
			start := time.Now()
			for i := 0; i < n; i++ {
				if _, err := f.Write(buf); err != nil {
					return 0, nil, err
				}
			}
			if err := f.Sync(); err != nil {
				return 0, nil, err
			}
			return float64(n) / time.Since(start).Seconds(), nil, nil
		}})
	register(Spec{Name: "file-random-read", Description: "random 4 KiB preads from a 32 MiB file", Metric: "ns/op", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			path := filepath.Join(p.Dir, "random")
			const size = 32 << 20
			if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
				return 0, nil, err
			}
			f, err := os.Open(path)
			if err != nil {
				return 0, nil, err
			}
			defer f.Close()
			buf := make([]byte, 4096)
			r := rand.New(rand.NewPCG(1, 2))
			v, err := perOp(pick(p, 20_000, 200_000), func() error {
				_, err := f.ReadAt(buf, int64(r.IntN(size/4096))*4096)
				return err
			})
			return v, nil, err
		}})
	register(Spec{Name: "fsync", Description: "4 KiB write + fsync(2)", Metric: "us/op", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			f, err := os.Create(filepath.Join(p.Dir, "fsync"))
			if err != nil {
				return 0, nil, err
			}
			defer f.Close()
			buf := make([]byte, 4096)
			ns, err := perOp(pick(p, 200, 2000), func() error {
				if _, err := f.WriteAt(buf, 0); err != nil {
					return err
				}
				return f.Sync()
			})
			return ns / 1000, nil, err
		}})
}
