package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Runtime names, in report order.
const (
	Runc         = "runc"
	Runsc        = "runsc"
	RunscAI      = "runsc-ai"
	RunscAIAgent = "runsc-ai+agent"
	// RunscAIRules is runsc-ai with an agent on the same policy but its
	// fast tier off (fast.enabled: false): rules only, the baseline the
	// learned decisions are measured against. Not in the default set.
	RunscAIRules = "runsc-ai+rules"
	// RunscAIDeep is runsc-ai with an agent on the same policy whose deep
	// tier is a language model in its own process (--backend inproc, the
	// model from --agent-model): the rules and the fast tier as in
	// runsc-ai+agent, plus the model's validated answers. Not in the
	// default set.
	RunscAIDeep = "runsc-ai+deep"
)

// agentRuntimes are the runtimes that run with their own agent.
var agentRuntimes = []string{RunscAIAgent, RunscAIRules, RunscAIDeep}

// RuntimeNames are the runtimes the harness knows.
var RuntimeNames = []string{Runc, Runsc, RunscAI, RunscAIAgent}

// gvisorFlags are the global flags every gVisor runtime gets, identical for
// runsc and runsc-ai so that the comparison is of the binaries alone.
var gvisorFlags = []string{"--network=none"}

// Locate says where each runtime is: runc from PATH, plain runsc from
// runscPath or PATH or beside runsc-ai, runsc-ai is self.
func Locate(names []string, self, runscPath, workDir string) ([]Runtime, error) {
	var out []Runtime
	for _, n := range names {
		rt := Runtime{Name: n}
		switch n {
		case Runc:
			if p, err := exec.LookPath("runc"); err == nil {
				rt.Binary, rt.Available = p, true
			} else {
				rt.Reason = "runc is not installed (Debian: apt install runc)"
			}
		case Runsc:
			p := runscPath
			if p == "" {
				if lp, err := exec.LookPath("runsc"); err == nil {
					p = lp
				} else if sib := filepath.Join(filepath.Dir(self), "runsc"); isExec(sib) {
					p = sib
				}
			}
			switch {
			case p == "":
				rt.Reason = "plain runsc not found (--runsc PATH; 'make runsc' builds it from the same gVisor module)"
			case !isExec(p):
				rt.Reason = fmt.Sprintf("%s is not an executable", p)
			default:
				rt.Binary, rt.Available, rt.Flags = p, true, gvisorFlags
			}
		case RunscAI:
			rt.Binary, rt.Available = self, true
			rt.Flags = append(append([]string{}, gvisorFlags...), "--ai-state="+filepath.Join(workDir, "ai-state"), "--ai-run="+filepath.Join(workDir, "ai-run"))
		case RunscAIAgent, RunscAIRules, RunscAIDeep:
			// runsc-ai with a node agent deciding on its sandboxes (its
			// backend and policy set in Run): own history and tap directory.
			rt.Binary, rt.Available = self, true
			rt.Flags = append(append([]string{}, gvisorFlags...), "--ai-state="+filepath.Join(workDir, n+"-state"), "--ai-run="+filepath.Join(workDir, n+"-run"))
		default:
			return nil, fmt.Errorf("unknown runtime %q (want one of %s, %s, %s)", n, strings.Join(RuntimeNames, ", "), RunscAIRules, RunscAIDeep)
		}
		out = append(out, rt)
	}
	return out, nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
