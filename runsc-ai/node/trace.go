package node

import (
	"fmt"
	"os"
	"time"
)

// TraceEnv names the file the create path's trace is appended to. Unset (the
// default), tracing costs one environment lookup per span. The variable is
// inherited by the gofer and the sandbox (gVisor passes runsc's environment
// on), so one file holds all three processes' spans.
const TraceEnv = "RUNSC_AI_TRACE"

// Span times one step of the create path in this process; call the returned
// function when the step ends. With RUNSC_AI_TRACE set, each ended span is
// one line appended to that file:
//
//	<start, µs since the epoch> <pid> <process role> <step> <duration ms>
//
// (append writes of a short line are atomic, so the processes can share the
// file). `runsc-ai bench startup` reads it back into a breakdown (--trace-rounds).
func Span(step string) func() {
	path := os.Getenv(TraceEnv)
	if path == "" {
		return func() {}
	}
	start := time.Now()
	return func() {
		traceAt(path, step, start, time.Since(start))
	}
}

// traceAt appends one span to the trace file path; errors are ignored (a
// trace must never fail a container).
func traceAt(path, step string, start time.Time, d time.Duration) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	fmt.Fprintf(f, "%d %d %s %s %.3f\n", start.UnixMicro(), os.Getpid(), role(os.Args[1:]), step, float64(d.Microseconds())/1000)
	f.Close()
}

// role is the process's command among those a container's start runs
// (boot and gofer are the sandbox and gofer re-executions).
func role(args []string) string {
	for _, a := range args {
		switch a {
		case "create", "start", "run", "do", "delete", "boot", "gofer", "wait", "kill", "state":
			return a
		}
	}
	return "runsc-ai"
}
