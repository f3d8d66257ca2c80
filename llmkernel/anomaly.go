package llmkernel

import (
	"fmt"
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
