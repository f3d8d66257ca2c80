package workload

import (
	"context"
	"io"
	"net"
)

func init() {
	register(Spec{Name: "tcp-loopback", Description: "64-byte request/response over loopback TCP", Metric: "ns/op", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return 0, nil, err
			}
			defer l.Close()
			go func() {
				c, err := l.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				buf := make([]byte, 64)
				for {
					if _, err := io.ReadFull(c, buf); err != nil {
						return
					}
					if _, err := c.Write(buf); err != nil {
						return
					}
				}
			}()
			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				return 0, nil, err
			}
			defer c.Close()
			buf := make([]byte, 64)
			v, err := perOp(pick(p, 5_000, 50_000), func() error {
				if _, err := c.Write(buf); err != nil {
					return err
				}
				_, err := io.ReadFull(c, buf)
				return err
			})
			return v, nil, err
		}})
	// Timed by the harness from outside: the whole `run` of /bin/true.
	register(Spec{Name: "process-start", Description: "run a container whose process is /bin/true (timed from outside)", Metric: "ms", Better: "lower", External: true,
		run: func(context.Context, Params) (float64, []float64, error) { return 0, nil, nil }})
}
