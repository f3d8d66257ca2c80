package llmkernel

import (
	"fmt"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// ActionReportAnomaly is the security kind's report.
const ActionReportAnomaly Action = 1

// Anomaly is the security decision on a finding of the behaviour watcher
// (llmkernel/profile): the rule tier reports it (report_anomaly) where the
// policy allows that action for the security kind, and keeps otherwise,
// saying why. It is counted and logged like every decision; the evidence
// (container-controlled, already quoted by the watcher) is cut to the
// reason's bound. s must be of the security kind.
func (e *Engine) Anomaly(s Situation, rule, evidence string) Decision {
	start := time.Now()
	s.Kind = KindSecurity
	d := Decision{Kind: KindSecurity, Key: s.Key(), Tier: TierPolicy, Confidence: 100,
		Reason: truncate(fmt.Sprintf("rule %s: %s", rule, evidence), maxRecordReason)}
	if al := e.policy.Kinds[KindSecurity].Allowed; int(ActionReportAnomaly) < len(al) && al[ActionReportAnomaly] {
		d.Action = ActionReportAnomaly
	} else {
		d.Rejected = "the policy does not allow report_anomaly"
		e.guard.rejected[KindSecurity].Add(1)
	}
	d.ID = e.nextID.Add(1)
	d.Latency = time.Since(start)
	e.decisions[KindSecurity][d.Tier].Add(1)
	e.log.Info("decision", zap.Uint64("id", d.ID), zap.Stringer("kind", d.Kind), zap.Stringer("tier", d.Tier),
		zap.String("action", d.ActionName()), zap.String("reason", d.Reason), zap.String("rejected", d.Rejected))
	return d
}

// maxRecordReason bounds a recorded anomaly's reason.
const maxRecordReason = 512

// Triage asks the deep tier, when there is one, for a note on anomaly d
// (made by Anomaly on s), given later to Config.OnTriage. It never waits:
// the report is made and recorded before, and stands whatever the model
// says. Call it once d is recorded. A sandbox has at most one triage in
// flight; a full queue drops it (counted with the deep tier's drops).
func (e *Engine) Triage(s Situation, d Decision) {
	if e.deep == nil || e.onTriage == nil || d.Kind != KindSecurity || d.Action != ActionReportAnomaly || e.closed.Load() {
		return
	}
	s.Kind = KindSecurity
	s.Finding = &Finding{DecisionID: d.ID, Text: truncate(d.Reason, MaxFindingLen)}
	e.deep.submit(s)
}

// triaged turns the deep tier's answer on a finding into a one-line note
// for its security decision: the model's verdict (its action: report_anomaly
// is "looks hostile", keep "looks benign") and its reason, quoted and cut.
// The answer is not cached or distilled, and its action changes nothing:
// the rule made the decision, and the policy says what is enforced.
func (e *Engine) triaged(s Situation, a Answer, r Response, wall time.Duration) {
	verdict := "looks benign"
	if a.Action == ActionReportAnomaly {
		verdict = "looks hostile"
	}
	note := fmt.Sprintf("%s (%s): %s", verdict, e.deep.backend.Name(), strconv.QuoteToASCII(truncate(a.Reason, MaxReasonLen)))
	e.log.Info("triage", zap.Uint64("id", s.Finding.DecisionID), zap.String("sandbox", s.Sandbox), zap.String("note", note),
		zap.Duration("wall", wall), zap.Duration("model", r.ModelTime))
	if e.onTriage != nil {
		e.onTriage(s.Finding.DecisionID, note)
	}
}
