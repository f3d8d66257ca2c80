package agent

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/go-os-agent/runsc-ai/llmkernel/history"
	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// ErrHistoryBusy: another agent holds the history; explain still shows the
// create-time part.
var ErrHistoryBusy = errors.New("live decisions unavailable")

// maxExplained is how many live decisions explain shows.
const maxExplained = 50

// liveAnswer is the agent's answer to "explain ID".
type liveAnswer struct {
	Decisions []history.Explained `json:"decisions"`
	Error     string              `json:"error,omitempty"`
}

func (a *agent) explain(id string) liveAnswer {
	if err := summary.ValidID(id); err != nil {
		return liveAnswer{Error: err.Error()}
	}
	if a.store == nil {
		return liveAnswer{Error: "the agent is not deciding (--decide=false)"}
	}
	ds, err := a.store.ForSandbox(id, maxExplained)
	if err != nil {
		return liveAnswer{Error: err.Error()}
	}
	return liveAnswer{Decisions: ds}
}

// LiveDecisions asks the running agent for a container's live decisions, or
// reads the history database when no agent holds it. source says which.
func LiveDecisions(o *node.Options, id string) (ds []history.Explained, source string, err error) {
	sock := o.AgentSocket()
	var ans liveAnswer
	switch err := Ask(sock, "explain "+id, &ans); {
	case err == nil && ans.Error != "":
		return nil, "", fmt.Errorf("agent: %s", ans.Error)
	case err == nil:
		return ans.Decisions, "agent at " + sock, nil
	case !errors.Is(err, ErrNoAgent):
		return nil, "", err
	}
	st, path, err := readHistory(o)
	if st == nil || err != nil {
		return nil, "", err
	}
	defer st.Close()
	ds, err = st.ForSandbox(id, maxExplained)
	return ds, path, err
}

// readHistory opens the history at --ai-state for reading when no agent
// answers on --ai-run: nil (and no error) when there is none yet, and
// ErrHistoryBusy when an agent holds it without answering.
func readHistory(o *node.Options) (*history.DB, string, error) {
	path := o.History()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, path, nil
	}
	st, err := history.OpenReadOnly(path)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, path, fmt.Errorf("%w: %s is held by an agent that does not answer on %s (give this command that agent's --ai-run)", ErrHistoryBusy, path, o.AgentSocket())
	}
	return st, path, err
}

// PrintLive prints live decisions, oldest first, each with its ID (which
// `behaviour accept ID` takes for an anomaly).
func PrintLive(out io.Writer, ds []history.Explained, source string) {
	fmt.Fprintf(out, "live decisions (%d, from %s):\n", len(ds), source)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tTIME\tKIND\tACTION\tTIER\tAPPLIED\tREASON\tOUTCOME")
	for _, d := range ds {
		applied := d.Applied
		switch {
		case d.Rejected != "":
			applied = "rejected (" + strings.SplitN(d.Rejected, ":", 2)[0] + ")"
		case d.ApplyError != "":
			applied = d.ApplyError
		}
		outcome := "pending"
		if d.Reward != nil && d.Outcome != nil {
			outcome = fmt.Sprintf("reward %+.2f (throughput %+.2f, latency %+.2f, efficiency %+.2f, stability %+.2f)",
				*d.Reward, d.Outcome.Throughput, d.Outcome.Latency, d.Outcome.Efficiency, d.Outcome.Stability)
		} else if d.Applied == "" {
			outcome = "-"
		}
		why := d.Reason
		if d.Triage != "" {
			why += "; triage: " + d.Triage
		}
		reason := strconv.QuoteToASCII(why)
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.At.Local().Format("15:04:05"), d.Kind, d.Action, d.Tier, applied, reason[1:len(reason)-1], outcome)
	}
	w.Flush()
}
