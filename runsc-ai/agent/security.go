package agent

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/runsc/container"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/control"
	"github.com/go-os-agent/runsc-ai/llmkernel/history"
	"github.com/go-os-agent/runsc-ai/llmkernel/profile"
	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
	"github.com/go-os-agent/runsc-ai/sentry/tap"
)

// The agent's security side: every tap window goes to the behaviour
// watcher (llmkernel/profile), which learns each image's profile over its
// first runs and then checks its sandboxes' windows; each finding is a
// security decision of the engine, logged, recorded in the history
// (explain shows it), counted in the metrics and listed in status.

// Security is the security side's status.
type Security struct {
	Recent  []string                     `json:"recent,omitempty"` // the last findings, oldest first
	Counts  map[string]map[string]uint64 `json:"counts,omitempty"` // sandbox -> rule -> anomalies
	Limited uint64                       `json:"rate_limited"`
	Errors  uint64                       `json:"profile_errors"`
	// Enforced counts the sandboxes paused and killed by rules that opt
	// in (and the attempts that failed).
	Enforced map[string]uint64 `json:"enforced,omitempty"`
}

// startWatch starts the watcher on the policy's security section.
func (a *agent) startWatch() {
	s := &a.policy.Security
	a.watch = profile.NewWatcher(a.store, s.Rules, s.Learning, s.ReportEvery)
}

// observe gives one summary to the watcher.
func (a *agent) observe(s *summary.Summary, now time.Time) {
	if a.watch == nil {
		return
	}
	w := profile.Window{Seconds: float64(s.WindowMs) / 1000}
	for i := range s.Containers {
		w.Add(&s.Containers[i])
	}
	a.report(a.watch.Observe(s.Sandbox, &w, now))
}

// watchTargets names the managed sandboxes' images to the watcher and
// forgets the sandboxes that are gone.
func (a *agent) watchTargets(ts []control.Target, now time.Time) {
	if a.watch == nil {
		return
	}
	live := map[string]bool{}
	for _, t := range ts {
		live[t.Sandbox] = true
		a.report(a.watch.SetImage(t.Sandbox, t.Image, now))
	}
	for _, id := range a.watch.Sandboxes() {
		if !live[id] && !a.state.Has(id) {
			a.watch.Forget(id)
		}
	}
}

// report turns findings into security decisions, and enforces the rules
// that opt in.
func (a *agent) report(fs []profile.Finding) {
	for _, f := range fs {
		sit := llmkernel.Situation{Kind: llmkernel.KindSecurity, Sandbox: f.Sandbox, Image: f.Image}
		d := a.engine.Anomaly(sit, f.Anomaly.Rule.Name, f.Anomaly.Evidence)
		a.log.Warn("anomaly", zap.Uint64("id", d.ID), zap.String("sandbox", f.Sandbox), zap.String("image", f.Image),
			zap.String("rule", f.Anomaly.Rule.Name), zap.String("evidence", f.Anomaly.Evidence), zap.String("action", d.ActionName()),
			zap.String("enforce", f.Anomaly.Rule.Enforce))
		rec := llmkernel.NewRecord(&sit, &d, f.At)
		rec.Subject = f.Anomaly.Subject()
		if err := a.store.PutDecision(rec); err != nil {
			// No record, no enforcement.
			a.log.Warn("recording an anomaly", zap.Error(err))
			continue
		}
		a.engine.Triage(sit, d)
		if how := f.Anomaly.Rule.Enforce; how != "" && d.Action == llmkernel.ActionReportAnomaly {
			go a.enforce(rec, how)
		}
	}
}

// enforce pauses or kills the sandbox of rec (and only it), as its rule
// opted in, and records what happened under the decision's ID. In the
// background: a pause waits for the container's lock.
func (a *agent) enforce(rec llmkernel.DecisionRecord, how string) {
	err := enforceOn(tap.FilesFor(a.tapDir, rec.Sandbox).Config, rec.Sandbox, how)
	a.mu.Lock()
	if a.enforced == nil {
		a.enforced = map[string]uint64{}
	}
	if err != nil {
		a.enforced["failed"]++
	} else {
		a.enforced[how]++
	}
	a.mu.Unlock()
	a.log.Warn("enforced", zap.String("sandbox", rec.Sandbox), zap.String("how", how), zap.Uint64("id", rec.ID), zap.Error(err))
	a.amend(rec.ID, func(r *llmkernel.DecisionRecord) {
		if err != nil {
			r.ApplyError = fmt.Sprintf("%s: %v", how, err)
		} else {
			r.Applied = map[string]string{"pause": "sandbox paused", "kill": "sandbox killed"}[how]
		}
	})
}

// triage records the deep tier's note on anomaly id (llmkernel.Config's
// OnTriage).
func (a *agent) triage(id uint64, note string) {
	a.amend(id, func(r *llmkernel.DecisionRecord) { r.Triage = note })
}

// amend changes recorded decision id: read, change, write, one change at a
// time.
func (a *agent) amend(id uint64, change func(*llmkernel.DecisionRecord)) {
	a.amending.Lock()
	defer a.amending.Unlock()
	rec, err := a.store.Decision(id)
	if err == nil {
		change(&rec)
		err = a.store.PutDecision(rec)
	}
	if err != nil {
		a.log.Warn("amending a recorded decision", zap.Uint64("id", id), zap.Error(err))
	}
}

// enforceOn pauses or kills sandbox id, found through the runsc root its
// tap's pod init config (config) names.
func enforceOn(config, id, how string) error {
	root, err := tap.ReadRoot(config)
	if err != nil {
		return err
	}
	c, err := container.Load(root, container.FullID{SandboxID: id, ContainerID: id}, container.LoadOpts{Exact: true, SkipCheck: true})
	if err != nil {
		return fmt.Errorf("runsc state in %s: %w", root, err)
	}
	switch how {
	case "pause":
		return c.Pause()
	case "kill":
		return c.SignalContainer(unix.SIGKILL, true)
	}
	return fmt.Errorf("unknown enforcement %q", how)
}

func (a *agent) securityStatus() *Security {
	if a.watch == nil {
		return nil
	}
	st := a.watch.Stats()
	out := &Security{Counts: st.Counts, Limited: st.Limited, Errors: st.Errors}
	a.mu.Lock()
	if len(a.enforced) > 0 {
		out.Enforced = maps.Clone(a.enforced)
	}
	a.mu.Unlock()
	for _, f := range st.Recent {
		out.Recent = append(out.Recent, fmt.Sprintf("%s %s (%q): %s", f.At.UTC().Format(time.RFC3339), f.Sandbox, f.Image, f))
	}
	return out
}

// writeSecurityMetrics writes runsc_ai_anomalies_total{sandbox,rule}.
func writeSecurityMetrics(w io.Writer, s *Security) {
	if s == nil {
		return
	}
	fmt.Fprintf(w, "# HELP runsc_ai_anomalies_total Security anomalies reported, by sandbox and rule.\n# TYPE runsc_ai_anomalies_total counter\n")
	for _, sb := range slices.Sorted(maps.Keys(s.Counts)) {
		for _, r := range slices.Sorted(maps.Keys(s.Counts[sb])) {
			fmt.Fprintf(w, "runsc_ai_anomalies_total{sandbox=%q,rule=%q} %d\n", sb, r, s.Counts[sb][r])
		}
	}
	fmt.Fprintf(w, "# HELP runsc_ai_enforcements_total Sandboxes paused or killed by security rules that opt in (failed: attempts that did not take).\n# TYPE runsc_ai_enforcements_total counter\n")
	for _, how := range []string{"pause", "kill", "failed"} {
		fmt.Fprintf(w, "runsc_ai_enforcements_total{action=%q} %d\n", how, s.Enforced[how])
	}
	fmt.Fprintf(w, "# HELP runsc_ai_anomalies_rate_limited_total Anomalies not reported again within the rate limit.\n# TYPE runsc_ai_anomalies_rate_limited_total counter\nrunsc_ai_anomalies_rate_limited_total %d\n", s.Limited)
}

// profilesAnswer is the agent's answer to "profiles".
type profilesAnswer struct {
	Profiles []profile.Profile `json:"profiles"`
	Error    string            `json:"error,omitempty"`
}

func (a *agent) profiles() profilesAnswer {
	if a.store == nil {
		return profilesAnswer{Error: "the agent is not deciding (--decide=false)"}
	}
	ps, err := a.store.Profiles()
	if err != nil {
		return profilesAnswer{Error: err.Error()}
	}
	return profilesAnswer{Profiles: ps}
}

// Profiles asks the running agent for the behaviour profiles it learned,
// or reads the history when no agent holds it. source says which.
func Profiles(o *node.Options) (ps []profile.Profile, source string, err error) {
	sock := o.AgentSocket()
	var ans profilesAnswer
	switch err := Ask(sock, "profiles", &ans); {
	case err == nil && ans.Error != "":
		return nil, "", fmt.Errorf("agent: %s", ans.Error)
	case err == nil:
		return ans.Profiles, "agent at " + sock, nil
	case !errors.Is(err, ErrNoAgent):
		return nil, "", err
	}
	st, path, err := readHistory(o)
	if st == nil || err != nil {
		return nil, path, err
	}
	defer st.Close()
	ps, err = st.Profiles()
	return ps, path, err
}

// acceptAnswer is the agent's answer to "accept ID".
type acceptAnswer struct {
	Profile *profile.Profile `json:"profile,omitempty"`
	Image   string           `json:"image,omitempty"`
	Subject string           `json:"subject,omitempty"`
	Error   string           `json:"error,omitempty"`
}

// acceptable says whether decision rec is an anomaly a profile can
// accept, and why not.
func acceptable(rec llmkernel.DecisionRecord) error {
	switch {
	case rec.Kind != llmkernel.KindSecurity.String():
		return fmt.Errorf("decision %d is a %s decision, not an anomaly", rec.ID, rec.Kind)
	case rec.Image == "":
		return fmt.Errorf("anomaly %d has no image (its sandbox's image was never known)", rec.ID)
	case rec.Subject == "":
		return fmt.Errorf("anomaly %d cannot be accepted into a profile: its rule reports every attempt, whatever the image did before (%s); the policy's security rules decide that", rec.ID, rec.Reason)
	}
	return nil
}

// accept accepts anomaly id into its image's profile, through the
// watcher so that the agent's own copy changes with the history's.
func (a *agent) accept(arg string) acceptAnswer {
	id, err := strconv.ParseUint(arg, 10, 64)
	if err != nil {
		return acceptAnswer{Error: fmt.Sprintf("anomaly ID %.40q: not a decision ID", arg)}
	}
	if a.store == nil || a.watch == nil {
		return acceptAnswer{Error: "the agent is not deciding (--decide=false)"}
	}
	rec, err := a.store.Decision(id)
	if err == nil {
		err = acceptable(rec)
	}
	if err != nil {
		return acceptAnswer{Error: err.Error()}
	}
	p, err := a.watch.Accept(rec.Image, rec.Subject)
	if err != nil {
		return acceptAnswer{Error: err.Error()}
	}
	a.log.Warn("anomaly accepted into the profile", zap.Uint64("id", id), zap.String("image", rec.Image), zap.String("subject", rec.Subject))
	return acceptAnswer{Profile: &p, Image: rec.Image, Subject: rec.Subject}
}

// Accept accepts anomaly id (a security decision's ID, as explain shows
// it) into its image's behaviour profile: through the running
// agent on --ai-run, else in the history at --ai-state. It returns the
// profile as it now is, the anomaly's subject, and where it was changed.
func Accept(o *node.Options, id uint64) (p profile.Profile, subject, source string, err error) {
	sock := o.AgentSocket()
	var ans acceptAnswer
	switch err := Ask(sock, "accept "+strconv.FormatUint(id, 10), &ans); {
	case err == nil && ans.Error != "":
		return p, "", "", fmt.Errorf("agent: %s", ans.Error)
	case err == nil && ans.Profile != nil:
		return *ans.Profile, ans.Subject, "agent at " + sock, nil
	case err == nil:
		return p, "", "", fmt.Errorf("agent at %s: no profile in its answer", sock)
	case !errors.Is(err, ErrNoAgent):
		return p, "", "", err
	}
	// Read-only first: no history is an error here, and a damaged file is
	// reported, not moved aside as opening it for writing would.
	ro, path, err := readHistory(o)
	if ro == nil && err == nil {
		err = fmt.Errorf("no history at %s", path)
	}
	if err != nil {
		return p, "", "", err
	}
	ro.Close()
	st, err := history.Open(path)
	if err != nil {
		return p, "", "", err
	}
	defer st.Close()
	rec, err := st.Decision(id)
	if err == nil {
		err = acceptable(rec)
	}
	if err != nil {
		return p, "", "", err
	}
	p, err = profile.NewWatcher(st, nil, profile.Learning{}, 0).Accept(rec.Image, rec.Subject)
	return p, rec.Subject, path, err
}
